/**
 * The second-factor step of sign-in (`POST /oauth2/authorize/mfa`). A user with a TOTP seed
 * must give a current code or a recovery code; in a practice that requires MFA, a user without
 * one enrols first (the seed is shown, confirmed with a code, and recovery codes are shown once).
 * Wrong codes count as failed sign-ins, so the account lockout also stops code guessing. Seeds
 * are stored sealed (AES-256-GCM, `domain/users/secret-box.ts`); an enrolment not yet confirmed
 * is stored sealed as `pending:<seed>` and is not a working factor.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SecretBox } from '../../domain/users/secret-box.ts';
import { LOCKOUT_MS, MAX_FAILED_SIGN_INS } from '../../domain/users/sign-in.ts';
import { hashRecoveryCode, looksLikeRecoveryCode, newRecoveryCodes, newTotpSecret, totpStep, totpUri } from '../../domain/users/totp.ts';
import type { UserRecord } from '../../store/user-accounts.ts';
import { audit, formOf, loadRequest, showConsent, type AuthorizationDeps, type LoadedRequest } from './authorization-endpoint.ts';
import type { MfaStep } from './mfa-step.ts';
import { newOpaqueToken } from './opaque-token.ts';
import { errorPage, mfaPage, recoveryCodesPage, sendPage, type FormContext } from './sign-in-pages.ts';

const PENDING = 'pending:';
const NOT_CONFIGURED = 'This practice requires a second factor, but the server has no secret key configured (HERON_SECRET_KEY). Contact your practice administrator.';
const WRONG_CODE = 'That code is not valid. Codes change every 30 seconds and each works once.';

export function createMfaStep(deps: AuthorizationDeps, box: SecretBox | undefined): MfaStep {
  return {
    async required(user) {
      return user.mfaSecret !== undefined || (await deps.store.admin.users.practiceRequiresMfa(user.tenant));
    },
    async show(reply, form, user) {
      if (!box) return sendPage(reply, 503, errorPage('Second factor unavailable', NOT_CONFIGURED));
      const seed = await seedOf(deps, box, user, true);
      return sendPage(reply, 200, mfaPage({ ...form, ...(seed.pending ? { enrolment: { secret: seed.secret, uri: totpUri(seed.secret, form.practiceName, user.email) } } : {}) }));
    },
  };
}

/**
 * Starts enrolment outside sign-in (a patient who chose it when accepting their invitation): a
 * pending seed, so their next sign-in shows the enrolment page, confirms a code and gives
 * recovery codes — the same steps as a practice that requires a second factor.
 */
export async function beginMfaEnrolment(store: AuthorizationDeps['store'], box: SecretBox, user: UserRecord): Promise<void> {
  if (user.mfaSecret !== undefined) return;
  await store.admin.users.setMfaSecret(user.id, box.seal(PENDING + newTotpSecret(), user.id));
}

/** The user's seed; with `create`, a new pending one when there is none. */
async function seedOf(deps: AuthorizationDeps, box: SecretBox, user: UserRecord, create: boolean): Promise<{ secret: string; pending: boolean }> {
  if (user.mfaSecret === undefined) {
    if (!create) throw new Error('no second factor to check');
    const secret = newTotpSecret();
    await deps.store.admin.users.setMfaSecret(user.id, box.seal(PENDING + secret, user.id));
    return { secret, pending: true };
  }
  const opened = box.open(user.mfaSecret, user.id);
  return opened.startsWith(PENDING) ? { secret: opened.slice(PENDING.length), pending: true } : { secret: opened, pending: false };
}

export function mfaStepHandler(deps: AuthorizationDeps, box: SecretBox | undefined) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const form = formOf(request.body);
    const afterCodes = await loadRequest(deps, request, form, 'mfa-codes');
    if (typeof afterCodes !== 'string') {
      const user = await liveUser(deps, afterCodes);
      if (!user) return sendPage(reply, 400, errorPage('Sign-in failed', 'The account cannot sign in.'));
      return showConsent(deps, request, reply, afterCodes, user, 'mfa-codes');
    }
    const loaded = await loadRequest(deps, request, form, 'mfa');
    if (typeof loaded === 'string') return sendPage(reply, 400, errorPage('Sign-in expired', loaded));
    if (!box) return sendPage(reply, 503, errorPage('Second factor unavailable', NOT_CONFIGURED));
    const user = await liveUser(deps, loaded);
    const now = deps.now?.() ?? Date.now();
    if (!user || (user.lockedUntil !== undefined && user.lockedUntil > now)) {
      await audit(deps, request, loaded, 'sign-in', 'failure', user);
      return sendPage(reply, 401, errorPage('Sign-in failed', 'Too many failed attempts. Wait 15 minutes, then return to the app and start again.'));
    }
    const code = (form.get('code') ?? '').trim();
    const seed = await seedOf(deps, box, user, true);
    const fail = async (): Promise<void> => {
      await deps.store.admin.users.recordFailedSignIn(user.id, now, MAX_FAILED_SIGN_INS, LOCKOUT_MS);
      await audit(deps, request, loaded, 'sign-in', 'failure', user);
      const enrolment = seed.pending ? { enrolment: { secret: seed.secret, uri: totpUri(seed.secret, loaded.practiceName, user.email) } } : {};
      return sendPage(reply, 401, mfaPage({ ...loaded.form, ...enrolment, error: WRONG_CODE }));
    };

    if (!seed.pending && looksLikeRecoveryCode(code)) {
      if (!(await deps.store.admin.users.useRecoveryCode(user.id, hashRecoveryCode(code), now))) return fail();
    } else {
      const step = totpStep(seed.secret, code, now);
      if (step === undefined) return fail();
      if (seed.pending) await deps.store.admin.users.setMfaSecret(user.id, box.seal(seed.secret, user.id));
      if (!(await deps.store.admin.users.useMfaStep(user.id, step))) return fail();
    }
    await deps.store.admin.users.recordSignIn(user.id, now);
    await audit(deps, request, loaded, 'sign-in', 'success', user);
    if (seed.pending) {
      const { codes, hashes } = newRecoveryCodes();
      await deps.store.admin.users.replaceRecoveryCodes(user.id, hashes);
      const csrf = newOpaqueToken();
      if (!(await deps.store.admin.grants.advanceRequest(loaded.row.id, 'mfa', { stage: 'mfa-codes', csrf }))) {
        return sendPage(reply, 400, errorPage('Sign-in expired', 'This sign-in was already used.'));
      }
      return sendPage(reply, 200, recoveryCodesPage({ ...(loaded.form as FormContext), csrf, codes }));
    }
    return showConsent(deps, request, reply, loaded, user, 'mfa');
  };
}

async function liveUser(deps: AuthorizationDeps, loaded: LoadedRequest): Promise<UserRecord | undefined> {
  const user = loaded.row.userId === undefined ? undefined : await deps.store.admin.users.get(loaded.row.userId);
  return user && user.status === 'active' && user.tenant === loaded.row.tenant ? user : undefined;
}
