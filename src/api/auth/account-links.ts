/**
 * The pages and endpoint behind one-time account links (`domain/users/account-links.ts`):
 * - `GET /auth/set-password?token=…` shows the form, `POST /auth/set-password` sets the password
 *   (invitation accepted, or password reset) — each audited;
 * - a patient's invitation first asks for their date of birth (`POST /auth/set-password/birth-date`),
 *   compared with their Patient's `birthDate`; after `MAX_BIRTH_DATE_TRIES` wrong answers the link
 *   is spent. The password form carries the confirmed date and it is checked again there, so the
 *   step cannot be skipped. It may also start the optional second factor (`beginMfaEnrolment`);
 * - `POST /auth/password-reset` (`email`, `practice`: id or name) always answers the same 202,
 *   whether or not the account exists, and sends the link in the background so that the time
 *   taken does not tell either (ASVS 6.3.8). Requests are limited per address;
 * - `POST /auth/sign-out-everywhere` ends every token and grant of the calling user.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal, Role } from '../../domain/access/principal.ts';
import type { AuditSink } from '../../domain/audit/audit-sink.ts';
import { accountForReset, accountOfLink, createAccountLink, hashOfLink, INVITE_TTL_MS, setPasswordWithLink } from '../../domain/users/account-links.ts';
import type { AccountLinkSender } from '../../domain/users/link-sender.ts';
import type { FhirStore } from '../../store/store.ts';
import type { UserRecord } from '../../store/user-accounts.ts';
import { formOf } from './authorization-endpoint.ts';
import { bearerUser } from './ehr-launch.ts';
import type { FailureLimiter } from './failure-limiter.ts';
import type { SigningKeys } from './keys.ts';
import { formParams, OAuthError, sendOAuth, single } from './oauth-request.ts';
import { birthDatePage, errorPage, passwordSetPage, sendPage, setPasswordPage } from './sign-in-pages.ts';
import type { Clock } from '../../domain/clock.ts';
import type { Patient } from '@medplum/fhirtypes';
import { createHash } from 'node:crypto';
import type { SecretBox } from '../../domain/users/secret-box.ts';
import type { RateLimits } from '../../store/rate-limits.ts';
import { beginMfaEnrolment } from './mfa.ts';

export const SET_PASSWORD_PATH = '/auth/set-password';

export interface AccountLinkDeps {
  store: FhirStore;
  audit: AuditSink;
  sender: AccountLinkSender;
  serverRoot: (request: FastifyRequest) => string;
  /** Counts every reset request per address. */
  resetLimiter: FailureLimiter;
  onBackgroundError: (error: unknown) => void;
  /** Where wrong dates of birth are counted, per link (shared by every app server). */
  rateLimits: RateLimits;
  /** Without it no second factor can be enrolled, so none is offered. */
  secretBox?: SecretBox;
  /** Whether the web app is served here (the last page then leads to it). */
  webApp?: boolean;
  now?: Clock;
}

/** Wrong dates of birth allowed per invitation; the next wrong one spends the link. */
export const MAX_BIRTH_DATE_TRIES = 5;

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
    if (await asksBirthDate(deps, found)) {
      // Nothing to compare with: every answer would count as wrong and spend the link.
      if ((await recordedBirthDate(deps, found.user)) === undefined) return sendPage(reply, 400, errorPage('Invitation cannot be accepted yet', NO_BIRTH_DATE));
      return sendPage(reply, 200, birthDatePage({ token: token as string, practiceName: await practiceName(deps, found.user) }));
    }
    return sendPage(reply, 200, setPasswordPage({ token: token as string, email: found.user.email, purpose: found.purpose }));
  };
}

/** `POST /auth/set-password/birth-date`: the date of birth of a patient's invitation; right, it leads to the password. */
export function birthDateSubmit(deps: AccountLinkDeps) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const form = formOf(request.body);
    const token = form.get('token') ?? '';
    const found = await accountOfLink(deps.store, token, now(deps));
    if (!found || !(await asksBirthDate(deps, found))) return sendPage(reply, 400, errorPage('Link not valid', INVALID_LINK));
    const typed = { day: (form.get('day') ?? '').trim(), month: (form.get('month') ?? '').trim(), year: (form.get('year') ?? '').trim() };
    const practice = await practiceName(deps, found.user);
    const date = dateOf(typed);
    if (date === undefined) {
      return sendPage(reply, 400, birthDatePage({ token, practiceName: practice, ...typed, error: 'Enter your date of birth as numbers: day, month and a four-digit year, for example 27 3 1985.' }));
    }
    const check = await checkBirthDate(deps, request, found, token, date);
    if (check === 'spent') return sendPage(reply, 400, errorPage('Link no longer works', SPENT));
    if (check !== 'ok') return sendPage(reply, 400, birthDatePage({ token, practiceName: practice, ...typed, error: wrongBirthDate(check) }));
    return sendPage(reply, 200, setPasswordPage({ token, email: found.user.email, purpose: found.purpose, birthDate: date, offerMfa: deps.secretBox !== undefined }));
  };
}

