/**
 * The HTTP application: FHIR REST API at `/fhir/R4`, OAuth endpoints, the practice-admin API at
 * `/admin/v1`, `/healthz`, and (with `web`) the clinician web app at `/`. It never listens, so
 * tests drive it with `inject()` and the CLI decides where to listen.
 */
import { cachedPracticeSettings } from '../domain/practice-settings/settings-cache.ts';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import pino from 'pino';
import type { AuditSink } from '../domain/audit/audit-sink.ts';
import { systemClock, type Clock } from '../domain/clock.ts';
import type { AccountLinkSender } from '../domain/users/link-sender.ts';
import type { SecretBox } from '../domain/users/secret-box.ts';
import type { BearerFailureBudget } from './auth/bearer-failures.ts';
import type { FhirStore } from '../store/store.ts';
import { ADMIN_BASE_PATH, adminRoutes } from './admin/routes.ts';
import { createAuthenticator } from './auth/authenticate.ts';
import { signingKeysFor } from './auth/keys.ts';
import type { SessionLimits } from './auth/user-tokens.ts';
import { authRoutes } from './auth/routes.ts';
import { createContextBuilder } from './context.ts';
import { installErrorHandlers, sendError } from './errors.ts';
import { DEFAULT_BODY_LIMITS } from './fhir/body.ts';
import { FHIR_BASE_PATH, fhirRoutes } from './fhir/routes.ts';
import { webAppRoutes } from './web/web-app.ts';
import { manifestRoutes } from './health-links/manifest-routes.ts';
import { installWebsocketChannel } from './subscriptions/websocket-channel.ts';
import { WatchedTypes } from '../domain/subscriptions/watched-types.ts';
import { webClients } from './web/web-clients.ts';

export interface AppLimits {
  /** Largest accepted request body in bytes; 16 MiB by default. */
  bodyBytes?: number;
  /** Deepest accepted JSON nesting; 64 by default. */
  jsonDepth?: number;
  /** Largest Binary content (a document's file), raw or in FHIR JSON; 20 MiB by default (`HERON_MAX_BINARY_MB`). */
  binaryBytes?: number;
}

export interface AppDeps {
  store: FhirStore;
  audit: AuditSink;
  /** Fastify/pino logger options; off by default. */
  logger?: boolean | object;
  /** The public server root (e.g. `https://ehr.example.org`); taken from each request when absent. */
  publicBaseUrl?: string;
  limits?: AppLimits;
  /** Encrypts TOTP seeds (key from HERON_SECRET_KEY or the data directory's key file); MFA is unavailable without it. */
  secretBox?: SecretBox;
  /** Idle and absolute limits of signed-in `online_access` sessions (15 minutes, 12 hours by default). */
  session?: SessionLimits;
  /** Sends invitation and password-reset links; by default they are written to the log (development). */
  linkSender?: AccountLinkSender;
  /** Failed bearer authentications audited per address and overall per minute (60 and 1,000 by default). */
  bearerFailureBudget?: BearerFailureBudget;
  /** Where every time limit reads the time (tokens, sessions, lockouts, links, emergency access); the system clock by default. */
  clock?: Clock;
  /** Serve the clinician web app at `/` (src/api/web/web-app.ts); without it `/` is the API's 404. */
  web?: WebAppDeps;
}

export interface WebAppDeps {
  /** The built app (web/dist). */
  distDir: string;
  /** Where the app's sign-in may return: `<origin>/auth/callback` for each origin the server is reached at. */
  redirectUris: () => readonly string[];
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const limits = {
    maxBytes: deps.limits?.bodyBytes ?? DEFAULT_BODY_LIMITS.maxBytes,
    maxDepth: deps.limits?.jsonDepth ?? DEFAULT_BODY_LIMITS.maxDepth,
    binaryBytes: deps.limits?.binaryBytes ?? DEFAULT_BODY_LIMITS.binaryBytes,
  };
  // No per-request "incoming/completed" log lines: every FHIR interaction is already recorded by
  // the audit sink, and two synchronous log writes per request would cost more than the read.
  const log = withBufferedStream(deps.logger);
  const level = typeof log.options === 'object' ? (log.options as { level?: unknown }).level : undefined;
  const debug = level === 'debug' || level === 'trace';
  const app = Fastify({
    logger: log.options,
    bodyLimit: limits.maxBytes,
    logController: new LogController({ disableRequestLogging: true }),
    // Errors the router raises before any route (a malformed URL, an over-long path parameter)
    // become OperationOutcomes like every other error.
    frameworkErrors: (err, _request, reply) => void sendError(reply, err),
    // A child logger per request only carries the request id, which matters only to correlate the
    // debug-level completion lines below; error lines carry their own reference (errors.ts).
    ...(debug ? {} : { childLoggerFactory: (logger: FastifyBaseLogger) => logger }),
  });
  if (debug) {
    app.addHook('onResponse', (request, reply, done) => {
      request.log.debug({ method: request.method, url: loggableUrl(request.url), statusCode: reply.statusCode, ms: reply.elapsedTime }, 'request completed');
      done();
    });
  }
  // Under the FHIR base every standard method has a route, so a miss there is a method problem.
  installErrorHandlers(app, (request) => request.url === FHIR_BASE_PATH || request.url.startsWith(FHIR_BASE_PATH + '/') || request.url.startsWith(FHIR_BASE_PATH + '?'));

