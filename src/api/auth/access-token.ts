/**
 * Access tokens: ES256-signed JWTs (RFC 9068 profile) that carry who the client is, which
 * practice it acts in and what it may do, so that a FHIR request is authorised without a
 * database round trip.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { ROLES, type Role } from '../../domain/access/principal.ts';
import { FhirError, issue } from '../../fhir/outcome.ts';
import { SIGNING_ALG, type SigningKeys } from './keys.ts';

/** The FHIR base path below the server root; the token audience is `<root>/fhir/R4`. */
export const FHIR_BASE_PATH = '/fhir/R4';
const TOKEN_TYPE = 'at+jwt';
/** Tolerated clock difference between app servers, in seconds. */
const CLOCK_TOLERANCE_SECONDS = 5;

export interface AccessTokenClaims {
  iss: string;
  aud: string;
  /** The client for a backend service; the user for a token issued to an app a user signed in to. */
  sub: string;
  client_id: string;
  tenant: string;
  scope: string;
  jti: string;
  iat: number;
  exp: number;
  /** User tokens only: the user's role, FHIR resource, patient context and grant. */
  role?: Role;
  fhirUser?: string;
  patient?: string;
  /** The patients whose compartment bounds a patient's or proxy's access. */
  patients?: string[];
  /**
   * A proxy's token for a record it sees with limited access: a hint for the app to say so. The
   * server never trusts it; it reads the account on every request (authenticate.ts).
   */
  limited?: boolean;
  /** The grant (consent) the token was issued from: revoking it ends the token. */
  sid?: string;
}

/** Who the token is for when a user signed in through an app. */
export interface TokenUser {
  id: string;
  role: Role;
  fhirUser?: string;
  patient?: string;
  patients?: string[];
  limited?: boolean;
  grantId: string;
}

export interface AccessTokenInput {
  /** The server root (issuer), e.g. `https://ehr.example.org`, without trailing slash. */
  issuer: string;
  clientId: string;
  tenant: string;
  scope: string;
  ttlSeconds: number;
  user?: TokenUser;
  /** When it is issued (epoch ms, by the app's clock); now by the system clock when absent. */
  issuedAt?: number;
}

/** The FHIR base URL served under a server root: the audience of its tokens. */
export function fhirBaseFor(serverRoot: string): string {
  return serverRoot + FHIR_BASE_PATH;
}

/** The server root of a FHIR base URL: the issuer expected on tokens presented there. */
export function serverRootOf(fhirBaseUrl: string): string | undefined {
  return fhirBaseUrl.endsWith(FHIR_BASE_PATH) ? fhirBaseUrl.slice(0, -FHIR_BASE_PATH.length) : undefined;
}

/** Signs an access token; returns it with its lifetime in seconds. */
export async function signAccessToken(keys: SigningKeys, input: AccessTokenInput): Promise<{ token: string; expiresIn: number }> {
  const iat = Math.floor((input.issuedAt ?? Date.now()) / 1000);
  const claims: Record<string, unknown> = { client_id: input.clientId, tenant: input.tenant, scope: input.scope };
  const user = input.user;
  if (user) {
    claims.role = user.role;
    claims.sid = user.grantId;
    if (user.fhirUser !== undefined) claims.fhirUser = user.fhirUser;
    if (user.patient !== undefined) claims.patient = user.patient;
    if (user.patients !== undefined) claims.patients = user.patients;
    if (user.limited === true) claims.limited = true;
  }
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: SIGNING_ALG, kid: keys.kid, typ: TOKEN_TYPE })
    .setIssuer(input.issuer)
    .setAudience(fhirBaseFor(input.issuer))
    .setSubject(user?.id ?? input.clientId)
    .setJti(randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(iat + input.ttlSeconds)
    .sign(keys.privateKey);
  return { token, expiresIn: input.ttlSeconds };
}

