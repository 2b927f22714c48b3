/**
 * A search reads more than its own type: chained parameters and `_has` test other types'
 * resources, and `_include`/`_revinclude` return them. Each of those types must be readable by
 * the caller, or the search would reveal, through a predicate or an included resource, data the
 * caller may not read directly.
 * @see https://hl7.org/fhir/R4/search.html#chaining
 */
import { authorize, isAllowed } from '../../../domain/access/authorize.ts';
import { compartmentRestriction } from '../../../domain/access/compartment-access.ts';
import { restrictionCriteria, restrictPredicates } from '../../../domain/access/restricted-records.ts';
import { releaseRestriction } from '../../../domain/access/results-release.ts';
import { scopePredicates, scopeRestriction } from '../../../domain/access/scope-access.ts';
import type { Ctx } from '../../../domain/context.ts';
import type { SearchCriterion, SearchRequest } from '../../../fhir/search/types.ts';
import type { Resource } from '@medplum/fhirtypes';

/**
 * Makes a parsed search of `types` one the caller may run — a search request, or the condition of
 * a conditional interaction or reference, which must not match (and so reveal or change) what a
 * search would not show. Authorises every type the client's own criteria and includes reach,
 * then adds, in order: `extra` (e.g. a compartment search's own criterion), the bound patients'
 * compartments, the restricted-record rules, the granular scopes — each also narrowing every
 * chain and `_has` target — and the results-release rule for patients and proxies. Throws `forbidden` for a type the caller may not search.
 */
export async function narrowToCaller(ctx: Ctx, request: SearchRequest, types: readonly string[], extra?: SearchCriterion): Promise<void> {
  // Before access rules add criteria of their own: those follow references the caller need not be
  // allowed to search, and nest the client's chains where the type walk does not look.
  authorizeReachedTypes(ctx, request);
  if (extra !== undefined) request.criteria.push(extra);
  const restriction = compartmentRestriction(ctx, types);
  if (restriction !== undefined) request.criteria.push(restriction);
  request.criteria = [...(await restrictPredicates(ctx, request.criteria)), ...(await restrictionCriteria(ctx, types))];
  // Granular scopes last, so the predicates above are narrowed by them too.
  request.criteria = scopePredicates(ctx, request.criteria);
  const scoped = scopeRestriction(ctx, types);
  if (scoped !== undefined) request.criteria.push(scoped);
  // After every narrowing of predicates: the release rule's own negations must not be narrowed.
  const release = await releaseRestriction(ctx, types);
  if (release !== undefined) request.criteria.push(release);
}

/** Throws `forbidden` unless every type a criterion or a `_revinclude` names may be searched. */
export function authorizeReachedTypes(ctx: Ctx, request: SearchRequest): void {
  const types = new Set<string>();
  for (const criterion of request.criteria) collectCriterionTypes(criterion, types);
  // `_revinclude=*` names no type: what it returns is filtered by `readableIncluded` instead.
  for (const directive of request.revinclude) if (directive.sourceType !== '*') types.add(directive.sourceType);
  for (const directive of request.include) if (directive.targetType !== undefined) types.add(directive.targetType);
  for (const resourceType of types) authorize(ctx, { interaction: 'search-type', resourceType });
}

/**
 * Drops included resources of types the caller may not read: an `_include` without a target
 * type can reach any type its reference parameter allows, known only once it has run.
 */
export function readableIncluded(ctx: Ctx, included: Resource[]): Resource[] {
  return included.filter((resource) => isAllowed(ctx, { interaction: 'search-type', resourceType: resource.resourceType }));
}

function collectCriterionTypes(criterion: SearchCriterion, types: Set<string>): void {
  if (criterion.chain) {
    types.add(criterion.chain.targetType);
    collectCriterionTypes(criterion.chain.criterion, types);
  }
  for (const inner of criterion.anyOf ?? []) collectCriterionTypes(inner, types);
  if (criterion.has) {
    types.add(criterion.has.sourceType);
    collectCriterionTypes(criterion.has.criterion, types);
  }
}
