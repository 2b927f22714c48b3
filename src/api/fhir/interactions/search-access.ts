/**
 * A search reads more than its own type: chained parameters and `_has` test other types'
 * resources, and `_include`/`_revinclude` return them. Each of those types must be readable by
 * the caller, or the search would reveal, through a predicate or an included resource, data the
 * caller may not read directly.
 * @see https://hl7.org/fhir/R4/search.html#chaining
 */
import { authorize, isAllowed } from '../../../domain/access/authorize.ts';
import type { Ctx } from '../../../domain/context.ts';
import type { SearchCriterion, SearchRequest } from '../../../fhir/search/types.ts';
import type { Resource } from '@medplum/fhirtypes';

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
