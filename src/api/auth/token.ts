/**
 * `POST /oauth2/token`, the OAuth 2.0 token endpoint:
 * - `client_credentials` for backend services (`client_secret_basic`, `client_secret_post`, or
 *   `private_key_jwt`: a signed assertion checked against the client's registered keys);
 * - `authorization_code` with PKCE for apps a user signed in to (`user-tokens.ts`), which
 *   authenticate with their secret, their signed assertion, or — public apps — their client id only;
 * - `refresh_token`, rotating the refresh token on each use.
 * Errors are RFC 6749 §5.2 JSON (`{"error": ...}`), not OperationOutcomes: OAuth clients expect
 * them.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseSystemScope, parseSystemScopes, scopeCovered, splitScopes } from '../../domain/clients/system-scopes.ts';
import type { FhirStore, OAuthClient } from '../../store/store.ts';
import type { Clock } from '../../domain/clock.ts';
import { signAccessToken } from './access-token.ts';
import type { FailureLimiter } from './failure-limiter.ts';
import type { SigningKeys } from './keys.ts';
import { clientUseRecorder, type ClientUseRecorder } from './client-use.ts';
import { authenticateCaller, OAuthError, formParams, sendOAuth, single } from './oauth-request.ts';
import { exchangeCode, refreshTokens } from './user-tokens.ts';

export interface TokenEndpointDeps {
  store: FhirStore;
  keys: () => Promise<SigningKeys>;
  limiter: FailureLimiter;
  /** The server root the token is issued for (its issuer); the audience is its FHIR base. */
  serverRoot: (request: FastifyRequest) => string;
  ttlSeconds: number;
  now?: Clock;
}

/** Builds the route handler. */
export function tokenHandler(deps: TokenEndpointDeps) {
  const noteUse = clientUseRecorder(deps.store);
  return async function handleToken(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    await sendOAuth(reply, () => issue(deps, request, noteUse));
  };
}

async function issue(deps: TokenEndpointDeps, request: FastifyRequest, noteUse: ClientUseRecorder): Promise<object> {
  const params = formParams(request.body);
  const grantType = single(params, 'grant_type');
  if (!grantType) throw new OAuthError(400, 'invalid_request', 'grant_type is required');
  if (grantType !== 'client_credentials' && grantType !== 'authorization_code' && grantType !== 'refresh_token') {
    throw new OAuthError(400, 'unsupported_grant_type', 'Supported grants: client_credentials, authorization_code, refresh_token');
  }
  const client = await authenticateCaller(deps, request, params, grantType !== 'client_credentials');
  const answer =
    grantType === 'client_credentials' ? await clientCredentialsGrant(deps, request, params, client) : grantType === 'authorization_code' ? await exchangeCode(deps, request, params, client) : await refreshTokens(deps, request, params, client);
  await noteUse(client.clientId, deps.now?.() ?? Date.now());
  return answer;
}

async function clientCredentialsGrant(deps: TokenEndpointDeps, request: FastifyRequest, params: Map<string, string>, client: OAuthClient): Promise<object> {
  // An app's scopes are what a signed-in user may delegate to it, never what it gets alone.
  if (client.redirectUris !== undefined) throw new OAuthError(400, 'unauthorized_client', 'This client is an app: it gets tokens through the authorization code flow');
  const scope = grantedScope(client.scopes, single(params, 'scope'));
  const { token, expiresIn } = await signAccessToken(await deps.keys(), {
    issuer: deps.serverRoot(request),
    clientId: client.clientId,
    tenant: client.practiceId,
    scope,
    ttlSeconds: deps.ttlSeconds,
    ...(deps.now ? { issuedAt: deps.now() } : {}),
  });
  return { access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope };
}

/**
 * The scope to issue: all of the client's scopes, or the requested ones that the client's
 * registration covers (the intersection; RFC 6749 §3.3 lets the server grant less, and the
 * `scope` in the answer says what was granted). A request can narrow the grant, never widen it;
 * asking only for what was not registered is `invalid_scope`.
 */
function grantedScope(clientScopes: string, requested: string | undefined): string {
  if (requested === undefined) return splitScopes(clientScopes).join(' ');
  const granted = parseSystemScopes(clientScopes);
  const words = splitScopes(requested);
  if (words.length === 0) return splitScopes(clientScopes).join(' ');
  const kept = words.filter((word) => {
    const scope = parseSystemScope(word);
    return scope !== undefined && scopeCovered(scope, granted);
  });
  if (kept.length === 0) throw new OAuthError(400, 'invalid_scope', 'None of the requested scopes is within what this client was granted');
  return kept.join(' ');
}
