/**
 * The OAuth routes as one Fastify plugin: token endpoint and discovery documents.
 * `src/api/app.ts` registers it; it needs only the store (for clients and the signing key).
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { FhirStore } from '../../store/store.ts';
import { FHIR_BASE_PATH } from './access-token.ts';
import { createFailureLimiter, type FailureLimiterOptions } from './failure-limiter.ts';
import { signingKeysFor, type SigningKeys } from './keys.ts';
import { tokenHandler } from './token.ts';
import { jwksDocument, smartConfiguration } from './well-known.ts';

export interface AuthRoutesOptions {
  store: FhirStore;
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
  failureLimit?: FailureLimiterOptions;
}

const FORM = 'application/x-www-form-urlencoded';

export const authRoutes: FastifyPluginAsync<AuthRoutesOptions> = async (app, options) => {
  const keys = options.keys ?? signingKeysFor(options.store);
  const configuredRoot = options.publicBaseUrl?.replace(/\/+$/, '');
  const serverRoot = (request: FastifyRequest): string => configuredRoot ?? `${request.protocol}://${request.host}`;

  // RFC 6749 requires form encoding; Fastify has no form parser of its own. Repeated keys are
  // kept (URLSearchParams) so the handler can refuse them.
  if (!app.hasContentTypeParser(FORM)) {
    app.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, body, done) => {
      done(null, new URLSearchParams(body as string));
    });
  }

  app.post(
    '/oauth2/token',
    { bodyLimit: 16 * 1024 },
    tokenHandler({
      store: options.store,
      keys,
      limiter: createFailureLimiter(options.failureLimit),
      serverRoot,
      ttlSeconds: options.tokenTtlSeconds ?? 600,
    }),
  );

  const sendSmartConfiguration = async (request: FastifyRequest) => smartConfiguration(serverRoot(request));
  app.get('/.well-known/smart-configuration', sendSmartConfiguration);
  app.get(`${FHIR_BASE_PATH}/.well-known/smart-configuration`, sendSmartConfiguration);
  app.get('/.well-known/jwks.json', async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return jwksDocument((await keys()).jwks);
  });
};
