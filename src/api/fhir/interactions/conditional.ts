/**
 * The shared core of conditional create, update, delete and patch: find what the criteria match,
 * under a lock on the criteria, inside the write's transaction. The lock is what makes 50
 * identical concurrent conditional creates produce exactly one resource: the second waits until
 * the first commits, then its search sees the first's resource.
 * @see https://hl7.org/fhir/R4/http.html#ccreate
 */
import type { Resource } from '@medplum/fhirtypes';
import type { Ctx } from '../../../domain/context.ts';
import type { StoreTransaction } from '../../../store/store.ts';
import { errors } from '../../../fhir/outcome.ts';
import { parseSearch } from '../../../fhir/search/parse.ts';
import { narrowToCaller } from './search-access.ts';

/** Result-shaping parameters that make no sense in a condition. */
const NOT_CRITERIA = new Set(['_count', '_sort', '_include', '_revinclude', '_summary', '_elements', '_total', '_cursor', '_format', '_pretty', '_contained', '_containedType']);

/**
 * The criteria of an `If-None-Exist` header: the query part of a search URL. Accepts
 * `identifier=x`, `?identifier=x` and `Patient?identifier=x` (the type must then match).
 */
export function criteriaFromHeader(resourceType: string, header: string): URLSearchParams {
  const q = header.indexOf('?');
  if (q > 0) {
    const type = header.slice(0, q).replace(/^.*\//, '');
    if (type !== resourceType) throw errors.invalid(`If-None-Exist names type ${type}, but the resource is a ${resourceType}`);
  }
  return new URLSearchParams(q >= 0 ? header.slice(q + 1) : header);
}

/**
 * Normalised criteria, so that the same condition written in another parameter order locks the
 * same key.
 */
export function normaliseCriteria(criteria: URLSearchParams): string {
  return [...criteria]
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

/**
 * Locks `Type?<criteria>` and returns up to two matches (enough to tell none, one and many).
 * Throws `invalid` for empty criteria (a condition that matches everything is never meant) and,
 * always strictly, for unknown parameters (ignoring one would widen the match).
 */
export async function lockAndMatch(ctx: Ctx, tx: StoreTransaction, resourceType: string, criteria: URLSearchParams): Promise<Resource[]> {
  for (const name of criteria.keys()) {
    if (NOT_CRITERIA.has(name)) throw errors.invalid(`${name} cannot be used in the criteria of a conditional interaction`);
  }
  if (criteria.size === 0) throw errors.invalid('A conditional interaction needs search criteria');
  const { request } = parseSearch([resourceType], criteria, { strict: true, defaultCount: 2, maxCount: 2 });
  request.count = 2;
  request.total = 'none';
  request.include = [];
  request.revinclude = [];
  // What the caller may not see is absent to the condition too: it neither matches (to be changed
  // or to block a create) nor tells, by matching, that it exists.
  await narrowToCaller(ctx, request, [resourceType]);
  await tx.lock(`${resourceType}?${normaliseCriteria(criteria)}`);
  const page = await tx.search(request);
  return page.resources;
}

/** The 412 a conditional interaction answers when its criteria match several resources. */
export function tooManyMatches(resourceType: string, criteria: URLSearchParams): Error {
  return errors.preconditionFailed(`The criteria ${resourceType}?${criteria.toString()} match more than one resource`);
}
