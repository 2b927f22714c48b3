/**
 * `heron user invite --practice P --role R --email E`: creates an account that cannot sign in
 * yet and prints a one-time link (7 days) where the person sets their own password. The
 * administrator never knows the password, and it never appears in a process list.
 */
import { accountLinkUrl } from '../../api/auth/account-links.ts';
import { inviteUser } from '../../domain/users/account-links.ts';
import type { FhirStore } from '../../store/store.ts';
import { resolvePractice } from '../practice-ref.ts';
import type { Terminal } from '../terminal.ts';
import { recordUserChange } from '../audit-change.ts';

export interface UserInviteOptions {
  practice: string;
  role: string;
  email: string;
  fhirUser?: string;
  patients?: string[];
  limitedPatients?: string[];
  /** The server root people reach Heron at (the link's origin). */
  publicUrl: string;
  json?: boolean;
}

export async function userInviteCommand(deps: { store: FhirStore; terminal: Terminal }, o: UserInviteOptions): Promise<number> {
  const practice = await resolvePractice(deps.store, o.practice);
  const { id, token, expiresAt } = await inviteUser(deps.store, {
    practiceId: practice.id,
    role: o.role,
    email: o.email,
    ...(o.fhirUser !== undefined ? { fhirUser: o.fhirUser } : {}),
    ...(o.patients !== undefined ? { patients: o.patients } : {}),
    ...(o.limitedPatients !== undefined ? { limitedPatients: o.limitedPatients } : {}),
  });
  await recordUserChange(deps.store, 'admin-user-invite', id, { expires: new Date(expiresAt).toISOString() });
  const link = accountLinkUrl(o.publicUrl.replace(/\/+$/, ''), token);
  const expires = new Date(expiresAt).toISOString();
  if (o.json) deps.terminal.out(JSON.stringify({ id, link, expires_at: expires }));
  else {
    deps.terminal.out(`Invited ${o.role} ${o.email.trim().toLowerCase()} to practice "${practice.name}": user id ${id}`);
    deps.terminal.out(`Send them this link (works once, until ${expires}) to set their password:`);
    deps.terminal.out(link);
  }
  return 0;
}
