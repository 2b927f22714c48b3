/**
 * What the OAuth endpoints (token, revocation, introspection) share: the RFC 6749 error value,
 * form parameters, and client authentication — `client_secret_basic`/`client_secret_post` for
 * confidential clients, `private_key_jwt` (a signed assertion) for clients registered with
 * public keys, only a `client_id` for public apps (RFC 6749 §2.3, RFC 7523, SMART "client-public").
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authenticateClient } from '../../domain/clients/authenticate-client.ts';
import type { FhirStore, OAuthClient } from '../../store/store.ts';
import { AssertionRejected, claimedClientId, JWT_BEARER_ASSERTION, verifyClientAssertion } from './client-assertion.ts';
import type { FailureLimiter } from './failure-limiter.ts';
import type { JwksFetcher } from './jwks-fetch.ts';
import type { Clock } from '../../domain/clock.ts';

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_token_type'
  | 'invalid_scope'
  | 'invalid_token'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'server_error';

/** An RFC 6749 error response, raised inside a handler and answered by it. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly code: OAuthErrorCode,
    readonly description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }
}

export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };
export const BASIC_CHALLENGE = { 'www-authenticate': 'Basic realm="heron", charset="UTF-8"' };

/** Runs `produce` and answers its result as JSON, or its OAuthError as RFC 6749 §5.2 JSON. */
export async function sendOAuth(reply: FastifyReply, produce: () => Promise<object>): Promise<void> {
  try {
    const result = await produce();
    await reply.code(200).headers(NO_STORE).send(result);
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    await reply
      .code(error.status)
      .headers({ ...NO_STORE, ...error.headers })
      .send({ error: error.code, error_description: error.description });
  }
}

/** The request parameters, from a form or JSON body; repeated parameters are refused (§3.2). */
export function formParams(body: unknown): Map<string, string> {
  const params = new Map<string, string>();
  if (body === undefined || body === null) return params;
  let entries: Iterable<[string, unknown]>;
  if (body instanceof URLSearchParams) entries = body.entries();
  else if (typeof body === 'object' && !Array.isArray(body)) entries = Object.entries(body);
  else throw new OAuthError(400, 'invalid_request', 'The request body must be form-encoded parameters');
  for (const [key, value] of entries) {
    if (typeof value !== 'string') throw new OAuthError(400, 'invalid_request', `Parameter ${key} must be a single string`);
    if (params.has(key)) throw new OAuthError(400, 'invalid_request', `Parameter ${key} is repeated`);
    params.set(key, value);
  }
  return params;
}

export function single(params: Map<string, string>, name: string): string | undefined {
  const value = params.get(name);
  return value === '' ? undefined : value;
}

/** Reads `client_secret_basic` or `client_secret_post` credentials; using both is an error (§2.3). */
export function clientCredentials(authorization: string | undefined, params: Map<string, string>): { clientId: string; secret: string } {
  const postId = single(params, 'client_id');
  const postSecret = single(params, 'client_secret');
  if (authorization !== undefined) {
    if (postSecret !== undefined) throw new OAuthError(400, 'invalid_request', 'Use one client authentication method, not both');
    const basic = parseBasic(authorization);
    if (postId !== undefined && postId !== basic.clientId) throw new OAuthError(400, 'invalid_request', 'client_id does not match the Authorization header');
    return basic;
  }
  if (postId === undefined || postSecret === undefined) throw new OAuthError(401, 'invalid_client', 'Client authentication is required', BASIC_CHALLENGE);
  return { clientId: postId, secret: postSecret };
}

export interface ClientAuthDeps {
  store: FhirStore;
  limiter: FailureLimiter;
  /** Fetches registered JWKS URLs; without it, assertions with remote keys fail. */
  jwks?: JwksFetcher;
  /** The server root; assertions must be addressed to `<root>/oauth2/token`. */
  serverRoot: (request: FastifyRequest) => string;
  now?: Clock;
}

const noRemoteKeys: JwksFetcher = {
  get: () => Promise.reject(new Error('JWKS URLs are not configured')),
};

/**
 * Authenticates the calling client. A confidential client must present its secret; with
 * `allowPublic`, a request carrying only `client_id` is accepted for a registered public app.
 * Failures count against the client id and the address, as at the client_credentials grant.
 */
