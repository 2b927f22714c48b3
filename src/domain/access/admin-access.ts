/**
 * Who may use the practice-admin API (`/admin/v1`: user accounts, apps, the sign-in policy): a
 * person, never a backend service, so that every change to who may do what is attributable to
 * someone. Three things must all hold, each checked against the verified token and again against
 * the stored account (a token can be up to a minute old on a server that cached it):
 * - the token is a user's, with the `heron/admin` scope (the app was registered for it and the
 *   user allowed it on the consent page);
 * - the user's role is `practice-admin`;
 * - the account is active and in the token's practice.
 * The practice an administrator acts on is the token's, never one named in a request.
 */
import { ADMIN_SCOPE } from '../clients/app-scopes.ts';
import type { UserRecord } from '../../store/user-accounts.ts';
import type { Principal } from './principal.ts';

export type AdminPrincipal = Extract<Principal, { kind: 'user' }>;

/** Why the principal may not use the admin API (for the 403), or undefined when it may. */
export function adminRefusal(principal: Principal, account: UserRecord | undefined): string | undefined {
  if (principal.kind !== 'user') return 'The admin API acts for a signed-in practice administrator; client (backend service) tokens cannot use it';
  if (!principal.scopes.includes(ADMIN_SCOPE)) return `The access token lacks the ${ADMIN_SCOPE} scope; sign in through an app registered for it and allow it`;
  if (principal.role !== 'practice-admin' || account?.role !== 'practice-admin') return 'Only a practice administrator may use the admin API';
  if (account.status !== 'active' || account.tenant !== principal.tenant) return 'This account may not use the admin API';
  return undefined;
}
