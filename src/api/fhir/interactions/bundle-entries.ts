/**
 * Reading a batch/transaction Bundle: the envelope (type, entry list, size bound) and each
 * entry's `request` turned into the `FhirRequest` that `dispatch` runs, so an entry is handled
 * exactly like the same request sent on its own.
 * @see https://hl7.org/fhir/R4/bundle.html#transaction
 */
import type { Resource } from '@medplum/fhirtypes';
import { errors, FhirError, issue } from '../../../fhir/outcome.ts';
import type { FhirRequest } from '../fhir-request.ts';
import { DEFAULT_BODY_LIMITS, parseJsonBody } from '../body.ts';
import { parsePrefer } from '../formats.ts';

export const DEFAULT_MAX_BUNDLE_ENTRIES = 10_000;

export type BundleKind = 'batch' | 'transaction';

/** One entry, ready to dispatch. */
export interface BundleEntryRequest {
  /** Position in `Bundle.entry`, for error expressions and the response order. */
  index: number;
  fullUrl?: string;
  request: FhirRequest;
  /** The resource type the entry's URL names (`Patient` in `Patient/1`, `Patient?x=y`). */
  resourceType?: string;
  /** The id the URL names (`1` in `Patient/1`); undefined for type-level or conditional URLs. */
  id?: string;
}

const METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
const TYPE_SEGMENT = /^[A-Z][A-Za-z]+$/;
const JSON_PATCH = 'application/json-patch+json';

/**
 * Checks the envelope and returns the raw entries.
 * @throws FhirError `invalid` for a non-Bundle or a Bundle of another type, `too-large` (413)
 *   beyond `maxEntries` entries.
 */
export function readBundle(body: unknown, maxEntries: number): { kind: BundleKind; entries: unknown[] } {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || (body as Resource).resourceType !== 'Bundle') {
    throw errors.invalid('POST to the FHIR base expects a Bundle of type batch or transaction', 'Bundle');
  }
  const bundle = body as { type?: unknown; entry?: unknown };
  if (bundle.type !== 'batch' && bundle.type !== 'transaction') {
    throw errors.invalid(`Bundle.type must be batch or transaction to be processed, not ${JSON.stringify(bundle.type)}`, 'Bundle.type');
  }
  const entries = bundle.entry ?? [];
  if (!Array.isArray(entries)) throw errors.invalid('Bundle.entry must be an array', 'Bundle.entry');
  if (entries.length > maxEntries) {
    throw new FhirError('too-large', [issue('too-long', `A Bundle may have at most ${maxEntries} entries; this one has ${entries.length}`, 'Bundle.entry')]);
  }
  return { kind: bundle.type, entries };
}

/**
 * Turns `Bundle.entry[index]` into a request against the same base as the Bundle.
 * Write entries default to `Prefer: return=minimal` (the response Bundle would otherwise repeat
 * every resource sent); the Bundle's own `Prefer` header overrides that.
 * @throws FhirError `invalid` with an expression such as `Bundle.entry[3].request.url`.
 */
