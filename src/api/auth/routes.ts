/**
 * The OAuth routes as one Fastify plugin: the authorization endpoint and its sign-in and consent
 * pages, the token, revocation and introspection endpoints, and the discovery documents.
 * `src/api/app.ts` registers it; it needs the store (clients, users, grants, the signing key) and
 * the audit sink (sign-in, consent and sign-out are audited).
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { discardingAuditSink, type AuditSink } from '../../domain/audit/audit-sink.ts';
import type { SecretBox } from '../../domain/users/secret-box.ts';
import type { RateLimits } from '../../store/rate-limits.ts';
import type { FhirStore } from '../../store/store.ts';
import type { SessionLimits } from './user-tokens.ts';
import { FHIR_BASE_PATH } from './access-token.ts';
import { consentStep, pickPatientStep, signInStep, startAuthorization, type AuthorizationDeps } from './authorization-endpoint.ts';
import { launchHandler } from './ehr-launch.ts';
import { birthDateSubmit, passwordResetHandler, SET_PASSWORD_PATH, setPasswordForm, setPasswordSubmit, signOutEverywhereHandler } from './account-links.ts';
import { loggingLinkSender, type AccountLinkSender } from '../../domain/users/link-sender.ts';
import { createFailureLimiter, type FailureLimiterOptions } from './failure-limiter.ts';
import { signingKeysFor, type SigningKeys } from './keys.ts';
import { createMfaStep, mfaStepHandler } from './mfa.ts';
import { createJwksFetcher, type JwksFetcher } from './jwks-fetch.ts';
import { introspectionHandler, revocationHandler } from './revocation.ts';
import { tokenHandler } from './token.ts';
import { jwksDocument, openidConfiguration, smartConfiguration } from './well-known.ts';
import type { PracticeSettingsSource } from '../../domain/practice-settings/settings-cache.ts';
import type { Clock } from '../../domain/clock.ts';

export interface AuthRoutesOptions {
  store: FhirStore;
  /** Where sign-in, consent and sign-out records go; discarded when absent (unit tests). */
  audit?: AuditSink;
  /**
   * The public server root (e.g. `https://ehr.example.org`), used as token issuer and, with
   * `/fhir/R4`, audience. Without it the root is taken from the request (protocol and Host),
   * which is right for development but should be configured in production.
   */
  publicBaseUrl?: string;
  /** Shared key loader, so the app's authenticator and this plugin load the key once. */
  keys?: () => Promise<SigningKeys>;
  /** Access-token lifetime; 10 minutes by default (SMART recommends at most 15 for backend services). */
  tokenTtlSeconds?: number;
  /** Idle and absolute limits of `online_access` sessions. */
  session?: SessionLimits;
  /** Each practice's settings (its chosen idle time-out replaces `session.idleMs`). */
  practiceSettings?: PracticeSettingsSource;
  /** Failed client authentications allowed per client id and per address per minute. */
  failureLimit?: FailureLimiterOptions;
  /** Where the failure counts live; the store's shared counters by default. */
  rateLimits?: RateLimits;
  /** Sign-in failures allowed per address per minute, on top of the per-account lockout. */
  signInFailureLimit?: FailureLimiterOptions;
  /** Encrypts TOTP seeds; without it MFA cannot be enrolled or checked (and a practice that requires it cannot sign in). */
  secretBox?: SecretBox;
  /** Sends invitation and password-reset links; the development sender logs them. */
  linkSender?: AccountLinkSender;
  /** Whether the web app is served by this server (the end of accepting an invitation leads to it). */
  webApp?: boolean;
  /** Password-reset requests allowed per address per minute. */
  passwordResetLimit?: FailureLimiterOptions;
  /** Fetches the JWKS URLs clients registered (`private_key_jwt`); a bounded, caching fetcher by default. */
  jwksFetcher?: JwksFetcher;
  now?: Clock;
}

const FORM = 'application/x-www-form-urlencoded';