  if (log.stream) {
    const stream = log.stream;
    app.addHook('onClose', (_instance, done) =>
      stream.flush((err) => {
        // Closing must go on even if the last log lines cannot be written; say so where it shows.
        // The flush ends with an fsync, which pipes and terminals refuse (EINVAL) after the lines
        // were written: nothing is lost then.
        if (err && (err as NodeJS.ErrnoException).code !== 'EINVAL') process.stderr.write(`heron: could not flush the log: ${err.message}\n`);
        done();
      }),
    );
  }

  app.get('/healthz', async () => ({ status: 'ok' }));

  // One key loader for token signing and verification: the key is read from the store once.
  const keys = signingKeysFor(deps.store, deps.secretBox);
  const now = deps.clock ?? systemClock;
  // One token cache for the FHIR and admin APIs, so that an administrator ending a user's or an
  // app's tokens also ends the ones this server has cached.
  const authenticate = createAuthenticator({ store: deps.store, publicBaseUrl: deps.publicBaseUrl, keys, now });
  await app.register(authRoutes, { store: deps.store, audit: deps.audit, publicBaseUrl: deps.publicBaseUrl, keys, now, practiceSettings: cachedPracticeSettings(deps.store, now), ...(deps.web ? { webApp: true } : {}), ...(deps.secretBox ? { secretBox: deps.secretBox } : {}), ...(deps.linkSender ? { linkSender: deps.linkSender } : {}), ...(deps.session ? { session: deps.session } : {}) });
  await app.register(fhirRoutes, {
    prefix: FHIR_BASE_PATH,
    buildCtx: createContextBuilder({ store: deps.store, audit: deps.audit, publicBaseUrl: deps.publicBaseUrl, keys, authenticate, clock: now, onBackgroundError: (err) => app.log.error({ err }, 'background work of a request failed'), warn: (obj, msg) => app.log.warn(obj, msg), ...(deps.linkSender ? { linkSender: deps.linkSender } : {}), ...(deps.bearerFailureBudget ? { bearerFailureBudget: deps.bearerFailureBudget } : {}) }),
    publicBaseUrl: deps.publicBaseUrl,
    limits,
  });
  await app.register(adminRoutes, {
    prefix: ADMIN_BASE_PATH,
    store: deps.store,
    audit: deps.audit,
    authenticate,
    keys,
    publicBaseUrl: deps.publicBaseUrl,
    mfaAvailable: deps.secretBox !== undefined,
    now,
    ...(deps.linkSender ? { linkSender: deps.linkSender } : {}),
    ...(deps.bearerFailureBudget ? { bearerFailureBudget: deps.bearerFailureBudget } : {}),
  });
  await app.register(manifestRoutes, { store: deps.store, audit: deps.audit, now });
  // FHIR Subscriptions' websocket channel (docs/subscriptions.md), on the same HTTP server; only
  // writes of types some Subscription watches are announced on the change feed.
  const watched = new WatchedTypes(deps.store, now, 5000, (err) => app.log.error({ err }, 'reading the practice’s Subscriptions failed'));
  deps.store.changes.announceWhen((tenant, resourceType) => watched.watches(tenant, resourceType));
  const channel = installWebsocketChannel(app.server, { store: deps.store, authenticate, audit: deps.audit, publicBaseUrl: deps.publicBaseUrl, clock: now, onError: (err) => app.log.error({ err }, 'subscription delivery failed') });
  app.addHook('onClose', async () => channel.close());
  if (deps.web) {
    await app.register(webAppRoutes, { distDir: deps.web.distDir, publicBaseUrl: deps.publicBaseUrl, clients: webClients(deps.store, deps.web.redirectUris, now), maxBinaryBytes: limits.binaryBytes });
  }
  return app;
}

/**
 * Query parameters that carry a credential: one-time account links (`/auth/set-password?token=`),
 * EHR launch tokens (`launch`), and OAuth values a misbehaving client might put in a URL (not
 * `code`: a FHIR search parameter; authorization codes go to the app, not here). Their values never
 * reach the log (tests/api/secrets-at-rest.api.test.ts).
 */
const SECRET_QUERY_PARAMS = /^(token|launch|code_verifier|access_token|refresh_token|id_token_hint|client_secret|client_assertion|assertion|password)$/i;

/** The request URL for a log line, with the values of credential-carrying query parameters replaced. */
function loggableUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      let name = eq < 0 ? pair : pair.slice(0, eq);
      try {
        name = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // a malformed name is checked as it is
      }
      return eq >= 0 && SECRET_QUERY_PARAMS.test(name.trim()) ? `${pair.slice(0, eq)}=[redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, q)}?${query}`;
}

/**
 * Log lines (including the per-request audit lines of the logging audit sink) go through an
 * asynchronous, buffered stdout writer: a synchronous write per line costs more than a read by id.
 * Buffered lines are flushed on exit by pino.
 */
function withBufferedStream(logger: AppDeps['logger']): { options: boolean | object; stream?: ReturnType<typeof pino.destination> } {
  if (logger === undefined || logger === false) return { options: false };
  const options = logger === true ? {} : logger;
  if ('stream' in options) return { options };
  // Buffer mode: in text mode the writer measures the UTF-8 length of its whole pending buffer on
  // every line, which under load costs more than formatting the line. 32 KiB per write keeps
  // system calls (and wake-ups of whatever reads the log) rare under load; the periodic flush
  // still shows a quiet server's lines within a second.
  const stream = pino.destination({ dest: 1, sync: false, minLength: 32768, maxWrite: 65536, periodicFlush: 1000, contentMode: 'buffer' });
  // SonicBoom is typed for text; in buffer mode it takes Buffers.
  const lines = { write: (line: string) => stream.write(Buffer.from(line) as unknown as string) };
  return { options: { ...options, stream: lines }, stream };
}
