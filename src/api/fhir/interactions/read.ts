/**
 * `GET [base]/[type]/[id]`: the current version. Unknown -> 404, deleted -> 410. Honours
 * `If-None-Match` and `If-Modified-Since` with 304 so clients can revalidate caches cheaply.
 * This is the hottest path of the server: one store read, no copies.
 * @see https://hl7.org/fhir/R4/http.html#read
 */
import { type Ctx, reader } from '../../../domain/context.ts';
import { errors } from '../../../fhir/outcome.ts';
import type { StoredVersion } from '../../../store/store.ts';
import type { FhirRequest, FhirResponse } from '../fhir-request.ts';
import { etagOf, httpDate, readResponse, versionFromETag } from './version-response.ts';
import { nativeResponse } from './binary-native.ts';

export async function read(ctx: Ctx, req: FhirRequest, resourceType: string, id: string): Promise<FhirResponse> {
  const current = await reader(ctx).readCurrent(resourceType, id);
  if (current === undefined) throw errors.notFound(`${resourceType}/${id} is not known`);
  if (current.deleted) throw errors.gone(`${resourceType}/${id} was deleted`);
  if (notModified(req, current)) {
    return { status: 304, headers: { etag: etagOf(current.versionId), lastModified: httpDate(current.lastUpdated) } };
  }
  if (req.nativeAccept !== undefined && resourceType === 'Binary') return nativeResponse(current, req.nativeAccept);
  return readResponse(current);
}

/** True when the client's cached copy (by ETag, else by date) is still current. */
export function notModified(req: FhirRequest, v: StoredVersion): boolean {
  const { ifNoneMatch, ifModifiedSince } = req.headers;
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() === '*') return true;
    return ifNoneMatch.split(',').some((tag) => sameVersion(tag, v.versionId));
  }
  if (ifModifiedSince !== undefined) {
    const since = Date.parse(ifModifiedSince);
    // HTTP dates have whole seconds; compare at that resolution or a fresh copy looks stale.
    if (!Number.isNaN(since)) return Math.floor(Date.parse(v.lastUpdated) / 1000) * 1000 <= since;
  }
  return false;
}

function sameVersion(tag: string, versionId: string): boolean {
  try {
    return String(versionFromETag(tag)) === versionId;
  } catch {
    return false; // A tag that is not one of ours cannot match ours (RFC 9110 13.1.2).
  }
}
