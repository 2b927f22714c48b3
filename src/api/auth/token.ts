/**
 * `POST /oauth2/token`: the OAuth 2.0 token endpoint for the client_credentials grant (backend
 * services). Clients authenticate with `client_secret_basic` or `client_secret_post`.
 * Errors are RFC 6749 §5.2 JSON (`{"error": ...}`), not OperationOutcomes: OAuth clients expect
 * them.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authenticateClient } from '../../domain/clients/authenticate-client.ts';
import { parseSystemScope, parseSystemScopes, scopeCovered, splitScopes } from '../../domain/clients/system-scopes.ts';
import type { FhirStore } from '../../store/store.ts';
import { signAccessToken } from './access-token.ts';
import type { FailureLimiter } from './failure-limiter.ts';
import type { SigningKeys } from './keys.ts';

export interface TokenEndpointDeps {
  store: FhirStore;
  keys: () => Promise<SigningKeys>;
  limiter: FailureLimiter;
  /** The server root the token is issued for (its issuer); the audience is its FHIR base. */
  serverRoot: (request: FastifyRequest) => string;
  ttlSeconds: number;
}

type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope';

/** An RFC 6749 error response, raised inside the handler and answered by it. */
class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly code: OAuthErrorCode,
    readonly description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }
}

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };
const BASIC_CHALLENGE = { 'www-authenticate': 'Basic realm="heron", charset="UTF-8"' };

/** Builds the route handler. */
export function tokenHandler(deps: TokenEndpointDeps) {
  return async function handleToken(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    try {
      const result = await issue(deps, request);
      await reply.code(200).headers(NO_STORE).send(result);
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      await reply
        .code(error.status)
        .headers({ ...NO_STORE, ...error.headers })
        .send({ error: error.code, error_description: error.description });
    }
  };
}

async function issue(deps: TokenEndpointDeps, request: FastifyRequest) {
  const params = formParams(request.body);
  const grantType = single(params, 'grant_type');
  if (!grantType) throw new OAuthError(400, 'invalid_request', 'grant_type is required');
  if (grantType !== 'client_credentials') throw new OAuthError(400, 'unsupported_grant_type', 'Only the client_credentials grant is supported');

  const credentials = clientCredentials(request.headers.authorization, params);
  const limitKeys = [`client:${credentials.clientId}`, `ip:${request.ip}`];
  const retryAfter = deps.limiter.blockedFor(limitKeys);
  if (retryAfter !== undefined) {
    throw new OAuthError(429, 'invalid_client', 'Too many failed client authentications; try again later', { 'retry-after': String(retryAfter) });
  }
  const client = await authenticateClient(deps.store, credentials.clientId, credentials.secret);
  if (!client) {
    deps.limiter.recordFailure(limitKeys);
    throw new OAuthError(401, 'invalid_client', 'Client authentication failed', BASIC_CHALLENGE);
  }

  const scope = grantedScope(client.scopes, single(params, 'scope'));
  const { token, expiresIn } = await signAccessToken(await deps.keys(), {
    issuer: deps.serverRoot(request),
    clientId: client.clientId,
    tenant: client.practiceId,
    scope,
    ttlSeconds: deps.ttlSeconds,
  });
  return { access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope };
}

/** The request parameters, from a form or JSON body; repeated parameters are refused (§3.2). */
function formParams(body: unknown): Map<string, string> {
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

function single(params: Map<string, string>, name: string): string | undefined {
  const value = params.get(name);
  return value === '' ? undefined : value;
}

/** Reads `client_secret_basic` or `client_secret_post` credentials; using both is an error (§2.3). */
function clientCredentials(authorization: string | undefined, params: Map<string, string>): { clientId: string; secret: string } {
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

/**
 * The scope to issue: all of the client's scopes, or the requested ones if every one of them is
 * within the client's grant. A request can narrow the grant, never widen it (§3.3).
 */
function grantedScope(clientScopes: string, requested: string | undefined): string {
  if (requested === undefined) return splitScopes(clientScopes).join(' ');
  const granted = parseSystemScopes(clientScopes);
  const words = splitScopes(requested);
  if (words.length === 0) return splitScopes(clientScopes).join(' ');
  for (const word of words) {
    const scope = parseSystemScope(word);
    if (!scope) throw new OAuthError(400, 'invalid_scope', `Unsupported scope "${word}"`);
    if (!scopeCovered(scope, granted)) throw new OAuthError(400, 'invalid_scope', `Scope "${word}" exceeds what this client was granted`);
  }
  return words.join(' ');
}
