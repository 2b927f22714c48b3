/**
 * Reading what an administrator sends: JSON bodies (parsed as strictly as FHIR bodies) and query
 * parameters. Unknown fields and parameters are refused rather than ignored: a misspelt
 * `pasword` or `stauts` must not silently do something else. Every refusal is a 400
 * OperationOutcome whose `expression` names the field.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errors, FhirError, issue } from '../../fhir/outcome.ts';
import { parseJsonBody } from '../fhir/body.ts';

/** Admin bodies are a few fields; a larger one is a mistake or an attack. */
export const ADMIN_BODY_BYTES = 64 * 1024;
const ADMIN_JSON_DEPTH = 8;

/** JSON only (`application/json`), parsed strictly; any other media type is a 415. */
export function registerAdminBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: ADMIN_BODY_BYTES }, (_request: FastifyRequest, body: Buffer, done) => {
    try {
      done(null, parseJsonBody(body, ADMIN_JSON_DEPTH));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.addContentTypeParser('*', (request: FastifyRequest, _payload, done) => {
    const type = (request.headers['content-type'] ?? '').split(';')[0].trim();
    done(new FhirError('unsupported-media-type', `The admin API takes application/json${type ? `, not ${type}` : ' (Content-Type is missing)'}`), undefined);
  });
}

/** The body as a JSON object with only `allowed` fields. */
export function bodyFields(request: FastifyRequest, allowed: readonly string[]): Record<string, unknown> {
  const body = request.body;
  if (body === undefined || body === null) throw errors.invalid('A JSON object body is required');
  if (typeof body !== 'object' || Array.isArray(body)) throw errors.invalid('The body must be a JSON object');
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) throw new FhirError('invalid', unknown.map((k) => issue('invalid', `Unknown field "${k}"; this request takes ${allowed.join(', ')}`, k)));
  return body as Record<string, unknown>;
}

/** Refuses a body on a call that takes none, so that nobody believes it did something. */
export function noBody(request: FastifyRequest): void {
  const body = request.body;
  if (body === undefined || body === null) return;
  if (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0) return;
  throw errors.invalid('This request takes no body');
}

export function requiredString(fields: Record<string, unknown>, name: string, maxLength = 1000): string {
  const value = fields[name];
  if (value === undefined) throw errors.invalid(`"${name}" is required`, name);
  return stringValue(value, name, maxLength);
}

export function optionalString(fields: Record<string, unknown>, name: string, maxLength = 1000): string | undefined {
  const value = fields[name];
  return value === undefined ? undefined : stringValue(value, name, maxLength);
}

export function optionalBoolean(fields: Record<string, unknown>, name: string): boolean | undefined {
  const value = fields[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw errors.invalid(`"${name}" must be true or false`, name);
  return value;
}

export function optionalStrings(fields: Record<string, unknown>, name: string, maxItems = 50, maxLength = 1000): string[] | undefined {
  const value = fields[name];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > maxItems) throw errors.invalid(`"${name}" must be a list of at most ${maxItems} strings`, name);
  return value.map((v, i) => stringValue(v, `${name}[${i}]`, maxLength));
}

function stringValue(value: unknown, name: string, maxLength: number): string {
  if (typeof value !== 'string') throw errors.invalid(`"${name}" must be a string`, name);
  if (value.length > maxLength) throw errors.invalid(`"${name}" is longer than ${maxLength} characters`, name);
  return value;
}

/** The query's single-valued parameters; unknown or repeated ones are refused. */
export function queryParams(request: FastifyRequest, allowed: readonly string[]): Map<string, string> {
  const url = request.url;
  const q = url.indexOf('?');
  const params = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  const out = new Map<string, string>();
  for (const [name, value] of params) {
    if (!allowed.includes(name)) throw errors.invalid(`Unknown parameter "${name}"; this request takes ${allowed.length ? allowed.join(', ') : 'none'}`, name);
    if (out.has(name)) throw errors.invalid(`"${name}" may be given once`, name);
    out.set(name, value);
  }
  return out;
}

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 200;

/** `_count` (1 to MAX_PAGE, DEFAULT_PAGE when absent). */
export function pageSize(params: Map<string, string>): number {
  const raw = params.get('_count');
  if (raw === undefined) return DEFAULT_PAGE;
  if (!/^[0-9]{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_PAGE) throw errors.invalid(`_count must be a whole number from 1 to ${MAX_PAGE}`, '_count');
  return Number(raw);
}

/** The opaque `_cursor` of a next-page link: the sort key of the last row shown. */
export function readCursor(params: Map<string, string>): string | undefined {
  const raw = params.get('_cursor');
  if (raw === undefined) return undefined;
  const key = /^[A-Za-z0-9_-]{1,700}$/.test(raw) ? Buffer.from(raw, 'base64url').toString('utf8') : '';
  if (key === '') throw errors.invalid('_cursor is not one this server made; follow the "next" link as given', '_cursor');
  return key;
}

/** The URL of the page after `lastKey`, with the same filters. */
export function nextPageUrl(serverRoot: string, path: string, params: Map<string, string>, lastKey: string): string {
  const q = new URLSearchParams([...params].filter(([name]) => name !== '_cursor'));
  q.set('_cursor', Buffer.from(lastKey, 'utf8').toString('base64url'));
  return `${serverRoot}${path}?${q}`;
}

/**
 * Domain errors name fields as the domain calls them (`redirectUri`); the API's fields are
 * snake_case (`redirect_uris`). Renames the expressions so the OperationOutcome points at what
 * the administrator sent.
 */
export async function withFieldNames<T>(names: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const rename = (e: string) => (Object.hasOwn(names, e) ? names[e] : e);
    if (!(err instanceof FhirError) || !err.issues.some((i) => i.expression?.some((e) => rename(e) !== e))) throw err;
    const issues = err.issues.map((i) => (i.expression ? { ...i, expression: i.expression.map(rename) } : i));
    throw new FhirError(err.category, issues, err.headers);
  }
}
