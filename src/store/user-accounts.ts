/**
 * User accounts as stored: people who sign in through apps (staff, patients, proxies). Only an
 * argon2id hash of the password and an encrypted TOTP seed are kept; the rules (password policy,
 * lockout, which role needs what) live in `src/domain/users`.
 */

/** `invited`: created by an invitation, not yet able to sign in (no password of their own). */
export type UserStatus = 'active' | 'disabled' | 'invited';

export type AccountTokenPurpose = 'invite' | 'reset';

/** A one-time link (invitation or password reset), stored only as the SHA-256 of its secret. */
export interface AccountTokenRecord {
  tokenHash: string;
  tenant: string;
  userId: string;
  purpose: AccountTokenPurpose;
  createdAt: number;
  expiresAt: number;
}

export interface UserRecord {
  id: string;
  tenant: string;
  /** Lower-cased; unique within the practice. */
  email: string;
  passwordHash: string;
  role: string;
  /** `Practitioner/…`, `Patient/…` or `RelatedPerson/…`. */
  fhirUser?: string;
  /** Patient ids whose records bound a patient's or proxy's access; undefined for staff. */
  patients?: string[];
  /**
   * Of a proxy's `patients`, those it acts for with limited access (a parent of an adolescent):
   * see `PROXY_LIMITED_ACCESS` in `domain/access/roles.ts`.
   */
  limitedPatients?: string[];
  status: UserStatus;
  failedSignIns: number;
  /** Epoch ms until which sign-in is refused after repeated failures. */
  lockedUntil?: number;
  /** The TOTP seed, encrypted (AES-256-GCM, see `domain/users/secret-box.ts`). */
  mfaSecret?: string;
  /** The last TOTP time step accepted, so a code cannot be used twice. */
  mfaLastStep?: number;
  /** Epoch ms: tokens and grants issued before it no longer work. */
  tokensValidAfter: number;
  createdAt: string;
  /** Epoch ms of the last completed sign-in (after the second factor when there is one). */
  lastSignInAt?: number;
}

/** A page of a practice's users, ordered by email. */
export interface UserListQuery {
  role?: string;
  status?: UserStatus;
  count: number;
  /** Continue after this (lower-cased) email. */
  afterEmail?: string;
}

export interface UserAccounts {
  /** @throws FhirError `conflict` when the email is taken in the practice, `invalid` for an unknown practice. */
  create(user: UserRecord): Promise<void>;
  get(id: string): Promise<UserRecord | undefined>;
  findByEmail(tenant: string, email: string): Promise<UserRecord | undefined>;
  list(tenant: string, query: UserListQuery): Promise<UserRecord[]>;
  /**
   * Counts one failed sign-in in one statement (no lost updates between app servers); the
   * `maxFailures`-th failure locks the account until `at + lockMs` and starts the count again.
   */
  recordFailedSignIn(id: string, at: number, maxFailures: number, lockMs: number): Promise<void>;
  /** A completed sign-in at `at`: clears the failure count and lockout, and keeps `at` as the last sign-in. */
  recordSignIn(id: string, at: number): Promise<void>;
  /** A new role; every token and grant issued before `tokensValidAfter` ends (their access changes at once). */
  setRole(id: string, role: string, tokensValidAfter: number): Promise<void>;
  /** Removes the second factor (key and recovery codes), so the next sign-in enrols again; ends earlier tokens. */
  resetMfa(id: string, tokensValidAfter: number): Promise<void>;
  setStatus(id: string, status: UserStatus, tokensValidAfter: number): Promise<void>;
  /** Ends every token issued before `at` (sign-out everywhere). */
  setTokensValidAfter(id: string, at: number): Promise<void>;
  /**
   * Sets a new password hash, makes the account active (an invited one) unless it is disabled,
   * clears the lockout and ends every earlier token.
   */
  setPassword(id: string, passwordHash: string, tokensValidAfter: number): Promise<void>;
  createAccountToken(token: AccountTokenRecord): Promise<void>;
  /**
   * Uses a one-time link: marks it used when it exists, has `purpose`, is unused and unexpired
   * at `at`; returns it then, undefined otherwise. One statement decides, so two submits of the
   * same link cannot both succeed.
   */
  useAccountToken(tokenHash: string, purpose: AccountTokenPurpose, at: number): Promise<AccountTokenRecord | undefined>;
  /** The link, if it could still be used at `at` (to show the form). */
  peekAccountToken(tokenHash: string, at: number): Promise<AccountTokenRecord | undefined>;
  setMfaSecret(id: string, encryptedSecret: string | undefined): Promise<void>;
  /** Accepts TOTP time step `step` once: false when it (or a later one) was already used. */
  useMfaStep(id: string, step: number): Promise<boolean>;
  /** Replaces the user's recovery codes (hashes). */
  replaceRecoveryCodes(id: string, codeHashes: readonly string[]): Promise<void>;
  /** Marks one recovery code used; false when it does not exist or was used before. */
  useRecoveryCode(id: string, codeHash: string, at: number): Promise<boolean>;
  /** Whether the practice requires a second factor at sign-in. */
  practiceRequiresMfa(practiceId: string): Promise<boolean>;
  setPracticeRequiresMfa(practiceId: string, required: boolean): Promise<void>;
}
