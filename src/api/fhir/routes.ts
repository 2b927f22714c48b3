/**
 * The FHIR REST API over HTTP: one catch-all route under the FHIR base turns each request into a
 * `FhirRequest`, runs it through `dispatch` and writes the `FhirResponse` back with FHIR's
 * headers (ETag, Last-Modified, Location, Content-Location). All FHIR meaning lives in
 * dispatch; this file only speaks HTTP (negotiation, body parsing, headers, authentication).
 * @see https://hl7.org/fhir/R4/http.html
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ContextBuilder } from '../context.ts';
import { errors, FhirError } from '../../fhir/outcome.ts';
import type { Binary } from '@medplum/fhirtypes';
import { mediaTypeOf } from '../../domain/documents/binary-content.ts';
import { type BodyLimits, RawBody, refuseOversizedBody, registerBodyParsers } from './body.ts';
import { dispatch } from './dispatch.ts';
import type { FhirRequest, FhirResponse, FhirStream, NativeContent } from './fhir-request.ts';
import { FHIR_JSON_CONTENT_TYPE, isPretty, negotiate, serialise } from './formats.ts';
import { offersCsv } from './interactions/audit-events.ts';
import { capabilities } from './interactions/capabilities.ts';

/** Where the FHIR API is mounted below the server root. */
export const FHIR_BASE_PATH = '/fhir/R4';

export interface FhirRoutesOptions {
  buildCtx: ContextBuilder;
  /** The public server root; without it the base URL comes from the request's protocol and Host. */
  publicBaseUrl?: string;
  limits: BodyLimits;
}

/** Methods whose requests carry bodies get the oversized-body hook; HEAD comes with GET. */
const BODY_METHODS = ['POST', 'PUT', 'PATCH'];
const BODYLESS_METHODS = ['GET', 'DELETE'];

/** Registers the FHIR API; register with `{ prefix: FHIR_BASE_PATH }`. */
export const fhirRoutes: FastifyPluginAsync<FhirRoutesOptions> = async (app, options) => {
  registerBodyParsers(app, options.limits);
  const configuredBase = options.publicBaseUrl === undefined ? undefined : options.publicBaseUrl.replace(/\/+$/, '') + FHIR_BASE_PATH;

  async function handle(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const url = request.url;
    const q = url.indexOf('?');
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    const format = query.get('_format');
    const pretty = isPretty(query.get('_pretty'));
    const path = pathOf(request);
    // A Binary read whose Accept names a non-FHIR type is answered in the Binary's own type.
    const native = format === null && (request.method === 'GET' || request.method === 'HEAD') && BINARY_READ.test(path) && wantsNative(request.headers.accept);
    const representation = native ? 'fhir-json' : negotiate(request.headers.accept, format, { csv: offersCsv(request.method, path) });
    // Transport parameters: they shape the bytes, not the interaction.
    if (format !== null) query.delete('_format');
    if (query.has('_pretty')) query.delete('_pretty');

    const baseUrl = configuredBase ?? `${request.protocol}://${request.host}${FHIR_BASE_PATH}`;
    const req: FhirRequest = { method: request.method as FhirRequest['method'], path, query, headers: headersOf(request), baseUrl, binaryBytes: options.limits.binaryBytes };
    if (representation === 'csv') req.format = 'csv';
    if (native) req.nativeAccept = request.headers.accept;
    const body = request.body;
    if (body instanceof RawBody) {
      req.body = binaryFromUpload(request, path, body);
    } else if (body instanceof URLSearchParams) {
      if (!path.endsWith('_search')) throw new FhirError('unsupported-media-type', 'Form-encoded bodies are accepted only by POST [type]/_search');
      for (const [name, value] of body) query.append(name, value);
    } else if (body !== undefined) {
      req.body = body;
    }

    // The CapabilityStatement is public: clients read it to learn how to authenticate.
    let response: FhirResponse;
    if (path === 'metadata' && (req.method === 'GET' || req.method === 'HEAD')) response = capabilities(req);
    else {
      const built = options.buildCtx(request, baseUrl);
      response = await dispatch(built instanceof Promise ? await built : built, req);
    }
    return send(reply, response, pretty);
  }

  const preParsing = refuseOversizedBody(options.limits);
  for (const url of ['/', '/*']) {
    app.route({ method: BODYLESS_METHODS, url, handler: handle });
    app.route({ method: BODY_METHODS, url, handler: handle, preParsing });
  }
};

/** `Binary/[id]` and `Binary/[id]/_history/[vid]`: the reads that can answer in the Binary's own type. */
const BINARY_READ = /^Binary\/[A-Za-z0-9\-.]{1,64}(\/_history\/[^/]+)?$/;

/**
 * Whether an Accept header asks for content rather than FHIR: it names no FHIR JSON type and names
 * some other type or range (`application/pdf`, `image/*`). `*\/*` alone, or no Accept, is FHIR JSON.
 */
function wantsNative(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  const ranges = accept.split(',').map((part) => part.split(';')[0].trim().toLowerCase()).filter((r) => r !== '');
  if (ranges.some((r) => r === 'application/fhir+json' || r === 'application/json' || r === 'application/json+fhir')) return false;
  return ranges.some((r) => r !== '*/*');
}

