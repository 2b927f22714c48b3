/**
 * Asymmetric client authentication (`private_key_jwt`, RFC 7523 §2.2, as profiled by SMART
 * "client-confidential-asymmetric"): one check for backend services and for apps people sign in
 * to, at every endpoint that authenticates clients (token, revocation, introspection). The client
 * signs a short-lived JWT with its private key and sends it as `client_assertion`. Checked here:
 * the algorithm is on the allowlist (never `none` or an HMAC, which would let the public key act
 * as a shared secret), `typ` is JWT, `kid` names one of the client's registered keys, `iss` =
 * `sub` = the client id, `aud` = this token endpoint, `exp` is at most five minutes ahead, and the
 * `jti` was not used before (remembered until it expires).
 * Every failure is the same `invalid_client`; the reason goes only to the log.
 * @see https://hl7.org/fhir/smart-app-launch/client-confidential-asymmetric.html
 */
import { createHash } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JSONWebKeySet } from 'jose';
import { ASSERTION_ALGORITHMS } from '../../domain/clients/client-keys.ts';
import type { FhirStore, OAuthClient } from '../../store/store.ts';
import type { JwksFetcher } from './jwks-fetch.ts';
import type { Clock } from '../../domain/clock.ts';

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** SMART: "exp … no more than five minutes in the future". */
const MAX_LIFETIME_SECONDS = 300;
const CLOCK_TOLERANCE_SECONDS = 5;
const MAX_ASSERTION_LENGTH = 8192;

export class AssertionRejected extends Error {}

export interface AssertionDeps {
  store: FhirStore;
  jwks: JwksFetcher;
  now?: Clock;
}

/** The client id an assertion claims to be from (its `iss`), before anything is verified. */
export function claimedClientId(assertion: string): string | undefined {
  try {
    const { iss, sub } = decodeJwt(assertion);
    return typeof iss === 'string' && iss === sub ? iss : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies `assertion` for `client` at `tokenEndpoint`.
 * @throws AssertionRejected with the reason (for the log, not the client).
 */
export async function verifyClientAssertion(deps: AssertionDeps, client: OAuthClient, assertion: string, tokenEndpoint: string): Promise<void> {
  if (assertion.length > MAX_ASSERTION_LENGTH) throw new AssertionRejected('assertion too long');
  if (client.jwks === undefined && client.jwksUrl === undefined) throw new AssertionRejected('client has no registered keys');
  let header;
  try {
    header = decodeProtectedHeader(assertion);
  } catch {
    throw new AssertionRejected('malformed assertion');
  }
  if (typeof header.alg !== 'string' || !(ASSERTION_ALGORITHMS as readonly string[]).includes(header.alg)) throw new AssertionRejected(`algorithm ${String(header.alg)} not allowed`);
  if (typeof header.kid !== 'string' || !header.kid) throw new AssertionRejected('no kid');
  // Keys come only from what was registered: a jku naming any other place is refused (ASVS 9.1.3).
  if (header.jku !== undefined && header.jku !== client.jwksUrl) throw new AssertionRejected('jku is not the registered JWKS URL');
  if (header.jwk !== undefined || header.x5u !== undefined || header.x5c !== undefined) throw new AssertionRejected('embedded or remote keys are not accepted');

  const keySet = await keysWithKid(deps, client, header.kid);
  let payload;
  try {
    ({ payload } = await jwtVerify(assertion, createLocalJWKSet(keySet), {
      algorithms: [...ASSERTION_ALGORITHMS],
      typ: 'JWT',
      issuer: client.clientId,
      subject: client.clientId,
      audience: tokenEndpoint,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['iss', 'sub', 'aud', 'exp', 'jti'],
      currentDate: new Date(deps.now?.() ?? Date.now()),
    }));
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) throw new AssertionRejected(`${error.code}: ${error.message}`);
    throw error;
  }
  const nowSeconds = Math.floor((deps.now?.() ?? Date.now()) / 1000);
  const exp = payload.exp!;
  if (exp > nowSeconds + MAX_LIFETIME_SECONDS + CLOCK_TOLERANCE_SECONDS) throw new AssertionRejected('exp more than five minutes ahead');
  const jti = payload.jti;
  if (typeof jti !== 'string' || !jti || jti.length > 256) throw new AssertionRejected('bad jti');
  // Scoped to the client: two clients may pick the same jti without blocking each other.
  const jtiKey = createHash('sha256').update(`${client.clientId}\0${jti}`).digest('base64url');
  const keepUntil = (exp + CLOCK_TOLERANCE_SECONDS) * 1000;
  if (!(await deps.store.admin.grants.useAssertionJti(jtiKey, keepUntil, nowSeconds * 1000))) throw new AssertionRejected('jti already used');
}

/** The client's key set, refetched once when a remote set lacks the kid (the client may have rotated). */
async function keysWithKid(deps: AssertionDeps, client: OAuthClient, kid: string): Promise<JSONWebKeySet> {
  if (client.jwks !== undefined) return JSON.parse(client.jwks) as JSONWebKeySet;
  const has = (set: JSONWebKeySet) => set.keys.some((k) => k.kid === kid);
  try {
    let set = await deps.jwks.get(client.jwksUrl!);
    if (!has(set)) set = await deps.jwks.get(client.jwksUrl!, true);
    if (!has(set)) throw new AssertionRejected(`unknown kid ${kid}`);
    return set;
  } catch (error) {
    if (error instanceof AssertionRejected) throw error;
    throw new AssertionRejected(`JWKS fetch failed: ${(error as Error).message}`);
  }
}
