/**
 * Serves the built web app (web/dist) at `/`: hashed assets under `/assets/` cached for a year,
 * `index.html` revalidated on every load and answered for every client-side route, all with the
 * strict CSP of security-headers.ts. The API's own prefixes never fall back to index.html: a
 * miss there is the API's 404 (an OperationOutcome), not a page.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { FhirError } from '../../fhir/outcome.ts';
import { sendError } from '../errors.ts';
import { indexPage, NOT_BUILT_PAGE, type WebConfig } from './index-page.ts';
import { IMMUTABLE_CACHE, NO_CACHE, WEB_SECURITY_HEADERS } from './security-headers.ts';

export interface WebAppOptions {
  /** The built app: index.html and assets/. */
  distDir: string;
  /** The public server root; from each request when absent (as the OAuth issuer). */
  publicBaseUrl?: string;
  /** Each practice's first-party client and the redirect URIs they accept (first-party-app.ts). */
  clients: () => Promise<Pick<WebConfig, 'practices' | 'redirect_uris'>>;
  /** The documents' size limit (HERON_MAX_BINARY_MB). */
  maxBinaryBytes: number;
}

/** Paths that belong to the API: a miss under them is a 404, never the app. */
const API_PREFIXES = ['/fhir/', '/oauth2/', '/admin/', '/.well-known/', '/assets/', '/auth/', '/healthz', '/shl/'];
/** The app's routes under /auth/ (the rest of /auth/ is the server's account pages). */
const APP_AUTH_ROUTES = new Set(['/auth/callback']);

export const webAppRoutes: FastifyPluginAsync<WebAppOptions> = async (app, options) => {
  const indexFile = join(options.distDir, 'index.html');
  // Read again when the file changes (a rebuild, `npm run web:watch`), else from memory.
  let cached: { mtimeMs: number; text: string } | undefined;
  const template = async (): Promise<string | undefined> => {
    const info = await stat(indexFile).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (!info) return undefined;
    if (cached?.mtimeMs !== info.mtimeMs) cached = { mtimeMs: info.mtimeMs, text: await readFile(indexFile, 'utf8') };
    return cached.text;
  };
  const root = options.publicBaseUrl?.replace(/\/+$/, '');

  await app.register(fastifyStatic, {
    root: join(options.distDir, 'assets'),
    prefix: '/assets/',
    // Only content-hashed files live here; a miss goes to the app's 404 handler.
    wildcard: true,
    index: false,
    dotfiles: 'deny',
    // The build writes .br and .gz beside each asset (src/cli/web-build.ts): sent to browsers that accept them.
    preCompressed: true,
    cacheControl: false,
    etag: false,
    lastModified: false,
    setHeaders: (res) => {
      for (const [name, value] of Object.entries(WEB_SECURITY_HEADERS)) res.setHeader(name, value);
      res.setHeader('cache-control', IMMUTABLE_CACHE);
    },
  });

  const sendIndex = async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0]!;
    if (API_PREFIXES.some((p) => path === p.replace(/\/$/, '') || path.startsWith(p)) && !APP_AUTH_ROUTES.has(path)) {
      return sendError(reply, new FhirError('not-found', `No route for ${request.method} ${path}`));
    }
    reply.headers({ ...WEB_SECURITY_HEADERS, 'cache-control': NO_CACHE, 'content-type': 'text/html; charset=utf-8' });
    const page = await template();
    if (page === undefined) return reply.code(503).send(NOT_BUILT_PAGE);
    const clients = await options.clients();
    return reply.send(indexPage(page, { issuer: root ?? `${request.protocol}://${request.host}`, ...clients, max_binary_bytes: options.maxBinaryBytes }));
  };
  app.get('/', sendIndex);
  app.get('/*', sendIndex);
};
