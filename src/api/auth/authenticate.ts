/**
 * Turns the `Authorization: Bearer <jwt>` header of a FHIR request into a `Principal`.
 * This runs on every request, so verified tokens are cached (token -> principal) and a cache hit
 * costs a string comparison (or one Map lookup when clients alternate tokens); the cache is bounded and entries are re-checked at least every
 * `recheckMs` so that a removed practice or client, a disabled or signed-out user and a revoked
 * grant lose access within that time even while their tokens are unexpired.
 */
import { FhirError, issue } from '../../fhir/outcome.ts';
import type { Principal } from '../../domain/access/principal.ts';
import type { FhirStore } from '../../store/store.ts';
import { fhirBaseFor, invalidToken, verifyAccessToken, type AccessTokenClaims } from './access-token.ts';
import { signingKeysFor, type SigningKeys } from './keys.ts';
import type { Clock } from '../../domain/clock.ts';

export interface AuthenticatorDeps {
  store: FhirStore;
  /** The configured server root; when set, tokens must have been issued for it. */
  publicBaseUrl?: string;
  /** Shared key loader (e.g. the one the token endpoint uses); defaults to loading from `store`. */
  keys?: () => Promise<SigningKeys>;
  /** Most tokens remembered at once. */
  cacheSize?: number;
  /** Longest time a verified token is trusted before its client and practice are looked up again. */
  recheckMs?: number;
  now?: Clock;
}

/**
 * Verifies a bearer token.
 * @param authorization the raw `Authorization` header.
 * @param fhirBaseUrl the FHIR base URL the request was made to; the token's audience must match.
 *   Optional when `publicBaseUrl` is configured.
 * @throws FhirError `unauthenticated` (401) with a `WWW-Authenticate` header.
 */
export interface Authenticate {
  (authorization: string | undefined, fhirBaseUrl?: string): Promise<Principal>;
  /**
   * The principal of a token verified before and still trusted, without waiting a turn of the
   * event loop; undefined when the token must go through the authenticator (new, expired, other
   * audience, malformed). Lets the hot path of every request stay synchronous.
   */
  cached(authorization: string | undefined, fhirBaseUrl?: string): Principal | undefined;
  /**
   * Drops the remembered tokens whose principal matches, so that ending them (a user or app
   * disabled by an administrator) takes effect on this server at once rather than at the next
   * recheck; other servers still take up to `recheckMs`.
   */
  forget(matches: (principal: Principal) => boolean): void;
}

interface CacheEntry {
  principal: Principal;
  audience: string;
  /** ms since epoch after which the entry must be verified again. */
  until: number;
}

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

export function createAuthenticator(deps: AuthenticatorDeps): Authenticate {
  const keys = deps.keys ?? signingKeysFor(deps.store);
  const cacheSize = deps.cacheSize ?? 10_000;
  const recheckMs = deps.recheckMs ?? 60_000;
  const now = deps.now ?? Date.now;
  const configuredAudience = deps.publicBaseUrl === undefined ? undefined : fhirBaseFor(deps.publicBaseUrl.replace(/\/+$/, ''));
  const cache = new Map<string, CacheEntry>();
  // The last header that hit the cache: clients send the same token on every request, and
  // comparing it costs less than hashing a JWT-sized key for the Map and matching BEARER again.
  let recent: { header: string; entry: CacheEntry } | undefined;

  function cached(authorization: string | undefined, fhirBaseUrl?: string): Principal | undefined {
    if (!authorization) return undefined;
    const audience = configuredAudience ?? fhirBaseUrl;
    const at = now();
    if (recent !== undefined && recent.header === authorization && trusted(recent.entry, at, audience)) return recent.entry.principal;
    const token = BEARER.exec(authorization)?.[1];
    const entry = token === undefined ? undefined : cache.get(token);
    if (entry === undefined || !trusted(entry, at, audience)) return undefined;
    recent = { header: authorization, entry };
    return entry.principal;
  }

  const authenticate = async function authenticate(authorization: string | undefined, fhirBaseUrl?: string): Promise<Principal> {
    const hit = cached(authorization, fhirBaseUrl);
    if (hit !== undefined) return hit;
    if (!authorization) {
      throw new FhirError('unauthenticated', [issue('login', 'Authentication is required (Authorization: Bearer <token>)')], {
        'WWW-Authenticate': 'Bearer realm="heron"',
      });
    }
    const match = BEARER.exec(authorization);
    if (!match) throw invalidToken('The Authorization header must carry a Bearer token');
    const token = match[1];
    const audience = configuredAudience ?? fhirBaseUrl;

    // Here only when the cache cannot answer: an entry due for its recheck, or made for another
    // audience, goes; verification decides what replaces it.
    cache.delete(token);

    const { claims, principal } = await checkAccessToken(deps.store, await keys(), token, audience, now());
    if (cache.size >= cacheSize) evict(cache, now(), cacheSize);
    cache.set(token, { principal, audience: claims.aud, until: Math.min(claims.exp * 1000, now() + recheckMs) });
    return principal;
  };
  function forget(matches: (principal: Principal) => boolean): void {
    for (const [token, entry] of cache) if (matches(entry.principal)) cache.delete(token);
    if (recent !== undefined && matches(recent.entry.principal)) recent = undefined;
  }
  return Object.assign(authenticate, { cached, forget });
}

