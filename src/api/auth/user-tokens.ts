/**
 * Tokens for a user signed in through an app: the `authorization_code` grant (RFC 6749 §4.1 with
 * PKCE, RFC 7636) and the `refresh_token` grant with rotation. Every token descends from one
 * grant — the consent the user gave — so using a code twice, or an already-rotated refresh
 * token, revokes the grant and with it every token issued from it (OAuth 2.1 §4.3.1, §6.1):
 * whoever replays a stolen one also ends the thief's copy.
 */
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Role } from '../../domain/access/principal.ts';
import { splitScopes } from '../../domain/clients/system-scopes.ts';
import type { GrantRecord } from '../../store/oauth-grants.ts';
import type { FhirStore, OAuthClient } from '../../store/store.ts';
import type { UserRecord } from '../../store/user-accounts.ts';
import { fhirBaseFor, signAccessToken, signIdToken } from './access-token.ts';
import type { SigningKeys } from './keys.ts';
import { hashOpaque, newOpaqueToken, sameSecret } from './opaque-token.ts';
import { OAuthError, single } from './oauth-request.ts';
import type { Clock } from '../../domain/clock.ts';
import type { PracticeSettingsSource } from '../../domain/practice-settings/settings-cache.ts';

/** A refresh token works for 90 days after it was issued; each use gives a new one (ONC (g)(10)(v)(A)). */
export const REFRESH_TOKEN_TTL_MS = 90 * 24 * 3600_000;
/** However often it is refreshed, a grant ends after a year; then the user signs in again. */
export const GRANT_MAX_AGE_MS = 365 * 24 * 3600_000;

/**
 * `online_access` sessions (an app in use, e.g. the EHR's own screens): the refresh token lapses
 * after this much inactivity, and the session ends at `maxMs` however active.
 * ASVS 7.3: 15 minutes idle and 12 hours absolute by default (HERON_SESSION_IDLE_MINUTES,
 * HERON_SESSION_MAX_HOURS); a practice may choose its own idle time-out in its settings.
 */
export interface SessionLimits {
  idleMs: number;
  maxMs: number;
}
export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 15 * 60_000, maxMs: 12 * 3600_000 };

const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

export interface UserTokenDeps {
  store: FhirStore;
  keys: () => Promise<SigningKeys>;
  serverRoot: (request: FastifyRequest) => string;
  ttlSeconds: number;
  session?: SessionLimits;
  /** The practice's settings: its idle time-out, when chosen, replaces `session.idleMs`. */
  practiceSettings?: PracticeSettingsSource;
  now?: Clock;
}

const invalidGrant = (description: string) => new OAuthError(400, 'invalid_grant', description);

export async function exchangeCode(deps: UserTokenDeps, request: FastifyRequest, params: Map<string, string>, client: OAuthClient): Promise<object> {
  const now = deps.now?.() ?? Date.now();
  const code = single(params, 'code');
  const redirectUri = single(params, 'redirect_uri');
  const verifier = single(params, 'code_verifier');
  if (!code) throw new OAuthError(400, 'invalid_request', 'code is required');
  if (!redirectUri) throw new OAuthError(400, 'invalid_request', 'redirect_uri is required');
  if (!verifier) throw new OAuthError(400, 'invalid_request', 'code_verifier is required (PKCE)');
  if (client.redirectUris === undefined) throw new OAuthError(400, 'unauthorized_client', 'This client is not registered as an app');

  // Another client's code is "invalid" and stays unspent, so a client that learns it cannot
  // make the real app's exchange look like a replay and revoke its grant.
  const used = await deps.store.admin.grants.useCode(hashOpaque(code), client.clientId, now);
  if (!used) throw invalidGrant('The authorization code is invalid');
  const { code: stored, firstUse } = used;
  if (!firstUse) {
    await deps.store.admin.grants.revokeGrant(stored.grantId, now);
    throw invalidGrant('The authorization code was already used; every token issued from it is revoked');
  }
  if (stored.expiresAt <= now) throw invalidGrant('The authorization code has expired');
  if (stored.redirectUri !== redirectUri) throw invalidGrant('redirect_uri does not match the authorization request');
  if (!CODE_VERIFIER.test(verifier) || !sameSecret(createHash('sha256').update(verifier).digest('base64url'), stored.codeChallenge)) {
    throw invalidGrant('code_verifier does not match the code_challenge');
  }
  const { grant, user } = await liveGrant(deps.store, stored.grantId, now);
  return issueUserTokens(deps, request, { client, grant, user, scope: grant.scope, nonce: stored.nonce, now });
}

