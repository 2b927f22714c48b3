/**
 * What the authorization code flow keeps between requests: the pending authorization request
 * (between the sign-in form and the consent page), the grant a user gave an app (the family of
 * every token issued from one consent), single-use codes and rotating refresh tokens. Codes and
 * refresh tokens are stored as SHA-256 hashes only: a copy of the database does not hold a usable
 * one.
 */

export interface AuthorizationRequestRecord {
  id: string;
  tenant: string;
  clientId: string;
  /** The validated request (JSON): redirect URI, scope, state, PKCE challenge, nonce, launch. */
  params: string;
  /** 'sign-in' → 'mfa' → 'consent'. */
  stage: string;
  userId?: string;
  /** SHA-256 of the secret held in the browser's cookie: the request belongs to that browser. */
  browserHash: string;
  /** The anti-CSRF token the next form must carry. */
  csrf: string;
  expiresAt: number;
}

export interface GrantRecord {
  id: string;
  tenant: string;
  clientId: string;
  userId: string;
  scope: string;
  patient?: string;
  /** The encounter context of an EHR launch. */
  encounter?: string;
  createdAt: number;
  /** Absolute end of the grant: no refresh token outlives it. */
  expiresAt: number;
  revokedAt?: number;
}

export interface CodeRecord {
  codeHash: string;
  tenant: string;
  grantId: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  nonce?: string;
  expiresAt: number;
}

export interface RefreshTokenRecord {
  tokenHash: string;
  tenant: string;
  grantId: string;
  createdAt: number;
  expiresAt: number;
}

/** An EHR launch: a signed-in staff member opened an app for a patient (SMART EHR launch). */
export interface LaunchRecord {
  launchHash: string;
  tenant: string;
  clientId: string;
  userId: string;
  patient: string;
  encounter?: string;
  expiresAt: number;
}

export interface OAuthGrants {
  /** Stores a request, deleting requests that have expired. */
  putRequest(request: AuthorizationRequestRecord, now: number): Promise<void>;
  getRequest(id: string): Promise<AuthorizationRequestRecord | undefined>;
  /** Moves a request on from `fromStage`; false when another request already did (double submit). */
  advanceRequest(id: string, fromStage: string, changes: { stage: string; csrf: string; userId?: string; params?: string }): Promise<boolean>;
  /** Deletes a request; false when it was already gone (consumed by a concurrent submit). */
  deleteRequest(id: string): Promise<boolean>;

  createGrant(grant: GrantRecord): Promise<void>;
  getGrant(id: string): Promise<GrantRecord | undefined>;
  revokeGrant(id: string, at: number): Promise<void>;
  /** Revokes every live grant of a user (sign-out everywhere); returns how many. */
  revokeUserGrants(tenant: string, userId: string, at: number): Promise<number>;
  /**
   * The user's live grants (not revoked, not expired at `now`), newest first, each with when it
   * was last used: its newest refresh token, else when it was granted.
   */
  listUserGrants(tenant: string, userId: string, now: number): Promise<Array<GrantRecord & { lastUsedAt: number }>>;
  /** Revokes one live grant of this user; false when there is none with that id. */
  revokeUserGrant(tenant: string, userId: string, grantId: string, at: number): Promise<boolean>;

  createCode(code: CodeRecord): Promise<void>;
  /**
   * Marks the code used and returns it with whether this was its first use. A code issued to
   * another client is neither used nor returned, so presenting it cannot spend it.
   */
  useCode(codeHash: string, clientId: string, at: number): Promise<{ code: CodeRecord; firstUse: boolean } | undefined>;

  createRefreshToken(token: RefreshTokenRecord): Promise<void>;
  /**
   * Marks the refresh token used and returns it with whether this was its first use. A token of
   * another client's grant is neither used nor returned, so presenting it cannot spend it.
   */
  useRefreshToken(tokenHash: string, clientId: string, at: number): Promise<{ token: RefreshTokenRecord; firstUse: boolean } | undefined>;
  getRefreshToken(tokenHash: string): Promise<(RefreshTokenRecord & { usedAt?: number }) | undefined>;

  /**
   * Records a client assertion's `jti` (already scoped to its client by the caller) until
   * `expiresAt`, deleting expired ones; false when it is recorded already (a replay).
   */
  useAssertionJti(jtiKey: string, expiresAt: number, now: number): Promise<boolean>;

  /** Stores a launch, deleting expired ones. */
  createLaunch(launch: LaunchRecord, now: number): Promise<void>;
  getLaunch(launchHash: string): Promise<(LaunchRecord & { usedAt?: number }) | undefined>;
  /** Marks the launch used; false when it was already used (single use). */
  useLaunch(launchHash: string, at: number): Promise<boolean>;
}
