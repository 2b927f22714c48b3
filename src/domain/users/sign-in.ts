/**
 * Checking a user's email and password, with lockout: the 5th failure in a row locks the account
 * for 15 minutes (ASVS 6.3.1). The answer never says which part was wrong, and every attempt
 * costs one argon2id verification — also for unknown emails and locked accounts — so neither the
 * message nor the time tells whether an account exists (ASVS 6.3.8).
 */
import { verify } from '@node-rs/argon2';
import type { UserRecord } from '../../store/user-accounts.ts';
import type { FhirStore } from '../../store/store.ts';
import { normaliseEmail } from './create-user.ts';

export const MAX_FAILED_SIGN_INS = 5;
export const LOCKOUT_MS = 15 * 60_000;

/** The hash of a random password that was thrown away, at the cost real passwords are hashed with. */
const DECOY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$O6+lr9Mqv+r7DaxN9bGGbQ$6IjZrPuel3HFX3RuEheOOkYWUjjL2nkeu3iXOaLBVSc';

export type SignInFailure = 'unknown-account' | 'wrong-password' | 'locked' | 'disabled';

export type SignInResult = { ok: true; user: UserRecord } | { ok: false; failure: SignInFailure; user?: UserRecord };

/** The one message shown for every failure. */
export const SIGN_IN_FAILED = 'Sign-in failed. Check your email and password. After 5 failed attempts, sign-in is blocked for 15 minutes.';

export async function checkPassword(store: FhirStore, tenant: string, email: string, password: string, now = Date.now()): Promise<SignInResult> {
  const user = email ? await store.admin.users.findByEmail(tenant, normaliseEmail(email)) : undefined;
  if (!user) {
    await verify(DECOY_HASH, password);
    return { ok: false, failure: 'unknown-account' };
  }
  if (user.lockedUntil !== undefined && user.lockedUntil > now) {
    await verify(DECOY_HASH, password);
    return { ok: false, failure: 'locked', user };
  }
  const matches = await verify(user.passwordHash, password);
  if (!matches) {
    await store.admin.users.recordFailedSignIn(user.id, now, MAX_FAILED_SIGN_INS, LOCKOUT_MS);
    return { ok: false, failure: 'wrong-password', user };
  }
  if (user.status !== 'active') return { ok: false, failure: 'disabled', user };
  return { ok: true, user };
}

/**
 * Clears the failure count and keeps the time once sign-in is complete — after the second factor
 * when there is one, so that wrong codes keep counting across password successes.
 */
export async function completeSignIn(store: FhirStore, user: UserRecord, now = Date.now()): Promise<void> {
  await store.admin.users.recordSignIn(user.id, now);
}
