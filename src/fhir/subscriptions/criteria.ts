/**
 * A Subscription's `criteria` (R4): a search URL relative to the FHIR base, `Type?param=value…`,
 * naming the one resource type it watches and the search a new or changed resource of that type
 * must match. Checked with the search parser in strict mode, so a criteria Heron cannot evaluate
 * (an unknown parameter, a bad value) is refused when the Subscription is written rather than
 * silently never matching. Result parameters (`_count`, `_sort`, `_include`…) say nothing about
 * which resources match, so they are refused too.
 * @see https://hl7.org/fhir/R4/subscription.html#criteria
 */
import { isResourceType } from '../definitions.ts';
import { errors } from '../outcome.ts';
import { parseSearch } from '../search/parse.ts';

export interface SubscriptionCriteria {
  resourceType: string;
  /** The search parameters, as a search of `resourceType` takes them. */
  query: URLSearchParams;
}

/** Parameters that shape a result instead of selecting resources. */
const RESULT_PARAMETERS = new Set(['_count', '_sort', '_include', '_revinclude', '_summary', '_elements', '_total', '_contained', '_containedType', '_cursor', '_format', '_pretty', '_type']);

/** Parses and checks `criteria`; throws FhirError `invalid` with the reason. */
export function parseCriteria(criteria: string | undefined): SubscriptionCriteria {
  const text = (criteria ?? '').trim();
  if (text === '') throw errors.invalid('A Subscription needs criteria: a search such as Task?owner=Practitioner/123', 'Subscription.criteria');
  const q = text.indexOf('?');
  const resourceType = q < 0 ? text : text.slice(0, q);
  if (!isResourceType(resourceType)) {
    throw errors.invalid(`The criteria must start with a resource type (e.g. Task?status=requested); ${JSON.stringify(resourceType)} is not one`, 'Subscription.criteria');
  }
  const query = new URLSearchParams(q < 0 ? '' : text.slice(q + 1));
  for (const name of query.keys()) {
    if (RESULT_PARAMETERS.has(name.split(':')[0])) throw errors.invalid(`${name} shapes a search's result and cannot be part of a Subscription's criteria`, 'Subscription.criteria');
  }
  parseSearch([resourceType], query, { strict: true, defaultCount: 1, maxCount: 1 });
  return { resourceType, query };
}
