/**
 * `heron user disable --practice P --email E`: stops a user from signing in and ends every token
 * and grant they hold (within the authenticator's one-minute recheck). `heron user enable` lets
 * them sign in again; their old tokens stay dead.
 */
import { normaliseEmail } from '../../domain/users/create-user.ts';
import { errors } from '../../fhir/outcome.ts';
import type { FhirStore } from '../../store/store.ts';
import { resolvePractice } from '../practice-ref.ts';
import type { Terminal } from '../terminal.ts';
import { recordUserChange } from '../audit-change.ts';

export async function userStatusCommand(
  deps: { store: FhirStore; terminal: Terminal },
  o: { practice: string; email: string; status: 'active' | 'disabled'; json?: boolean },
): Promise<number> {
  const practice = await resolvePractice(deps.store, o.practice);
  const user = await deps.store.admin.users.findByEmail(practice.id, normaliseEmail(o.email));
  if (!user) throw errors.invalid(`No user with the email ${normaliseEmail(o.email)} in practice "${practice.name}"`, 'email');
  // Both directions end existing tokens: re-enabling an account must not revive what it had.
  await deps.store.admin.users.setStatus(user.id, o.status, Date.now());
  await recordUserChange(deps.store, o.status === 'disabled' ? 'admin-user-disable' : 'admin-user-enable', user.id);
  if (o.json) deps.terminal.out(JSON.stringify({ id: user.id, status: o.status }));
  else deps.terminal.out(`User ${user.email} is now ${o.status}; tokens issued before now no longer work.`);
  return 0;
}