/**
 * Verifies signature (ES256 only, our key only), type, issuer, audience and expiry, and that the
 * Heron claims are present.
 * @param expected `audience` is the FHIR base URL the token is presented at; the issuer is its
 *   server root. Without it (no public URL configured and no request URL), the token must at least
 *   be self-consistent (aud = iss + /fhir/R4); the signature still proves this server issued it.
 * @throws FhirError `unauthenticated` with an RFC 6750 `WWW-Authenticate` header.
 */
export async function verifyAccessToken(keys: SigningKeys, token: string, expected: { audience?: string; now?: number }): Promise<AccessTokenClaims> {
  const issuer = expected.audience === undefined ? undefined : serverRootOf(expected.audience);
  if (expected.audience !== undefined && issuer === undefined) throw new Error(`FHIR base URL ${expected.audience} does not end with ${FHIR_BASE_PATH}`);
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, keys.publicKey, {
      algorithms: [SIGNING_ALG],
      typ: TOKEN_TYPE,
      issuer,
      audience: expected.audience,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      ...(expected.now === undefined ? {} : { currentDate: new Date(expected.now) }),
      requiredClaims: ['iss', 'aud', 'sub', 'exp', 'iat', 'jti'],
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw invalidToken('The access token has expired');
    if (error instanceof joseErrors.JOSEError) throw invalidToken('The access token is invalid');
    throw error;
  }
  const claims = payload as Partial<AccessTokenClaims>;
  if (typeof claims.aud !== 'string' || typeof claims.iss !== 'string' || claims.aud !== fhirBaseFor(claims.iss)) throw invalidToken('The access token is not for this server');
  for (const name of ['sub', 'client_id', 'tenant', 'scope'] as const) {
    if (typeof claims[name] !== 'string' || !claims[name]) throw invalidToken(`The access token lacks the ${name} claim`);
  }
  if (claims.role === undefined) {
    if (claims.sub !== claims.client_id) throw invalidToken('The access token is invalid');
  } else if (!(ROLES as readonly unknown[]).includes(claims.role) || typeof claims.sid !== 'string' || !isStringList(claims.patients ?? [])) {
    throw invalidToken('The access token is invalid');
  } else if ((claims.role === 'patient' || claims.role === 'proxy') && (claims.patients === undefined || claims.patients.length === 0)) {
    // Fail closed: a patient-facing token must say whose record bounds it.
    throw invalidToken('The access token is invalid');
  }
  return claims as AccessTokenClaims;
}

/** 401 for a token that was presented but is unusable (RFC 6750 §3.1 `invalid_token`). */
export function invalidToken(message: string): FhirError {
  return new FhirError('unauthenticated', [issue('login', message)], { 'WWW-Authenticate': `Bearer realm="heron", error="invalid_token", error_description="${message}"` });
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string' && v.length > 0);
}

export interface IdTokenInput {
  issuer: string;
  clientId: string;
  userId: string;
  /** Absolute URL of the user's FHIR resource, when the `fhirUser` scope was granted. */
  fhirUser?: string;
  nonce?: string;
  ttlSeconds: number;
  /** When it is issued (epoch ms, by the app's clock); now by the system clock when absent. */
  issuedAt?: number;
}

/** An OpenID Connect id_token: who signed in, for the app (audience = its client id). */
export async function signIdToken(keys: SigningKeys, input: IdTokenInput): Promise<string> {
  const iat = Math.floor((input.issuedAt ?? Date.now()) / 1000);
  const claims: Record<string, unknown> = {};
  if (input.fhirUser !== undefined) claims.fhirUser = input.fhirUser;
  if (input.nonce !== undefined) claims.nonce = input.nonce;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: SIGNING_ALG, kid: keys.kid, typ: 'JWT' })
    .setIssuer(input.issuer)
    .setAudience(input.clientId)
    .setSubject(input.userId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + input.ttlSeconds)
    .sign(keys.privateKey);
}
