/**
 * `POST /oauth2/revoke` (RFC 7009) and `POST /oauth2/introspect` (RFC 7662).
 *
 * Revoking either token of a user's grant — the refresh token or an access token — revokes the
 * grant, so the app loses every token issued from that consent: this is how an app signs a user
 * out, and how a user withdraws an app's access. Access tokens are self-contained, so a revoked
 * one is refused once the authenticator re-checks it (within its recheck interval, a minute).
 *
 * Introspection is for confidential clients (resource servers) of the same practice; it answers
 * exactly what the FHIR API would decide for the token.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../../domain/access/principal.ts';
import type { AuditSink } from '../../domain/audit/audit-sink.ts';
import type { FhirStore } from '../../store/store.ts';
import { fhirBaseFor, verifyAccessToken } from './access-token.ts';
import { checkAccessToken } from './authenticate.ts';
import type { FailureLimiter } from './failure-limiter.ts';
import type { SigningKeys } from './keys.ts';
import { hashOpaque } from './opaque-token.ts';
import { authenticateCaller, formParams, OAuthError, sendOAuth, single } from './oauth-request.ts';
import type { Clock } from '../../domain/clock.ts';

export interface RevocationDeps {
  store: FhirStore;
  keys: () => Promise<SigningKeys>;
  limiter: FailureLimiter;
  audit: AuditSink;
  serverRoot: (request: FastifyRequest) => string;
  now?: Clock;
}

const looksLikeJwt = (token: string) => token.split('.').length === 3;

export function revocationHandler(deps: RevocationDeps) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> =>
    sendOAuth(reply, async () => {
      const params = formParams(request.body);
      const client = await authenticateCaller(deps, request, params, true);
      const token = single(params, 'token');
      if (!token) throw new OAuthError(400, 'invalid_request', 'token is required');
      const at = deps.now?.() ?? Date.now();
      const grantId = await grantOf(deps, request, token);
      const grant = grantId === undefined ? undefined : await deps.store.admin.grants.getGrant(grantId);
      // RFC 7009 §2.2: an unknown token, or another client's, is answered like a revoked one.
      if (!grant || grant.clientId !== client.clientId || grant.revokedAt !== undefined) return {};
      await deps.store.admin.grants.revokeGrant(grant.id, at);
      const user = await deps.store.admin.users.get(grant.userId);
      if (user) {
        await deps.audit.record({
          tenant: grant.tenant,
          principal: { kind: 'user', id: user.id, tenant: user.tenant, scopes: [], role: user.role as Role, clientId: client.clientId },
          action: 'sign-out',
          outcome: 'success',
          origin: { ip: request.ip, userAgent: request.headers['user-agent'] },
          at: new Date(at).toISOString(),
        });
      }
      return {};
    });
}

/** The grant a token was issued from, whatever its kind; undefined when it is not one of ours. */
async function grantOf(deps: RevocationDeps, request: FastifyRequest, token: string): Promise<string | undefined> {
  if (looksLikeJwt(token)) {
    try {
      return (await verifyAccessToken(await deps.keys(), token, { audience: fhirBaseFor(deps.serverRoot(request)), ...(deps.now ? { now: deps.now() } : {}) })).sid;
    } catch {
      return undefined;
    }
  }
  return (await deps.store.admin.grants.getRefreshToken(hashOpaque(token)))?.grantId;
}

export function introspectionHandler(deps: RevocationDeps) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> =>
    sendOAuth(reply, async () => {
      const params = formParams(request.body);
      const client = await authenticateCaller(deps, request, params, false);
      const token = single(params, 'token');
      if (!token) throw new OAuthError(400, 'invalid_request', 'token is required');
      const at = deps.now?.() ?? Date.now();
      const inactive = { active: false };
      if (looksLikeJwt(token)) {
        const issuer = deps.serverRoot(request);
        let checked;
        try {
          checked = await checkAccessToken(deps.store, await deps.keys(), token, fhirBaseFor(issuer), at);
        } catch {
          return inactive;
        }
        const { claims } = checked;
        if (claims.tenant !== client.practiceId) return inactive;
        return {
          active: true,
          token_type: 'Bearer',
          scope: claims.scope,
          client_id: claims.client_id,
          sub: claims.sub,
          iss: claims.iss,
          aud: claims.aud,
          iat: claims.iat,
          exp: claims.exp,
          ...(claims.role !== undefined ? { role: claims.role } : {}),
          ...(claims.fhirUser !== undefined ? { fhirUser: claims.fhirUser } : {}),
          ...(claims.patient !== undefined ? { patient: claims.patient } : {}),
        };
      }
      const refresh = await deps.store.admin.grants.getRefreshToken(hashOpaque(token));
      if (!refresh || refresh.usedAt !== undefined || refresh.expiresAt <= at || refresh.tenant !== client.practiceId) return inactive;
      const grant = await deps.store.admin.grants.getGrant(refresh.grantId);
      const user = grant ? await deps.store.admin.users.get(grant.userId) : undefined;
      if (!grant || !user || grant.revokedAt !== undefined || grant.expiresAt <= at || user.status !== 'active' || grant.createdAt < user.tokensValidAfter) return inactive;
      return {
        active: true,
        token_type: 'refresh_token',
        scope: grant.scope,
        client_id: grant.clientId,
        sub: user.id,
        exp: Math.floor(refresh.expiresAt / 1000),
        iat: Math.floor(refresh.createdAt / 1000),
        ...(grant.patient !== undefined ? { patient: grant.patient } : {}),
      };
    });
}
