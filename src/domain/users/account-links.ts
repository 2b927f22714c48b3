/**
 * One-time account links: an invitation (the administrator creates the account, the person sets
 * their password; 7 days) and a password reset (1 hour). The link's secret is 256 random bits,
 * stored only as its SHA-256, and works once. Setting a password through either ends every token
 * the user held (a reset means the old password may be known to someone else). A reset does not
 * touch the second factor: sign-in still asks for it (ASVS 6.4.3).
 */
import { createHash, randomBytes } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import type { FhirStore } from '../../store/store.ts';
import type { AccountTokenPurpose, UserRecord } from '../../store/user-accounts.ts';
import { createUser, normaliseEmail, type NewUser } from './create-user.ts';
import { passwordProblem } from './password-policy.ts';

export const INVITE_TTL_MS = 7 * 24 * 3600_000;
export const RESET_TTL_MS = 3600_000;

const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('base64url');
/** How a link's secret is stored and looked up. */
export const hashOfLink = hashToken;

/** Creates a link for `user`; returns its secret (to put in the URL) and expiry. */
export async function createAccountLink(store: FhirStore, user: UserRecord, purpose: AccountTokenPurpose, now = Date.now()): Promise<{ token: string; expiresAt: number }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = now + (purpose === 'invite' ? INVITE_TTL_MS : RESET_TTL_MS);
  await store.admin.users.createAccountToken({ tokenHash: hashToken(token), tenant: user.tenant, userId: user.id, purpose, createdAt: now, expiresAt });
  return { token, expiresAt };
}

/**
 * Creates an invited account (no usable password: a random one nobody sees) and its link.
 * @throws FhirError as `createUser`.
 */
export async function inviteUser(store: FhirStore, u: Omit<NewUser, 'password' | 'status'>, now = Date.now()): Promise<{ id: string; token: string; expiresAt: number }> {
  const { id } = await createUser(store, { ...u, password: randomBytes(32).toString('base64url'), status: 'invited' });
  const user = await store.admin.users.get(id);
  const link = await createAccountLink(store, user!, 'invite', now);
  return { id, ...link };
}

/** The account a link would set the password of, while it can still be used. */
export async function accountOfLink(store: FhirStore, token: string, now = Date.now()): Promise<{ user: UserRecord; purpose: AccountTokenPurpose } | undefined> {
  if (!token || token.length > 100) return undefined;
  const record = await store.admin.users.peekAccountToken(hashToken(token), now);
  const user = record && (await store.admin.users.get(record.userId));
  if (!record || !user || user.status === 'disabled') return undefined;
  return { user, purpose: record.purpose };
}

export type SetPasswordResult = { ok: true; user: UserRecord; purpose: AccountTokenPurpose } | { ok: false; reason: 'invalid-link' } | { ok: false; reason: 'password'; message: string };

/**
 * Sets the password through a link: the policy first (so a refused password leaves the link
 * usable), then the link is used up in one statement, then the password is stored.
 */
export async function setPasswordWithLink(store: FhirStore, token: string, password: string, now = Date.now()): Promise<SetPasswordResult> {
  const found = await accountOfLink(store, token, now);
  if (!found) return { ok: false, reason: 'invalid-link' };
  const problem = passwordProblem(password, [found.user.email]);
  if (problem) return { ok: false, reason: 'password', message: problem };
  const used = await store.admin.users.useAccountToken(hashToken(token), found.purpose, now);
  if (!used || used.userId !== found.user.id) return { ok: false, reason: 'invalid-link' };
  await store.admin.users.setPassword(found.user.id, await hash(password), now);
  return { ok: true, user: found.user, purpose: found.purpose };
}

/** The active account with this email in the practice, if any (a reset is sent only to those). */
export async function accountForReset(store: FhirStore, practiceId: string, email: string): Promise<UserRecord | undefined> {
  const user = email ? await store.admin.users.findByEmail(practiceId, normaliseEmail(email)) : undefined;
  return user?.status === 'active' ? user : undefined;
}