export async function refreshTokens(deps: UserTokenDeps, request: FastifyRequest, params: Map<string, string>, client: OAuthClient): Promise<object> {
  const now = deps.now?.() ?? Date.now();
  const presented = single(params, 'refresh_token');
  if (!presented) throw new OAuthError(400, 'invalid_request', 'refresh_token is required');
  const used = await deps.store.admin.grants.useRefreshToken(hashOpaque(presented), client.clientId, now);
  if (!used) throw invalidGrant('The refresh token is invalid');
  const grantRow = await deps.store.admin.grants.getGrant(used.token.grantId);
  if (!grantRow) throw invalidGrant('The refresh token is invalid');
  if (!used.firstUse) {
    await deps.store.admin.grants.revokeGrant(grantRow.id, now);
    throw invalidGrant('The refresh token was already used; the grant is revoked and the user must sign in again');
  }
  if (used.token.expiresAt <= now) throw invalidGrant('The refresh token has expired');
  const { grant, user } = await liveGrant(deps.store, grantRow.id, now);

  let scope = grant.scope;
  const requested = single(params, 'scope');
  if (requested !== undefined) {
    const allowed = new Set(splitScopes(grant.scope));
    const words = splitScopes(requested);
    const extra = words.find((w) => !allowed.has(w));
    if (extra !== undefined) throw new OAuthError(400, 'invalid_scope', `Scope "${extra}" was not granted`);
    if (words.length > 0) scope = words.join(' ');
  }
  return issueUserTokens(deps, request, { client, grant, user, scope, now });
}

/** The grant and its user, if both may still be used. */
async function liveGrant(store: FhirStore, grantId: string, now: number): Promise<{ grant: GrantRecord; user: UserRecord }> {
  const grant = await store.admin.grants.getGrant(grantId);
  if (!grant || grant.revokedAt !== undefined) throw invalidGrant('The grant has been revoked');
  if (grant.expiresAt <= now) throw invalidGrant('The grant has expired; sign in again');
  const user = await store.admin.users.get(grant.userId);
  if (!user || user.status !== 'active' || grant.createdAt < user.tokensValidAfter) throw invalidGrant('The user is signed out or disabled');
  return { grant, user };
}

async function issueUserTokens(
  deps: UserTokenDeps,
  request: FastifyRequest,
  o: { client: OAuthClient; grant: GrantRecord; user: UserRecord; scope: string; nonce?: string; now: number },
): Promise<object> {
  const { client, grant, user, scope, now } = o;
  const words = new Set(splitScopes(scope));
  const issuer = deps.serverRoot(request);
  const keys = await deps.keys();
  const role = user.role as Role;
  const patientFacing = role === 'patient' || role === 'proxy';
  const { token, expiresIn } = await signAccessToken(keys, {
    issuer,
    clientId: client.clientId,
    tenant: grant.tenant,
    scope,
    ttlSeconds: deps.ttlSeconds,
    issuedAt: now,
    user: {
      id: user.id,
      role,
      grantId: grant.id,
      ...(user.fhirUser !== undefined ? { fhirUser: user.fhirUser } : {}),
      ...(grant.patient !== undefined ? { patient: grant.patient } : {}),
      // A patient-facing token is bound to the one record chosen at consent; so is a staff
      // member's token with patient/ scopes (EHR launch or picked patient), and then its user/
      // scopes too: the app was opened for that one record.
      ...(grant.patient !== undefined && (patientFacing || hasPatientScope(scope)) ? { patients: [grant.patient] } : {}),
      ...(role === 'proxy' && grant.patient !== undefined && user.limitedPatients?.includes(grant.patient) ? { limited: true } : {}),
    },
  });
  const response: Record<string, unknown> = { access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope };
  if (grant.patient !== undefined) response.patient = grant.patient;
  if (grant.encounter !== undefined) response.encounter = grant.encounter;
  if (words.has('openid')) {
    response.id_token = await signIdToken(keys, {
      issuer,
      clientId: client.clientId,
      userId: user.id,
      ...(words.has('fhirUser') && user.fhirUser !== undefined ? { fhirUser: `${fhirBaseFor(issuer)}/${user.fhirUser}` } : {}),
      ...(o.nonce !== undefined ? { nonce: o.nonce } : {}),
      ttlSeconds: deps.ttlSeconds,
      issuedAt: now,
    });
  }
  const granted = new Set(splitScopes(grant.scope));
  const session = await sessionLimits(deps, grant.tenant);
  const refreshExpiry = granted.has('offline_access')
    ? Math.min(now + REFRESH_TOKEN_TTL_MS, grant.expiresAt)
    : granted.has('online_access')
      ? Math.min(now + session.idleMs, grant.createdAt + session.maxMs, grant.expiresAt)
      : undefined;
  if (refreshExpiry !== undefined && refreshExpiry > now) {
    const refresh = newOpaqueToken();
    await deps.store.admin.grants.createRefreshToken({ tokenHash: hashOpaque(refresh), tenant: grant.tenant, grantId: grant.id, createdAt: now, expiresAt: refreshExpiry });
    response.refresh_token = refresh;
    // Not in RFC 6749, but common (e.g. Microsoft's identity platform): lets an app warn before an idle session ends.
    response.refresh_token_expires_in = Math.floor((refreshExpiry - now) / 1000);
  }
  return response;
}

/** The server's limits, with the practice's own idle time-out when it chose one (within LIMITS.idleMinutes: the write rule's range). */
async function sessionLimits(deps: UserTokenDeps, tenant: string): Promise<SessionLimits> {
  const server = deps.session ?? DEFAULT_SESSION_LIMITS;
  const idleMinutes = deps.practiceSettings ? (await deps.practiceSettings(tenant)).idleMinutes : undefined;
  return idleMinutes === undefined ? server : { ...server, idleMs: idleMinutes * 60_000 };
}

function hasPatientScope(scope: string): boolean {
  return splitScopes(scope).some((s) => s.startsWith('patient/'));
}
