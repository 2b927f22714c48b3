/**
 * How a stored version appears on the wire: its ETag (`W/"n"`), Last-Modified, Location, and the
 * body a write returns under `Prefer: return=…`. Shared by every interaction that returns one
 * version so the headers are identical everywhere.
 * @see https://hl7.org/fhir/R4/http.html#versioning
 */
import type { StoredVersion } from '../../../store/store.ts';
import { errors, informationOutcome } from '../../../fhir/outcome.ts';
import type { FhirRequest, FhirResponse } from '../fhir-request.ts';
import { parsePrefer } from '../formats.ts';

/** The weak ETag of a version. */
export function etagOf(versionId: string): string {
  return `W/"${versionId}"`;
}

/** The HTTP date of an ISO instant (HTTP dates have whole seconds). */
export function httpDate(instant: string): string {
  return new Date(instant).toUTCString();
}

/** The URL of one version: `<base>/Type/id/_history/n`. */
export function versionUrl(baseUrl: string, v: Pick<StoredVersion, 'resourceType' | 'id' | 'versionId'>): string {
  return `${baseUrl}/${v.resourceType}/${v.id}/_history/${v.versionId}`;
}

/**
 * The version number an `If-Match` (or `If-None-Match`) header names: `W/"3"`, `"3"` or `3`.
 * Throws `invalid` for anything else, since guessing could overwrite the wrong version.
 */
export function versionFromETag(header: string): number {
  const match = /^\s*(?:W\/)?"?([1-9][0-9]*)"?\s*$/.exec(header);
  if (!match) throw errors.invalid(`Cannot read a version from the ETag ${JSON.stringify(header)}; expected W/"<versionId>"`);
  return Number(match[1]);
}

/** The expected version for an optimistic-concurrency write, from `If-Match`. */
export function expectedVersionOf(req: FhirRequest): number | undefined {
  return req.headers.ifMatch === undefined ? undefined : versionFromETag(req.headers.ifMatch);
}

/** A read/vread response: the resource with ETag and Last-Modified. */
export function readResponse(v: StoredVersion): FhirResponse {
  return { status: 200, body: v.resource, headers: { etag: etagOf(v.versionId), lastModified: httpDate(v.lastUpdated) } };
}

/**
 * The response to a create/update/patch, honouring `Prefer: return=minimal|representation|
 * OperationOutcome` (representation by default). Location is set on 201, Content-Location always.
 */
export function writeResponse(req: FhirRequest, v: StoredVersion, status: 200 | 201): FhirResponse {
  const url = versionUrl(req.baseUrl, v);
  const response: FhirResponse = {
    status,
    headers: { etag: etagOf(v.versionId), lastModified: httpDate(v.lastUpdated), contentLocation: url },
  };
  if (status === 201) response.headers!.location = url;
  const preference = parsePrefer(req.headers.prefer).return ?? 'representation';
  if (preference === 'representation') response.body = v.resource;
  else if (preference === 'OperationOutcome') {
    response.body = informationOutcome(`${status === 201 ? 'Created' : 'Processed'} ${v.resourceType}/${v.id} version ${v.versionId}`);
  }
  return response;
}
