/** `heron practice require-mfa P [--off]`: whether the practice's users must sign in with a second factor (TOTP). */
import type { FhirStore } from '../../store/store.ts';
import { resolvePractice } from '../practice-ref.ts';
import type { Terminal } from '../terminal.ts';
import { recordCliChange } from '../audit-change.ts';

export async function practiceMfaCommand(deps: { store: FhirStore; terminal: Terminal }, o: { practice: string; off?: boolean; json?: boolean }): Promise<number> {
  const practice = await resolvePractice(deps.store, o.practice);
  const required = o.off !== true;
  await deps.store.admin.users.setPracticeRequiresMfa(practice.id, required);
  await recordCliChange(deps.store, { tenant: practice.id, action: 'admin-mfa-policy', entities: [`Practice/${practice.id}`], detail: { mfaRequired: required } });
  if (o.json) deps.terminal.out(JSON.stringify({ id: practice.id, mfa_required: required }));
  else deps.terminal.out(`Practice "${practice.name}" ${required ? 'now requires' : 'no longer requires'} a second factor at sign-in.`);
  return 0;
}