export function setPasswordSubmit(deps: AccountLinkDeps) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const form = formOf(request.body);
    const token = form.get('token') ?? '';
    const password = form.get('password') ?? '';
    const found = await accountOfLink(deps.store, token, now(deps));
    if (!found) return sendPage(reply, 400, errorPage('Link not valid', INVALID_LINK));
    const patientInvite = await asksBirthDate(deps, found);
    const birthDate = patientInvite ? (form.get('birthDate') ?? '') : undefined;
    if (birthDate !== undefined) {
      // The date confirmed on the step before, checked again: a form posted here directly is a try like any other.
      const check = await checkBirthDate(deps, request, found, token, birthDate);
      if (check === 'spent') return sendPage(reply, 400, errorPage('Link no longer works', SPENT));
      if (check !== 'ok') return sendPage(reply, 400, birthDatePage({ token, practiceName: await practiceName(deps, found.user), error: wrongBirthDate(check) }));
    }
    const page = (error: string) => setPasswordPage({ token, email: found.user.email, purpose: found.purpose, error, ...(birthDate ? { birthDate, offerMfa: deps.secretBox !== undefined } : {}) });
    if (password !== (form.get('confirm') ?? '')) return sendPage(reply, 400, page('The two passwords differ.'));
    const result = await setPasswordWithLink(deps.store, token, password, now(deps));
    if (!result.ok) {
      if (result.reason === 'password') return sendPage(reply, 400, page(result.message));
      return sendPage(reply, 400, errorPage('Link not valid', INVALID_LINK));
    }
    await record(deps, request, result.user, result.purpose === 'invite' ? 'invitation-accepted' : 'password-reset');
    const mfa = patientInvite && form.get('mfa') === 'yes' && deps.secretBox !== undefined;
    if (mfa) {
      await beginMfaEnrolment(deps.store, deps.secretBox!, result.user);
      await record(deps, request, result.user, 'mfa-enrolment-started');
    }
    return sendPage(reply, 200, passwordSetPage({ mfa, portal: patientInvite && deps.webApp === true }));
  };
}

const NO_BIRTH_DATE = 'Your practice has no date of birth on record for you, which accepting this invitation asks for. Contact your practice; this link keeps working until it expires.';

/** The date of birth on the invited patient's record, if any. */
async function recordedBirthDate(deps: AccountLinkDeps, user: UserRecord): Promise<string | undefined> {
  const id = user.fhirUser!.slice('Patient/'.length);
  const stored = await deps.store.reader(user.tenant).readCurrent('Patient', id);
  return stored === undefined || stored.deleted ? undefined : (stored.resource as Patient | undefined)?.birthDate;
}

const SPENT = 'The date of birth did not match too many times, so this invitation no longer works. Ask your practice for a new one.';

function wrongBirthDate(triesLeft: number): string {
  const left = triesLeft === 1 ? 'You have 1 try left before this link stops working.' : `You have ${triesLeft} tries left before this link stops working.`;
  return `That date of birth does not match the one your practice has. Check it and try again. ${left}`;
}

/** Whether accepting this link asks for a date of birth: an invitation to a patient's own account. */
async function asksBirthDate(deps: AccountLinkDeps, found: { user: UserRecord; purpose: string }): Promise<boolean> {
  return found.purpose === 'invite' && found.user.role === 'patient' && found.user.fhirUser?.startsWith('Patient/') === true;
}

/** `YYYY-MM-DD` from day, month and year as typed, or undefined when they are not a date. */
function dateOf(typed: { day: string; month: string; year: string }): string | undefined {
  if (!/^\d{1,2}$/.test(typed.day) || !/^\d{1,2}$/.test(typed.month) || !/^\d{4}$/.test(typed.year)) return undefined;
  const iso = `${typed.year}-${typed.month.padStart(2, '0')}-${typed.day.padStart(2, '0')}`;
  const parsed = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(iso) ? iso : undefined;
}

/**
 * Compares `date` with the patient's `birthDate`. A wrong one is counted against the link and
 * audited; the last one spends the link. Returns 'ok', 'spent', or the tries left.
 */
async function checkBirthDate(deps: AccountLinkDeps, request: FastifyRequest, found: { user: UserRecord }, token: string, date: string): Promise<'ok' | 'spent' | number> {
  const at = now(deps);
  const key = createHash('sha256').update('invite-birth-date\0').update(token).digest('base64url');
  const failures = await failuresOf(deps.rateLimits, key, at);
  if (failures >= MAX_BIRTH_DATE_TRIES) {
    await deps.store.admin.users.useAccountToken(hashOfLink(token), 'invite', at);
    return 'spent';
  }
  const recorded = await recordedBirthDate(deps, found.user);
  if (recorded !== undefined && recorded === date) return 'ok';
  await deps.rateLimits.add(new Map([[key, 1]]), INVITE_TTL_MS, at);
  const used = failures + 1;
  await record(deps, request, found.user, 'invitation-birth-date', 'failure', `wrong date of birth (${used} of ${MAX_BIRTH_DATE_TRIES})`);
  if (used >= MAX_BIRTH_DATE_TRIES) {
    await deps.store.admin.users.useAccountToken(hashOfLink(token), 'invite', at);
    await record(deps, request, found.user, 'invitation-spent', 'failure', 'too many wrong dates of birth');
    return 'spent';
  }
  return MAX_BIRTH_DATE_TRIES - used;
}

/** How many wrong dates of birth the link has had: the counters answer "at least n", asked from the most. */
async function failuresOf(limits: RateLimits, key: string, at: number): Promise<number> {
  for (let n = MAX_BIRTH_DATE_TRIES; n >= 1; n--) if ((await limits.overBudget([key], n, at)).size > 0) return n;
  return 0;
}

async function practiceName(deps: AccountLinkDeps, user: UserRecord): Promise<string> {
  return (await deps.store.admin.getPractice(user.tenant))?.name ?? 'Your practice';
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

async function record(deps: AccountLinkDeps, request: FastifyRequest, user: UserRecord, action: string, outcome: 'success' | 'failure' = 'success', reason?: string): Promise<void> {
  await deps.audit.record({
    tenant: user.tenant,
    principal: userPrincipal(user),
    action,
    outcome,
    ...(reason === undefined ? {} : { reason }),
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
