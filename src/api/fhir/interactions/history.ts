/**
 * `GET [base]/[type]/[id]/_history`, `[base]/[type]/_history`, `[base]/_history`: every version,
 * newest first, deletes included, with `_since`, `_at`, `_count` and paging by `_cursor`.
 * @see https://hl7.org/fhir/R4/http.html#history
 */
import { type Ctx, reader } from '../../../domain/context.ts';
import { errors } from '../../../fhir/outcome.ts';
import type { HistoryQuery } from '../../../store/store.ts';
import type { FhirRequest, FhirResponse } from '../fhir-request.ts';
import { historyBundle } from './search-bundle.ts';

export const DEFAULT_HISTORY_COUNT = 20;
export const MAX_HISTORY_COUNT = 1000;

/** History of one resource, one type or (without either) the whole practice. */
export async function history(ctx: Ctx, req: FhirRequest, resourceType?: string, id?: string): Promise<FhirResponse> {
  const query = historyQuery(req.query, resourceType, id);
  const store = reader(ctx);
  const page = await store.history(query);
  if (id !== undefined && resourceType !== undefined && page.entries.length === 0 && query.cursor === undefined) {
    // An empty history of an id that never existed is a 404, not an empty Bundle.
    if ((await store.readCurrent(resourceType, id)) === undefined) throw errors.notFound(`${resourceType}/${id} is not known`);
  }
  const path = [resourceType, id, '_history'].filter((p) => p !== undefined).join('/');
  const pageQuery = new URLSearchParams(req.query);
  pageQuery.delete('_cursor');
  return { status: 200, body: historyBundle({ baseUrl: req.baseUrl, path, query: pageQuery, cursor: query.cursor, page }) };
}

/** Reads `_since`, `_at`, `_count` and `_cursor`; other parameters are not defined for history. */
export function historyQuery(params: URLSearchParams, resourceType?: string, id?: string): HistoryQuery {
  const query: HistoryQuery = { count: countOf(params.get('_count')) };
  if (resourceType !== undefined) query.resourceType = resourceType;
  if (id !== undefined) query.id = id;
  const since = params.get('_since');
  if (since !== null) query.since = instantOf('_since', since);
  const at = params.get('_at');
  if (at !== null) query.at = instantOf('_at', at);
  const cursor = params.get('_cursor');
  if (cursor !== null && cursor !== '') query.cursor = cursor;
  return query;
}

function countOf(value: string | null): number {
  if (value === null) return DEFAULT_HISTORY_COUNT;
  if (!/^[0-9]+$/.test(value)) throw errors.invalid(`_count must be a non-negative integer, not ${JSON.stringify(value)}`, '_count');
  return Math.min(Number(value), MAX_HISTORY_COUNT);
}

/** An instant (`_since`) or dateTime (`_at`); a date without time zone is read as UTC. */
function instantOf(name: string, value: string): number {
  const valid = /^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/.test(value);
  const withZone = /T.*(Z|[+-]\d{2}:\d{2})$/.test(value) || !value.includes('T') ? value : value + 'Z';
  const ms = valid ? Date.parse(withZone.length === 4 ? `${withZone}-01-01` : withZone) : NaN;
  if (Number.isNaN(ms)) throw errors.invalid(`${name} must be a FHIR instant such as 2024-01-31T12:00:00Z, not ${JSON.stringify(value)}`, name);
  return ms;
}
