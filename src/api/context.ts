/**
 * Turns an HTTP request into the `Ctx` a FHIR interaction acts with. The practice (tenant) and
 * the principal come only from the verified bearer token — never from a header or URL the client
 * chooses — so one practice can never address another's data.
 */
import type { FastifyRequest } from 'fastify';
import type { Ctx } from '../domain/context.ts';
import type { Principal } from '../domain/access/principal.ts';
import type { AuditSink } from '../domain/audit/audit-sink.ts';
import { systemClock, type Clock } from '../domain/clock.ts';
import type { FhirStore } from '../store/store.ts';
import type { AccountLinkSender } from '../domain/users/link-sender.ts';
import { FhirError } from '../fhir/outcome.ts';
import { createAuthenticator, type Authenticate } from './auth/authenticate.ts';
import { bearerFailureRecorder, type BearerFailureBudget } from './auth/bearer-failures.ts';
import { signingKeysFor, type SigningKeys } from './auth/keys.ts';

export interface ContextDeps {
  store: FhirStore;
  audit: AuditSink;
  /** The configured public server root; tokens must then have been issued for it. */
  publicBaseUrl?: string;
  /** The key loader shared with the token endpoint, so the signing key is loaded once. */
  keys?: () => Promise<SigningKeys>;
  /** Where errors of work that outlives a request go (the server log). */
  onBackgroundError?: (err: unknown) => void;
  /** How many failed authentications are audited per address and overall (`auth/bearer-failures.ts`). */
  bearerFailureBudget?: BearerFailureBudget;
  /** Server-log warnings (failed authentications over the audit budget). */
  warn?: (obj: object, msg: string) => void;
  /** An authenticator shared with other routes (the admin API ends cached tokens through it); one is made otherwise. */
  authenticate?: Authenticate;
  /** The app's clock, carried by every ctx; the system clock when absent. */
  clock?: Clock;
  /** Sends account links (`Patient/[id]/$portal-invite`). */
  linkSender?: AccountLinkSender;
}

/**
 * Builds the ctx of one request made to `fhirBaseUrl` (the token's audience must match);
 * rejects with `unauthenticated` (401) without a valid token.
 */
export type ContextBuilder = (request: FastifyRequest, fhirBaseUrl: string) => Ctx | Promise<Ctx>;

/**
 * Creates the per-app ctx builder; the authenticator (keys, token cache) is set up once here.
 * A token already verified gives its ctx synchronously, so most requests wait for nothing.
 */
export function createContextBuilder(deps: ContextDeps): ContextBuilder {
  const keys = deps.keys ?? signingKeysFor(deps.store);
  const clock = deps.clock ?? systemClock;
  const authenticate = deps.authenticate ?? createAuthenticator({ store: deps.store, publicBaseUrl: deps.publicBaseUrl, keys, now: clock });
  const recordFailure = bearerFailureRecorder({ store: deps.store, audit: deps.audit, keys, now: clock, ...(deps.bearerFailureBudget ? { budget: deps.bearerFailureBudget } : {}), ...(deps.warn ? { warn: deps.warn } : {}) });
  const ctxFor = (principal: Principal, request: FastifyRequest): Ctx => ({
    tenant: principal.tenant,
    principal,
    store: deps.store,
    audit: deps.audit,
    origin: { ip: request.ip, userAgent: request.headers['user-agent'] },
    onBackgroundError: deps.onBackgroundError,
    clock,
    ...(deps.linkSender ? { linkSender: deps.linkSender } : {}),
    forgetTokens: (matches) => authenticate.forget(matches),
  });
  return (request, fhirBaseUrl) => {
    const authorization = request.headers.authorization;
    const principal = authenticate.cached(authorization, fhirBaseUrl);
    if (principal !== undefined) return ctxFor(principal, request);
    return authenticate(authorization, fhirBaseUrl).then(
      (verified) => ctxFor(verified, request),
      // A refused token is audited before the 401 goes out, as dispatch audits its failures.
      async (err: unknown) => {
        if (err instanceof FhirError && err.category === 'unauthenticated') await recordFailure(request, authorization, err);
        throw err;
      },
    );
  };
}
