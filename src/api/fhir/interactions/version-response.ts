/**
 * How a stored version appears on the wire: its ETag (`W/"n"`), Last-Modified, Location, and the
 * body a write returns under `Prefer: return=…`. Shared by every interaction that returns one
 * version so the headers are identical everywhere.
 * @see https://hl7.org/fhir/R4/http.html#versioning
 */
import type { Resource } from '@medplum/fhirtypes';
import type { StoredVersion } from '../../../store/store.ts';
import { errors, informationOutcome } from '../../../fhir/outcome.ts';
import type { FhirRequest, FhirResponse } from '../fhir-request.ts';
import { parsePrefer } from '../formats.ts';

/** The weak ETag of a version. */
export function etagOf(versionId: string): string {
  return `W/"${versionId}"`;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** `YYYY-MM-DDTHH:MM:SS[.sss]Z`, as the store writes `lastUpdated`. */
const UTC_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/;

/**
 * The HTTP date of an ISO instant (HTTP dates have whole seconds). Instants in the store's own
 * UTC form are rearranged as text, which costs a fraction of parsing and formatting a Date; this
 * runs on every read.
 */
export function httpDate(instant: string): string {
  const m = UTC_INSTANT.exec(instant);
  if (m === null) return new Date(instant).toUTCString();
  const [, year, month, day, time] = m;
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  if (y < 1000 || mo < 1 || mo > 12 || d < 1 || d > 31) return new Date(instant).toUTCString();
  return `${WEEKDAYS[weekday(y, mo, d)]}, ${day} ${MONTHS[mo - 1]} ${year} ${time} GMT`;
}

/** Day of the week (0 = Sunday) of a Gregorian date, by Sakamoto's method. */
function weekday(y: number, m: number, d: number): number {
  const t = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
  const year = m < 3 ? y - 1 : y;
  return (year + Math.floor(year / 4) - Math.floor(year / 100) + Math.floor(year / 400) + t[m - 1] + d) % 7;
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

/**
 * A read/vread response: the resource with ETag and Last-Modified. When the store has the stored
 * text, it goes out as `rawBody` and `body` stays unparsed until someone (a Bundle) asks for it.
 */
export function readResponse(v: StoredVersion): FhirResponse {
  const headers = { etag: etagOf(v.versionId), lastModified: httpDate(v.lastUpdated) };
  return v.json === undefined ? { status: 200, body: v.resource, headers } : new StoredReadResponse(v, v.json, headers);
}

/**
 * `body` is an own enumerable accessor (so copies keep it) from one shared descriptor: an object
 * literal with a getter per response costs more than the parse it defers.
 */
class StoredReadResponse implements FhirResponse {
  readonly status = 200;
  declare body?: Resource;
  #version: StoredVersion | undefined;
  #body: Resource | undefined;

  private static readonly BODY: PropertyDescriptor = {
    get(this: StoredReadResponse): Resource | undefined {
      return this.#version === undefined ? this.#body : this.#version.resource;
    },
    set(this: StoredReadResponse, value: Resource | undefined) {
      // A replaced body no longer matches the stored text.
      this.#version = undefined;
      this.#body = value;
      this.rawBody = undefined;
    },
    enumerable: true,
    configurable: true,
  };

  constructor(
    version: StoredVersion,
    public rawBody: string | undefined,
    readonly headers: NonNullable<FhirResponse['headers']>,
  ) {
    this.#version = version;
    Object.defineProperty(this, 'body', StoredReadResponse.BODY);
  }
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