/**
 * Verifies a token and checks, against the store, that what it stands for still exists: the
 * client and practice, and for a user token the user (active, not signed out everywhere since
 * the token was issued) and the grant it came from (not revoked). The authenticator and the
 * introspection endpoint share it, so both give the same answer.
 * @throws FhirError `unauthenticated`.
 */
export async function checkAccessToken(
  store: FhirStore,
  keys: SigningKeys,
  token: string,
  audience: string | undefined,
  /** The time to check expiry at (epoch ms, by the app's clock); the system clock's when absent. */
  now?: number,
): Promise<{ claims: AccessTokenClaims; principal: Principal }> {
  const claims = await verifyAccessToken(keys, token, { audience, ...(now === undefined ? {} : { now }) });
  const client = await store.admin.getClient(claims.client_id);
  if (!client || client.practiceId !== claims.tenant) throw invalidToken('The client of this access token no longer exists');
  if (!(await store.admin.getPractice(claims.tenant))) throw invalidToken('The practice of this access token no longer exists');
  const scopes = Object.freeze(claims.scope.split(' ').filter(Boolean)) as string[];
  if (claims.role === undefined) {
    return { claims, principal: Object.freeze({ kind: 'client', id: claims.client_id, tenant: claims.tenant, scopes }) };
  }
  const user = await store.admin.users.get(claims.sub);
  // tokens_valid_after is in ms, iat in whole seconds: a token from the same second as a sign-out
  // everywhere counts as older, which errs on the side of refusing.
  if (!user || user.tenant !== claims.tenant || user.status !== 'active' || claims.iat * 1000 < user.tokensValidAfter) {
    throw invalidToken('The user of this access token is signed out or disabled');
  }
  const grant = claims.sid === undefined ? undefined : await store.admin.grants.getGrant(claims.sid);
  if (!grant || grant.revokedAt !== undefined || grant.clientId !== claims.client_id || grant.userId !== user.id) {
    throw invalidToken('The access token has been revoked');
  }
  const principal: Principal = {
    kind: 'user',
    id: user.id,
    tenant: claims.tenant,
    scopes,
    role: claims.role,
    clientId: claims.client_id,
  };
  if (claims.fhirUser !== undefined) principal.fhirUser = claims.fhirUser;
  if (claims.patients !== undefined) {
    // A patient or proxy no longer linked to a record (the practice removed the link) loses it at once.
    if ((user.role === 'patient' || user.role === 'proxy') && !claims.patients.every((p) => user.patients?.includes(p))) {
      throw invalidToken('The access token is for a record this user no longer acts for');
    }
    principal.patients = Object.freeze([...claims.patients]) as string[];
    // Read from the account, not the token, so a change of a proxy's access applies to live tokens.
    const limited = claims.patients.filter((p) => user.limitedPatients?.includes(p));
    if (user.role === 'proxy' && limited.length > 0) principal.limitedPatients = Object.freeze(limited) as string[];
  }
  return { claims, principal: Object.freeze(principal) };
}

/** True while an entry may be used without verifying its token again, for this audience. */
function trusted(entry: CacheEntry, at: number, audience: string | undefined): boolean {
  return entry.until > at && (audience === undefined || entry.audience === audience);
}

/**
 * Drops expired entries, then the oldest ones, down to 90% of the bound, so that a full cache
 * is scanned once per many insertions rather than on each.
 */
function evict(cache: Map<string, CacheEntry>, at: number, cacheSize: number): void {
  for (const [token, entry] of cache) if (entry.until <= at) cache.delete(token);
  const target = Math.floor(cacheSize * 0.9);
  for (const token of cache.keys()) {
    if (cache.size <= target) break;
    cache.delete(token);
  }
}
