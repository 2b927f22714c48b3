/**
 * `GET [base]/[type]?…`, `POST [base]/[type]/_search` and system search `GET [base]?_type=…`.
 * Parameters are parsed by `parseSearch` (FHIR knowledge), run by the store, and returned as a
 * searchset Bundle. Unknown parameters are reported as warnings in an outcome entry, or refused
 * under `Prefer: handling=strict`.
 * @see https://hl7.org/fhir/R4/search.html
 */
import { isAllowed } from '../../../domain/access/authorize.ts';
import { withinCompartment } from '../../../domain/access/compartment-access.ts';
import { withoutHidden } from '../../../domain/access/restricted-records.ts';
import { withoutUnreleased } from '../../../domain/access/results-release.ts';
import { withinScopes } from '../../../domain/access/scope-access.ts';
import { type Ctx, reader } from '../../../domain/context.ts';
import { errors, issue } from '../../../fhir/outcome.ts';
import { isResourceType, resourceTypeNames } from '../../../fhir/definitions.ts';
import { compartmentCriterion, compartmentMemberTypes } from '../../../fhir/search/compartment.ts';
import { parseSearch } from '../../../fhir/search/parse.ts';
import type { SearchCriterion } from '../../../fhir/search/types.ts';
import type { FhirRequest, FhirResponse } from '../fhir-request.ts';
import { parsePrefer } from '../formats.ts';
import { narrowToCaller, readableIncluded } from './search-access.ts';
import { searchsetBundle } from './search-bundle.ts';
import { parseElements, parseSummary, shaperFor } from './summary.ts';

export const DEFAULT_SEARCH_COUNT = 20;
export const MAX_SEARCH_COUNT = 1000;

/** Parameters this module handles itself rather than passing to `parseSearch`. */
const OWN_PARAMETERS = ['_summary', '_elements', '_cursor', '_type'];

/** Type-level search. */
export function searchType(ctx: Ctx, req: FhirRequest, resourceType: string): Promise<FhirResponse> {
  return runSearch(ctx, req, [resourceType], resourceType);
}

/** System-level search across `_type` (or every type when `_type` is absent). */
export function searchSystem(ctx: Ctx, req: FhirRequest): Promise<FhirResponse> {
  const listed = typesOf(req.query);
  return runSearch(ctx, req, listed.length > 0 ? listed : resourceTypeNames(), '');
}

/**
 * Compartment search: `Patient/123/Observation?…` searches Observations in that patient's
 * compartment; `Patient/123/*` every member type (or those `_type` names).
 */
export function searchCompartment(ctx: Ctx, req: FhirRequest, compartmentType: string, id: string, target: string): Promise<FhirResponse> {
  let types = compartmentSearchTypes(compartmentType, target, req.query);
  if (target === '*' && typesOf(req.query).length === 0) {
    types = types.filter((resourceType) => isAllowed(ctx, { interaction: 'search-type', resourceType }));
    if (types.length === 0) throw errors.forbidden('No type of this compartment may be searched with this access');
  }
  return runSearch(ctx, req, types, `${compartmentType}/${id}/${target}`, compartmentCriterion(compartmentType, id, types));
}

/** The types a compartment search reaches; exported so dispatch authorises each of them. */
export function compartmentSearchTypes(compartmentType: string, target: string, query: URLSearchParams): string[] {
  if (target !== '*') return [target];
  const listed = typesOf(query);
  return listed.length > 0 ? listed : compartmentMemberTypes(compartmentType);
}

/**
 * The types a system search names in `_type` (empty: all). Exported so that dispatch can
 * authorise each named type, letting a type-scoped client search its own types.
 */
export function typesOf(query: URLSearchParams): string[] {
  const listed = query
    .getAll('_type')
    .flatMap((v) => v.split(','))
    .map((t) => t.trim())
    .filter((t) => t !== '');
  for (const type of listed) if (!isResourceType(type)) throw errors.invalid(`_type lists ${JSON.stringify(type)}, which is not a resource type`, '_type');
  return listed;
}

/**
 * `Patient/[id]/$everything`'s members: every type of the patient's compartment the caller may
 * search (or those `_type` names), narrowed by `criteria`, with paging links to `path` carrying
 * the operation's own parameters (`linkQuery`).
 */
export function searchPatientRecord(ctx: Ctx, req: FhirRequest, id: string, criteria: URLSearchParams, path: string): Promise<FhirResponse> {
  // The Patient itself is read apart (it leads the first page), not found as a member of its own compartment.
  let types = compartmentSearchTypes('Patient', '*', criteria).filter((t) => t !== 'Patient');
  if (typesOf(criteria).length === 0) types = types.filter((resourceType) => isAllowed(ctx, { interaction: 'search-type', resourceType }));
  if (types.length === 0) throw errors.forbidden('No type of this record may be searched with this access');
  return runSearch(ctx, { ...req, query: criteria }, types, path, compartmentCriterion('Patient', id, types), req.query);
}

async function runSearch(ctx: Ctx, req: FhirRequest, resourceTypes: string[], path: string, scope?: SearchCriterion, linkQuery: URLSearchParams = req.query): Promise<FhirResponse> {
  const summary = parseSummary(req.query.get('_summary'));
  const shape = shaperFor(summary, parseElements(req.query.get('_elements')));
  const cursor = req.query.get('_cursor') ?? undefined;
  const criteria = new URLSearchParams(req.query);
  for (const name of OWN_PARAMETERS) criteria.delete(name);

  const strict = parsePrefer(req.headers.prefer).handling === 'strict';
  const { request, warnings } = parseSearch(resourceTypes, criteria, { strict, defaultCount: DEFAULT_SEARCH_COUNT, maxCount: MAX_SEARCH_COUNT });
  await narrowToCaller(ctx, request, resourceTypes, scope);
  if (cursor !== undefined && cursor !== '') request.cursor = cursor;
  const countOnly = summary === 'count';
  if (countOnly) {
    request.count = 0;
    request.total = 'accurate';
    request.include = [];
    request.revinclude = [];
  }
  const page = await reader(ctx).search(request);
  page.included = await withoutUnreleased(ctx, await withinScopes(ctx, await withoutHidden(ctx, withinCompartment(ctx, readableIncluded(ctx, page.included)))));
  if (page.includedLimit !== undefined) {
    warnings.push(issue('too-costly', `_include/_revinclude reached more resources than the ${page.includedLimit} returned per page; narrow the search or use a smaller _count`, undefined, 'warning'));
  }

  const pageQuery = new URLSearchParams(linkQuery);
  pageQuery.delete('_cursor');
  const bundle = searchsetBundle({ baseUrl: req.baseUrl, path, query: pageQuery, cursor: request.cursor, page, warnings, shape, countOnly });
  return { status: 200, body: bundle };
}
