/**
 * The one mapping from failures to HTTP: a `FhirError` category becomes a status, its issues an
 * OperationOutcome. Fastify's own errors (body too large, bad media type, unknown route) get the
 * same treatment so every error a client sees is an OperationOutcome. Anything else is a bug:
 * the client gets a 500 with an error id, the log gets the stack — internals never leave.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OperationOutcome } from '@medplum/fhirtypes';
import { defaultCode, FhirError, type ErrorCategory, issue, operationOutcome } from '../fhir/outcome.ts';
import { FHIR_JSON_CONTENT_TYPE } from './fhir/formats.ts';

const STATUS: Record<ErrorCategory, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  'not-allowed': 405,
  'not-acceptable': 406,
  conflict: 409,
  gone: 410,
  'precondition-failed': 412,
  'too-large': 413,
  'unsupported-media-type': 415,
  unprocessable: 422,
  'too-many-requests': 429,
  unavailable: 503,
  internal: 500,
};

/** The HTTP status of a category. */
export function statusFor(category: ErrorCategory): number {
  return STATUS[category];
}

/** Fastify error codes that are the client's fault, by the category they mean. */
const FASTIFY_CODES: Record<string, ErrorCategory> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid',
  FST_ERR_BAD_URL: 'invalid',
  // A path segment longer than any id Heron issues (admin API `:id`): no such thing exists.
  FST_ERR_MAX_PARAM_LENGTH: 'not-found',
  FST_ERR_VALIDATION: 'invalid',
  FST_ERR_NOT_FOUND: 'not-found',
};

const CATEGORY_BY_STATUS: Record<number, ErrorCategory> = Object.fromEntries(
  Object.entries(STATUS).map(([category, status]) => [status, category as ErrorCategory]),
);

export interface ErrorReply {
  status: number;
  headers: Record<string, string>;
  body: OperationOutcome;
}

/** Where unexpected errors are logged (a Fastify/pino logger fits). */
export interface ErrorLog {
  error(obj: object, msg: string): void;
}

/** Turns any thrown value into the reply the client sees. */
export function errorReply(err: unknown, log: ErrorLog): ErrorReply {
  if (err instanceof FhirError) {
    const headers = { ...err.headers };
    if (err.category === 'unauthenticated' && !hasHeader(headers, 'www-authenticate')) headers['WWW-Authenticate'] = 'Bearer';
    return { status: statusFor(err.category), headers, body: err.toOperationOutcome() };
  }
  const fastifyError = err as Partial<FastifyError> | undefined;
  const code = fastifyError?.code;
  const known = code !== undefined ? FASTIFY_CODES[code] : undefined;
  const status = fastifyError?.statusCode;
  // Fastify's 4xx errors describe the request, not the server, so their message is safe to send.
  const category = known ?? (status !== undefined && status >= 400 && status < 500 ? CATEGORY_BY_STATUS[status] : undefined);
  if (category !== undefined) {
    const message = fastifyError?.message || 'The request was not accepted';
    return { status: statusFor(category), headers: {}, body: operationOutcome([issue(defaultCode(category), message)]) };
  }
  const errorId = randomUUID();
  log.error({ err, errorId }, 'unexpected error');
  return {
    status: 500,
    headers: {},
    body: operationOutcome([issue('exception', `Internal server error; reference ${errorId} when reporting it`)]),
  };
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((h) => h.toLowerCase() === name);
}

/** Sends an error reply as FHIR JSON. */
export function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  const { status, headers, body } = errorReply(err, reply.log);
  return reply.code(status).headers(headers).header('content-type', FHIR_JSON_CONTENT_TYPE).send(JSON.stringify(body));
}

/**
 * Installs the error and not-found handlers on the root instance. `isMethodNotAllowed` says
 * whether an unmatched request hit a known path with an unsupported method (405, not 404).
 */
export function installErrorHandlers(app: FastifyInstance, isMethodNotAllowed: (request: FastifyRequest) => boolean): void {
  app.setErrorHandler((err, _request, reply) => sendError(reply, err));
  app.setNotFoundHandler((request, reply) => {
    if (isMethodNotAllowed(request)) {
      return sendError(reply, new FhirError('not-allowed', `Method ${request.method} is not allowed on ${request.url.split('?')[0]}`));
    }
    return sendError(reply, new FhirError('not-found', `No route for ${request.method} ${request.url.split('?')[0]}`));
  });
}
