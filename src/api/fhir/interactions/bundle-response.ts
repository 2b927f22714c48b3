/**
 * The response side of batch/transaction: one `Bundle.entry.response` per request entry (status
 * line, location, ETag, last-modified, the resource or an OperationOutcome) and errors that say
 * which entry failed.
 * @see https://hl7.org/fhir/R4/bundle-definitions.html#Bundle.entry.response
 */
import type { BundleEntry, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { FhirError, type Issue } from '../../../fhir/outcome.ts';
import { statusFor } from '../../errors.ts';
import type { FhirRequest, FhirResponse } from '../fhir-request.ts';
import type { BundleEntryRequest } from './bundle-entries.ts';

const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  304: 'Not Modified',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** `201 Created`: the status line form `Bundle.entry.response.status` uses. */
export function statusLine(status: number): string {
  const reason = REASONS[status];
  return reason ? `${status} ${reason}` : String(status);
}

/**
 * The response entry of a successful request entry. An OperationOutcome returned by a write
 * (`Prefer: return=OperationOutcome`) goes to `response.outcome`; a read's body to `resource`.
 */
export function successEntry(res: FhirResponse, request: FhirRequest): BundleEntry {
  const response: NonNullable<BundleEntry['response']> = { status: statusLine(res.status) };
  const h = res.headers;
  if (h?.location) response.location = h.location;
  else if (h?.contentLocation && res.status !== 200) response.location = h.contentLocation;
  if (h?.etag) response.etag = h.etag;
  const lastModified = (res.body as Resource | undefined)?.meta?.lastUpdated ?? (h?.lastModified ? new Date(h.lastModified).toISOString() : undefined);
  if (lastModified) response.lastModified = lastModified;
  const entry: BundleEntry = {};
  const body = res.body;
  const isRead = request.method === 'GET' || request.method === 'HEAD';
  if (body?.resourceType === 'OperationOutcome' && !isRead) response.outcome = body as OperationOutcome;
  else if (body && request.method !== 'HEAD') {
    if (body.id && body.resourceType !== 'Bundle') entry.fullUrl = `${request.baseUrl}/${body.resourceType}/${body.id}`;
    entry.resource = body;
  }
  entry.response = response;
  return entry;
}

/** The response entry of a failed batch entry: its status and OperationOutcome. */
export function failureEntry(error: FhirError): BundleEntry {
  return { response: { status: statusLine(statusFor(error.category)), outcome: error.toOperationOutcome() } };
}

/**
 * The `Type/id` a write response names (from Location or Content-Location), to compare with the
 * identity assigned before the entry ran.
 */
export function writtenIdentity(res: FhirResponse): string | undefined {
  const url = res.headers?.location ?? res.headers?.contentLocation;
  const match = url === undefined ? undefined : /([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(url);
  return match?.[1];
}

/**
 * Re-raises an entry's error so it says which entry failed: expressions that start at the
 * resource (`Patient.birthDate`) are moved under the entry (`Bundle.entry[2].resource.birthDate`),
 * other issues gain the entry as their location. Anything that is not a FhirError (a bug) passes
 * through unchanged.
 */
export function atEntry(error: unknown, entry: BundleEntryRequest): unknown {
  if (!(error instanceof FhirError)) return error;
  const prefix = `Bundle.entry[${entry.index}]`;
  const resourceType = (entry.request.body as Resource | undefined)?.resourceType ?? entry.resourceType;
  const issues: Issue[] = error.issues.map((i) => {
    const expression = (i.expression ?? []).map((e) => relocate(e, prefix, resourceType));
    if (!expression.some((e) => e.startsWith(prefix))) expression.push(prefix);
    const diagnostics = i.diagnostics.startsWith(prefix) ? i.diagnostics : `${prefix} (${entry.request.method} ${entry.request.path}): ${i.diagnostics}`;
    return { ...i, diagnostics, expression };
  });
  return new FhirError(error.category, issues, error.headers);
}

function relocate(expression: string, prefix: string, resourceType: string | undefined): string {
  if (expression.startsWith('Bundle.entry[')) return expression;
  if (resourceType && (expression === resourceType || expression.startsWith(resourceType + '.') || expression.startsWith(resourceType + '['))) {
    return `${prefix}.resource${expression.slice(resourceType.length)}`;
  }
  return expression;
}
