/**
 * The pages and endpoint behind one-time account links (`domain/users/account-links.ts`):
 * - `GET /auth/set-password?token=…` shows the form, `POST /auth/set-password` sets the password
 *   (invitation accepted, or password reset) — each audited;
 * - `POST /auth/password-reset` (`email`, `practice`: id or name) always answers the same 202,
 *   whether or not the account exists, and sends the link in the background so that the time
 *   taken does not tell either (ASVS 6.3.8). Requests are limited per address;
 * - `POST /auth/sign-out-everywhere` ends every token and grant of the calling user.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal, Role } from '../../domain/access/principal.ts';
import type { AuditSink } from '../../domain/audit/audit-sink.ts';
import { accountForReset, accountOfLink, createAccountLink, setPasswordWithLink } from '../../domain/users/account-links.ts';
import type { AccountLinkSender } from '../../domain/users/link-sender.ts';
import type { FhirStore } from '../../store/store.ts';
import type { UserRecord } from '../../store/user-accounts.ts';
import { formOf } from './authorization-endpoint.ts';
import { bearerUser } from './ehr-launch.ts';
import type { FailureLimiter } from './failure-limiter.ts';
import type { SigningKeys } from './keys.ts';
import { formParams, OAuthError, sendOAuth, single } from './oauth-request.ts';
import { errorPage, sendPage, setPasswordPage, simplePage } from './sign-in-pages.ts';
import type { Clock } from '../../domain/clock.ts';

export const SET_PASSWORD_PATH = '/auth/set-password';

export interface AccountLinkDeps {
  store: FhirStore;
  audit: AuditSink;
  sender: AccountLinkSender;
  serverRoot: (request: FastifyRequest) => string;
  /** Counts every reset request per address. */
  resetLimiter: FailureLimiter;
  onBackgroundError: (error: unknown) => void;
  now?: Clock;
}

/** The link a person opens; the secret is in the query, and the page sends no Referer. */
export function accountLinkUrl(serverRoot: string, token: string): string {
  return `${serverRoot}${SET_PASSWORD_PATH}?token=${encodeURIComponent(token)}`;
}

const now = (deps: AccountLinkDeps) => deps.now?.() ?? Date.now();
const INVALID_LINK = 'This link is invalid, expired or was already used. Ask for a new one.';

export function setPasswordForm(deps: AccountLinkDeps) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const token = (request.query as { token?: unknown }).token;
    const found = typeof token === 'string' ? await accountOfLink(deps.store, token, now(deps)) : undefined;
    if (!found) return sendPage(reply, 400, errorPage('Link not valid', INVALID_LINK));
    return sendPage(reply, 200, setPasswordPage({ token: token as string, email: found.user.email, purpose: found.purpose }));
  };
}

export function setPasswordSubmit(deps: AccountLinkDeps) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const form = formOf(request.body);
    const token = form.get('token') ?? '';
    const password = form.get('password') ?? '';
    const found = await accountOfLink(deps.store, token, now(deps));
    if (!found) return sendPage(reply, 400, errorPage('Link not valid', INVALID_LINK));
    if (password !== (form.get('confirm') ?? '')) return sendPage(reply, 400, setPasswordPage({ token, email: found.user.email, purpose: found.purpose, error: 'The two passwords differ.' }));
    const result = await setPasswordWithLink(deps.store, token, password, now(deps));
    if (!result.ok) {
      if (result.reason === 'password') return sendPage(reply, 400, setPasswordPage({ token, email: found.user.email, purpose: found.purpose, error: result.message }));
      return sendPage(reply, 400, errorPage('Link not valid', INVALID_LINK));
    }
    await record(deps, request, result.user, result.purpose === 'invite' ? 'invitation-accepted' : 'password-reset');
    return sendPage(reply, 200, simplePage('Password set', 'Your password is set. Return to the app and sign in with it.'));
  };
}

export function passwordResetHandler(deps: AccountLinkDeps) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const answer = { status: 'accepted', message: 'If an account with this email exists in the practice, a link to set a new password was sent to it.' };
    const limited = [`password-reset-ip:${request.ip}`];
    const retryAfter = await deps.resetLimiter.blockedFor(limited);
    if (retryAfter !== undefined) {
      return sendOAuth(reply, async () => {
        throw new OAuthError(429, 'invalid_request', 'Too many requests; try again later', { 'retry-after': String(retryAfter) });
      });
    }
    await deps.resetLimiter.recordFailure(limited);
    let email: string | undefined;
    let practiceRef: string | undefined;
    try {
      const params = formParams(request.body);
      email = single(params, 'email');
      practiceRef = single(params, 'practice');
    } catch {
      // Malformed requests get the same answer: nothing to learn from them.
    }
    const origin = { ip: request.ip, userAgent: request.headers['user-agent'] };
    const root = deps.serverRoot(request);
    const at = now(deps);
    // Not awaited: the answer must take the same time whether or not an account exists.
    void (async () => {
      if (!email || !practiceRef || email.length > 254 || practiceRef.length > 200) return;
      const practice = (await deps.store.admin.getPractice(practiceRef)) ?? (await deps.store.admin.findPracticeByName(practiceRef));
      const user = practice && (await accountForReset(deps.store, practice.id, email));
      if (!user) return;
      const { token, expiresAt } = await createAccountLink(deps.store, user, 'reset', at);
      await deps.sender.send({ tenant: user.tenant, email: user.email, purpose: 'reset', link: accountLinkUrl(root, token), expiresAt });
      await deps.audit.record({ tenant: user.tenant, principal: userPrincipal(user), action: 'password-reset-requested', outcome: 'success', origin, at: new Date(at).toISOString() });
    })().catch(deps.onBackgroundError);
    await reply.code(202).headers({ 'cache-control': 'no-store', pragma: 'no-cache' }).send(answer);
  };
}

function userPrincipal(user: UserRecord): Principal {
  return { kind: 'user', id: user.id, tenant: user.tenant, scopes: [], role: user.role as Role, ...(user.fhirUser ? { fhirUser: user.fhirUser } : {}) };
}

async function record(deps: AccountLinkDeps, request: FastifyRequest, user: UserRecord, action: string): Promise<void> {
  await deps.audit.record({
    tenant: user.tenant,
    principal: userPrincipal(user),
    action,
    outcome: 'success',
    origin: { ip: request.ip, userAgent: request.headers['user-agent'] },
    at: new Date(now(deps)).toISOString(),
  });
}

/**
 * `POST /auth/sign-out-everywhere` with the user's own access token: every token the user holds,
 * in every app, stops working (tokens_valid_after = now) and every grant is revoked, so no
 * refresh token can bring access back (ASVS 7.4.3).
 */
export function signOutEverywhereHandler(deps: AccountLinkDeps & { keys: () => Promise<SigningKeys> }) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> =>
    sendOAuth(reply, async () => {
      const principal = await bearerUser(deps, request);
      const at = now(deps);
      await deps.store.admin.users.setTokensValidAfter(principal.id, at);
      const revoked = await deps.store.admin.grants.revokeUserGrants(principal.tenant, principal.id, at);
      await deps.audit.record({ tenant: principal.tenant, principal, action: 'sign-out-everywhere', outcome: 'success', origin: { ip: request.ip, userAgent: request.headers['user-agent'] }, at: new Date(at).toISOString() });
      return { revoked_grants: revoked };
    });
}