export const authRoutes: FastifyPluginAsync<AuthRoutesOptions> = async (app, options) => {
  const keys = options.keys ?? signingKeysFor(options.store);
  const configuredRoot = options.publicBaseUrl?.replace(/\/+$/, '');
  const serverRoot = (request: FastifyRequest): string => configuredRoot ?? `${request.protocol}://${request.host}`;
  const audit = options.audit ?? discardingAuditSink;
  const rateLimits = options.rateLimits ?? options.store.admin.rateLimits;
  const limiter = createFailureLimiter(rateLimits, 'client-auth', options.failureLimit);
  const ttlSeconds = options.tokenTtlSeconds ?? 600;

  // RFC 6749 requires form encoding; Fastify has no form parser of its own. Repeated keys are
  // kept (URLSearchParams) so the handler can refuse them.
  if (!app.hasContentTypeParser(FORM)) {
    app.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, body, done) => {
      done(null, new URLSearchParams(body as string));
    });
  }

  const authorization: AuthorizationDeps = {
    store: options.store,
    audit,
    serverRoot,
    signInLimiter: createFailureLimiter(rateLimits, 'sign-in', { maxFailures: 100, windowMs: 60_000, ...options.signInFailureLimit }),
    ...(options.now ? { now: options.now } : {}),
  };
  authorization.mfa = createMfaStep(authorization, options.secretBox);
  app.get('/oauth2/authorize', startAuthorization(authorization));
  app.post('/oauth2/authorize', { bodyLimit: 16 * 1024 }, startAuthorization(authorization));
  app.post('/oauth2/authorize/sign-in', { bodyLimit: 16 * 1024 }, signInStep(authorization));
  app.post('/oauth2/authorize/mfa', { bodyLimit: 16 * 1024 }, mfaStepHandler(authorization, options.secretBox));
  app.post('/oauth2/authorize/patient', { bodyLimit: 16 * 1024 }, pickPatientStep(authorization));
  app.post('/oauth2/authorize/consent', { bodyLimit: 16 * 1024 }, consentStep(authorization));

  const jwks = options.jwksFetcher ?? createJwksFetcher();
  const tokenDeps = { store: options.store, keys, limiter, serverRoot, ttlSeconds, jwks, ...(options.session ? { session: options.session } : {}), ...(options.practiceSettings ? { practiceSettings: options.practiceSettings } : {}), ...(options.now ? { now: options.now } : {}) };
  app.post('/oauth2/token', { bodyLimit: 16 * 1024 }, tokenHandler(tokenDeps));
  app.post('/oauth2/revoke', { bodyLimit: 16 * 1024 }, revocationHandler({ ...tokenDeps, audit }));
  app.post('/oauth2/introspect', { bodyLimit: 16 * 1024 }, introspectionHandler({ ...tokenDeps, audit }));
  app.post('/oauth2/launch', { bodyLimit: 16 * 1024 }, launchHandler({ ...tokenDeps, audit }));

  const accountLinks = {
    store: options.store,
    audit,
    serverRoot,
    sender: options.linkSender ?? loggingLinkSender((obj, msg) => app.log.warn(obj, msg)),
    resetLimiter: createFailureLimiter(rateLimits, 'password-reset', { maxFailures: 20, windowMs: 60_000, ...options.passwordResetLimit }),
    onBackgroundError: (err: unknown) => app.log.error({ err }, 'sending a password-reset link failed'),
    rateLimits,
    ...(options.secretBox ? { secretBox: options.secretBox } : {}),
    ...(options.webApp ? { webApp: true } : {}),
    ...(options.now ? { now: options.now } : {}),
  };
  app.get(SET_PASSWORD_PATH, setPasswordForm(accountLinks));
  app.post(SET_PASSWORD_PATH, { bodyLimit: 16 * 1024 }, setPasswordSubmit(accountLinks));
  app.post(`${SET_PASSWORD_PATH}/birth-date`, { bodyLimit: 16 * 1024 }, birthDateSubmit(accountLinks));
  app.post('/auth/password-reset', { bodyLimit: 16 * 1024 }, passwordResetHandler(accountLinks));
  app.post('/auth/sign-out-everywhere', { bodyLimit: 16 * 1024 }, signOutEverywhereHandler({ ...accountLinks, keys }));

  const sendSmartConfiguration = async (request: FastifyRequest) => smartConfiguration(serverRoot(request));
  app.get('/.well-known/smart-configuration', sendSmartConfiguration);
  app.get(`${FHIR_BASE_PATH}/.well-known/smart-configuration`, sendSmartConfiguration);
  app.get('/.well-known/openid-configuration', async (request) => openidConfiguration(serverRoot(request)));
  app.get('/.well-known/jwks.json', async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return jwksDocument((await keys()).jwks);
  });
};
