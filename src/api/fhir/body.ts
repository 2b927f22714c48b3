/**
 * Request bodies of the FHIR API: which media types are accepted and how their bytes become a
 * value. Everything that can go wrong with untrusted bytes is refused here, before any FHIR code
 * sees the body: oversized (413), invalid UTF-8, malformed JSON, duplicate keys, prototype
 * pollution, deep nesting (400), and media types Heron does not speak, such as XML (415).
 */
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest, preParsingAsyncHookHandler } from 'fastify';
import secureJson from 'secure-json-parse';
import { FhirError, issue } from '../../fhir/outcome.ts';
import { scanJson } from './strict-json.ts';
import { DEFAULT_BINARY_BYTES, DOCUMENT_TYPES, documentType } from '../../domain/documents/binary-content.ts';

export interface BodyLimits {
  /** Largest accepted body in bytes. */
  maxBytes: number;
  /** Deepest accepted nesting of JSON arrays and objects. */
  maxDepth: number;
  /** Largest accepted raw document upload (`POST Binary` with the file's own type), in bytes. */
  binaryBytes: number;
}

export const DEFAULT_BODY_LIMITS: BodyLimits = { maxBytes: 16 * 1024 * 1024, maxDepth: 64, binaryBytes: DEFAULT_BINARY_BYTES };

/**
 * A body sent with a document's own media type (`Content-Type: application/pdf`): the file for a
 * Binary, as bytes. Only `POST Binary` and `PUT Binary/[id]` take one (`routes.ts`).
 */
export class RawBody {
  constructor(
    readonly contentType: string,
    readonly bytes: Buffer,
  ) {}
}

/** The JSON media types a FHIR body may use (`json-patch+json` only means something to PATCH). */
export const JSON_MEDIA_TYPES = ['application/fhir+json', 'application/json', 'application/json-patch+json'] as const;
export const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';

// Stateless when not streaming, so one instance serves every request.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8 strictly: a lone surrogate or a stray byte is an error, not U+FFFD. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new FhirError('invalid', [issue('invalid', 'The request body is not valid UTF-8')]);
  }
}

/**
 * Parses a JSON body strictly. Returns `undefined` for an empty body so that handlers can say
 * which body they expected.
 */
export function parseJsonBody(bytes: Uint8Array, maxDepth: number): unknown {
  const text = decodeUtf8(bytes);
  if (text.trim() === '') return undefined;
  scanJson(text, maxDepth);
  try {
    // The scanner already refused prototype keys; secure-json-parse is the second lock on that door.
    return secureJson.parse(text, null, { protoAction: 'error', constructorAction: 'error' });
  } catch (err) {
    throw new FhirError('invalid', [issue('invalid', `Invalid JSON: ${(err as Error).message}`)]);
  }
}

/** Parses an `application/x-www-form-urlencoded` body (POST `_search`). */
export function parseFormBody(bytes: Uint8Array): URLSearchParams {
  return new URLSearchParams(decodeUtf8(bytes));
}

/** The error for a body whose media type Heron does not accept. */
export function unsupportedMediaType(contentType: string | undefined): FhirError {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === '') return new FhirError('unsupported-media-type', 'A request body needs a Content-Type header (application/fhir+json)');
  const isXml = type.endsWith('/xml') || type.endsWith('+xml');
  const message = isXml
    ? `XML is not supported (Content-Type ${type}); send application/fhir+json`
    : `Content-Type ${type} is not supported; send application/fhir+json`;
  return new FhirError('unsupported-media-type', message);
}

/** How much of an oversized body is read and thrown away so the client can read the 413. */
export function drainAllowance(maxBytes: number): number {
  return Math.max(64 * 1024 * 1024, 4 * maxBytes);
}

function tooLarge(maxBytes: number): FhirError {
  return new FhirError('too-large', [issue('too-long', `The request body exceeds the limit of ${maxBytes} bytes`)]);
}

/** The body limit for a request's Content-Type: a document's own limit for raw uploads. */
function limitFor(contentType: string | undefined, limits: BodyLimits): number {
  return contentType !== undefined && documentType(contentType) !== undefined ? limits.binaryBytes : limits.maxBytes;
}

/**
 * Reads and discards a request body; false when it went on past `cap` bytes. Why: a server that
 * answers 413 while the client is still uploading and then closes the connection makes most
 * clients fail with EPIPE/ECONNRESET instead of showing the 413.
 */
function drain(stream: Readable, cap: number): Promise<boolean> {
  return new Promise((resolve) => {
    let seen = 0;
    const finish = (complete: boolean) => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onEnd);
      stream.off('close', onEnd);
      resolve(complete);
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > cap) finish(false);
    };
    const onEnd = () => finish(true);
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onEnd);
    stream.on('close', onEnd);
    stream.resume();
  });
}

/**
 * A `preParsing` hook for routes that take bodies: a declared oversized body is refused before
 * parsing, after draining it (see `drain`). A chunked body without Content-Length is cut off by
 * the parser's own limit instead. Used per route so that GET requests do not pay for it.
 */
export function refuseOversizedBody(limits: BodyLimits): preParsingAsyncHookHandler {
  return async (request, reply, payload) => {
    const declared = Number(request.headers['content-length']);
    const limit = limitFor(request.headers['content-type'], limits);
    if (!(declared > limit)) return payload;
    if (!(await drain(payload, drainAllowance(limit)))) reply.header('connection', 'close');
    throw tooLarge(limit);
  };
}

/**
 * Replaces the encapsulated instance's body parsers with the FHIR ones. Register inside the FHIR
 * plugin only: other plugins (OAuth) keep their own parsers.
 */
export function registerBodyParsers(app: FastifyInstance, limits: BodyLimits): void {
  app.removeAllContentTypeParsers();
  const options = { parseAs: 'buffer' as const, bodyLimit: limits.maxBytes };
  for (const type of JSON_MEDIA_TYPES) {
    app.addContentTypeParser(type, options, (_request: FastifyRequest, body: Buffer, done) => {
      try {
        done(null, parseJsonBody(body, limits.maxDepth));
      } catch (err) {
        done(err as Error, undefined);
      }
    });
  }
  app.addContentTypeParser(FORM_MEDIA_TYPE, options, (_request: FastifyRequest, body: Buffer, done) => {
    try {
      done(null, parseFormBody(body));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  for (const { contentType } of DOCUMENT_TYPES) {
    app.addContentTypeParser(contentType, { parseAs: 'buffer', bodyLimit: limits.binaryBytes }, (request: FastifyRequest, body: Buffer, done) => {
      done(null, new RawBody(request.headers['content-type'] ?? contentType, body));
    });
  }
  app.addContentTypeParser('*', (request: FastifyRequest, _payload, done) => {
    done(unsupportedMediaType(request.headers['content-type']), undefined);
  });
}