/**
 * `POST Binary` / `PUT Binary/[id]` with a file's own Content-Type: the Binary resource holding it,
 * with the `X-Security-Context` header (a reference: `Patient/123`, `DocumentReference/456`) as
 * its securityContext. Other paths take no files.
 * @see https://hl7.org/fhir/R4/binary.html#rest
 */
function binaryFromUpload(request: FastifyRequest, path: string, raw: RawBody): Binary {
  const put = /^Binary\/([A-Za-z0-9\-.]{1,64})$/.exec(path);
  if (!((request.method === 'POST' && path === 'Binary') || (request.method === 'PUT' && put))) {
    throw new FhirError('unsupported-media-type', `A file (${mediaTypeOf(raw.contentType)}) can be sent to POST Binary or PUT Binary/[id] only; elsewhere send application/fhir+json`);
  }
  const binary: Binary = { resourceType: 'Binary', contentType: mediaTypeOf(raw.contentType), data: raw.bytes.toString('base64') };
  if (put) binary.id = put[1];
  const context = request.headers['x-security-context'];
  if (typeof context === 'string' && context.trim() !== '') binary.securityContext = { reference: context.trim() };
  return binary;
}

/** The path below the FHIR base, without surrounding slashes. */
function pathOf(request: FastifyRequest): string {
  const wildcard = (request.params as { '*'?: string })['*'];
  if (wildcard === undefined) return '';
  if (wildcard.includes('?') || wildcard.includes('#')) throw errors.invalid('The path contains an encoded ? or #');
  return wildcard.replace(/^\/+|\/+$/g, '');
}

function headersOf(request: FastifyRequest): FhirRequest['headers'] {
  const h = request.headers;
  const headers: FhirRequest['headers'] = {};
  if (h['if-match'] !== undefined) headers.ifMatch = h['if-match'];
  if (h['if-none-match'] !== undefined) headers.ifNoneMatch = h['if-none-match'];
  if (h['if-modified-since'] !== undefined) headers.ifModifiedSince = h['if-modified-since'];
  const ifNoneExist = h['if-none-exist'];
  if (ifNoneExist !== undefined) headers.ifNoneExist = Array.isArray(ifNoneExist) ? ifNoneExist.join(',') : ifNoneExist;
  if (h.prefer !== undefined) headers.prefer = Array.isArray(h.prefer) ? h.prefer.join(',') : h.prefer;
  if (h['content-type'] !== undefined) headers.contentType = h['content-type'];
  return headers;
}

function send(reply: FastifyReply, response: FhirResponse, pretty: boolean): FastifyReply {
  reply.code(response.status);
  // Records are not kept in the browser's cache: a read carries Last-Modified, from which a browser
  // would otherwise reuse a version for a while (heuristic freshness) and show it stale just after a
  // write; and health data stays off the disk of a shared computer.
  if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  const headers = response.headers;
  if (headers !== undefined) {
    if (headers.etag !== undefined) reply.header('etag', headers.etag);
    if (headers.lastModified !== undefined) reply.header('last-modified', headers.lastModified);
    if (headers.location !== undefined) reply.header('location', headers.location);
    if (headers.contentLocation !== undefined) reply.header('content-location', headers.contentLocation);
  }
  if (response.stream !== undefined) return sendStream(reply, response.stream);
  if (response.native !== undefined) return sendNative(reply, response.native);
  if (response.rawBody !== undefined && !pretty) {
    reply.header('content-type', FHIR_JSON_CONTENT_TYPE);
    return reply.send(response.rawBody);
  }
  if (response.body === undefined) return reply.send();
  reply.header('content-type', FHIR_JSON_CONTENT_TYPE);
  return reply.send(serialise(response.body, pretty));
}

/**
 * A Binary as its own type, safe to open in a browser tab: never sniffed into another type,
 * shown inline only for the allow-listed document types (else downloaded), and sandboxed with no
 * scripts, forms, plugins or connections, so a file cannot act as a page of Heron's origin.
 */
function sendNative(reply: FastifyReply, content: NativeContent): FastifyReply {
  reply.header('content-type', content.contentType === 'text/plain' ? 'text/plain; charset=utf-8' : content.contentType);
  reply.header('content-disposition', `${content.inline ? 'inline' : 'attachment'}; filename="${content.filename}"`);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('content-security-policy', "sandbox; default-src 'none'; img-src 'self' data: blob:; style-src 'unsafe-inline'; frame-ancestors 'self'");
  reply.header('cache-control', 'private, no-cache');
  return reply.send(Buffer.from(content.bytes));
}

/**
 * Pulls one part at a time, as the socket drains: a report of a million entries never sits in
 * memory. A part that fails after the headers went out ends the response early (Fastify
 * destroys it), so the client sees a broken transfer, never a complete-looking file.
 */
function sendStream(reply: FastifyReply, stream: FhirStream): FastifyReply {
  reply.header('content-type', stream.contentType);
  if (stream.filename !== undefined) reply.header('content-disposition', `attachment; filename="${stream.filename}"`);
  async function* text(): AsyncGenerator<string> {
    for await (const part of stream.parts) {
      if (part.records.length > 0) yield part.records.join(stream.terminator) + stream.terminator;
    }
  }
  return reply.send(Readable.from(text(), { objectMode: false }));
}