export function entryRequest(raw: unknown, index: number, outer: FhirRequest): BundleEntryRequest {
  const at = `Bundle.entry[${index}]`;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw errors.invalid(`${at} must be an object`, at);
  const entry = raw as { fullUrl?: unknown; resource?: unknown; request?: unknown };
  if (entry.fullUrl !== undefined && (typeof entry.fullUrl !== 'string' || entry.fullUrl === '')) throw errors.invalid(`${at}.fullUrl must be a non-empty string`, `${at}.fullUrl`);
  const r = entry.request;
  if (r === null || typeof r !== 'object' || Array.isArray(r)) throw errors.invalid(`${at}.request is required in a batch or transaction`, `${at}.request`);
  const request = r as Record<string, unknown>;
  const method = request.method;
  if (typeof method !== 'string' || !METHODS.has(method)) throw errors.invalid(`${at}.request.method must be one of ${[...METHODS].join(', ')}`, `${at}.request.method`);
  if (typeof request.url !== 'string' || request.url.trim() === '') throw errors.invalid(`${at}.request.url is required`, `${at}.request.url`);
  const { path, query } = splitUrl(request.url.trim(), outer.baseUrl, `${at}.request.url`);
  if (path === '' && method !== 'GET' && method !== 'HEAD') throw errors.invalid(`${at}.request.url must name a resource type; nested batches and transactions are not supported`, `${at}.request.url`);

  const headers: FhirRequest['headers'] = {};
  for (const [field, name] of [
    ['ifMatch', 'ifMatch'],
    ['ifNoneMatch', 'ifNoneMatch'],
    ['ifNoneExist', 'ifNoneExist'],
    ['ifModifiedSince', 'ifModifiedSince'],
  ] as const) {
    const value = request[field];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw errors.invalid(`${at}.request.${field} must be a string`, `${at}.request.${field}`);
    headers[name] = value;
  }
  headers.prefer = entryPrefer(outer.headers.prefer);

  let body: unknown;
  if (method === 'POST' || method === 'PUT') {
    body = requireResource(entry.resource, `${at}.resource`, `${method} entries need a resource`);
    headers.contentType = 'application/fhir+json';
  } else if (method === 'PATCH') {
    ({ body, contentType: headers.contentType } = patchBody(entry.resource, `${at}.resource`));
  }

  const segments = path.split('/');
  const resourceType = TYPE_SEGMENT.test(segments[0]) ? segments[0] : undefined;
  const id = resourceType && segments.length >= 2 && !/^[_$]/.test(segments[1]) ? segments[1] : undefined;
  const result: BundleEntryRequest = {
    index,
    request: { method: method as FhirRequest['method'], path, query, headers, body, baseUrl: outer.baseUrl, ...(outer.binaryBytes === undefined ? {} : { binaryBytes: outer.binaryBytes }) },
  };
  if (typeof entry.fullUrl === 'string') result.fullUrl = entry.fullUrl;
  if (resourceType) result.resourceType = resourceType;
  if (id) result.id = id;
  return result;
}

/** `Patient/1?x=y`, `/Patient/1` or `<base>/Patient/1` -> path relative to the base and query. */
function splitUrl(url: string, baseUrl: string, expression: string): { path: string; query: URLSearchParams } {
  let relative = url;
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) {
    if (!url.startsWith(baseUrl + '/') && url !== baseUrl) throw errors.invalid(`${expression} must be relative to this server's FHIR base (${baseUrl})`, expression);
    relative = url.slice(baseUrl.length);
  }
  relative = relative.replace(/^\/+/, '');
  const q = relative.indexOf('?');
  const path = (q < 0 ? relative : relative.slice(0, q)).replace(/\/+$/, '');
  return { path, query: new URLSearchParams(q < 0 ? '' : relative.slice(q + 1)) };
}

function requireResource(value: unknown, expression: string, message: string): Resource {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || typeof (value as Resource).resourceType !== 'string') {
    throw errors.invalid(`${expression}: ${message}`, expression);
  }
  return value as Resource;
}

/**
 * R4 carries a PATCH inside a Bundle as a `Binary` holding a JSON Patch, or as FHIRPath Patch
 * `Parameters`.
 * @see https://hl7.org/fhir/R4/http.html#patch
 */
function patchBody(value: unknown, expression: string): { body: unknown; contentType: string } {
  const resource = requireResource(value, expression, 'PATCH entries need a Binary (JSON Patch) or Parameters (FHIRPath Patch) resource');
  if (resource.resourceType === 'Parameters') return { body: resource, contentType: 'application/fhir+json' };
  if (resource.resourceType === 'Binary') {
    const binary = resource as { contentType?: unknown; data?: unknown };
    if (typeof binary.contentType !== 'string' || binary.contentType.split(';')[0].trim() !== JSON_PATCH) {
      throw errors.invalid(`${expression}.contentType must be ${JSON_PATCH}`, `${expression}.contentType`);
    }
    if (typeof binary.data !== 'string') throw errors.invalid(`${expression}.data must hold the base64 JSON Patch`, `${expression}.data`);
    const patch = parseJsonBody(Buffer.from(binary.data, 'base64'), DEFAULT_BODY_LIMITS.maxDepth);
    if (!Array.isArray(patch)) throw errors.invalid(`${expression}.data must hold a base64-encoded JSON Patch array`, `${expression}.data`);
    return { body: patch, contentType: JSON_PATCH };
  }
  throw errors.invalid(`${expression} must be a Binary or Parameters resource for PATCH`, expression);
}

/** The entry's Prefer: the Bundle's, with `return=minimal` unless the Bundle asked otherwise. */
function entryPrefer(outer: string | undefined): string {
  if (outer && parsePrefer(outer).return !== undefined) return outer;
  return outer ? `${outer}, return=minimal` : 'return=minimal';
}