export async function authenticateCaller(deps: ClientAuthDeps, request: FastifyRequest, params: Map<string, string>, allowPublic: boolean): Promise<OAuthClient> {
  if (params.has('client_assertion_type') || params.has('client_assertion')) return authenticateByAssertion(deps, request, params);
  const hasSecret = request.headers.authorization !== undefined || single(params, 'client_secret') !== undefined;
  if (!hasSecret && allowPublic) {
    const clientId = single(params, 'client_id');
    if (clientId === undefined) throw new OAuthError(401, 'invalid_client', 'Client authentication is required', BASIC_CHALLENGE);
    const client = await deps.store.admin.getClient(clientId);
    if (!client || !client.public || !(await deps.store.admin.getPractice(client.practiceId))) {
      throw new OAuthError(401, 'invalid_client', 'Client authentication failed', BASIC_CHALLENGE);
    }
    return client;
  }
  const credentials = clientCredentials(request.headers.authorization, params);
  const limitKeys = [`client:${credentials.clientId}`, `ip:${request.ip}`];
  const retryAfter = await deps.limiter.blockedFor(limitKeys);
  if (retryAfter !== undefined) {
    throw new OAuthError(429, 'invalid_client', 'Too many failed client authentications; try again later', { 'retry-after': String(retryAfter) });
  }
  const client = await authenticateClient(deps.store, credentials.clientId, credentials.secret);
  if (!client) {
    await deps.limiter.recordFailure(limitKeys);
    throw new OAuthError(401, 'invalid_client', 'Client authentication failed', BASIC_CHALLENGE);
  }
  return client;
}

/**
 * `private_key_jwt`. Unlike a secret, a bad assertion costs no argon2 work, but failures still
 * count against the client id and address so that key and jti guessing is throttled alike.
 */
async function authenticateByAssertion(deps: ClientAuthDeps, request: FastifyRequest, params: Map<string, string>): Promise<OAuthClient> {
  const failed = () => new OAuthError(401, 'invalid_client', 'Client authentication failed');
  if (request.headers.authorization !== undefined || params.has('client_secret')) throw new OAuthError(400, 'invalid_request', 'Use one client authentication method, not both');
  if (single(params, 'client_assertion_type') !== JWT_BEARER_ASSERTION) throw new OAuthError(401, 'invalid_client', `client_assertion_type must be ${JWT_BEARER_ASSERTION}`);
  const assertion = single(params, 'client_assertion');
  if (assertion === undefined) throw new OAuthError(401, 'invalid_client', 'client_assertion is required');
  const clientId = claimedClientId(assertion);
  const postId = single(params, 'client_id');
  if (clientId === undefined || (postId !== undefined && postId !== clientId)) throw failed();
  const limitKeys = [`client:${clientId}`, `ip:${request.ip}`];
  const retryAfter = await deps.limiter.blockedFor(limitKeys);
  if (retryAfter !== undefined) {
    throw new OAuthError(429, 'invalid_client', 'Too many failed client authentications; try again later', { 'retry-after': String(retryAfter) });
  }
  const client = await deps.store.admin.getClient(clientId);
  try {
    if (!client || !(await deps.store.admin.getPractice(client.practiceId))) throw new AssertionRejected('unknown client');
    await verifyClientAssertion({ store: deps.store, jwks: deps.jwks ?? noRemoteKeys, ...(deps.now ? { now: deps.now } : {}) }, client, assertion, `${deps.serverRoot(request)}/oauth2/token`);
  } catch (error) {
    if (!(error instanceof AssertionRejected)) throw error;
    await deps.limiter.recordFailure(limitKeys);
    request.log.info({ clientId, reason: error.message }, 'client assertion rejected');
    throw failed();
  }
  return client;
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded, joined by ':' and base64-encoded. */
function parseBasic(authorization: string): { clientId: string; secret: string } {
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(authorization);
  if (!match) throw new OAuthError(401, 'invalid_client', 'Unsupported Authorization scheme; use Basic', BASIC_CHALLENGE);
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new OAuthError(401, 'invalid_client', 'Malformed Basic credentials', BASIC_CHALLENGE);
  try {
    return { clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw new OAuthError(401, 'invalid_client', 'Malformed Basic credentials', BASIC_CHALLENGE);
  }
}

function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}
