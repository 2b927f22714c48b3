/**
 * SMART resource scopes, v1 and v2, including v2 granular scopes: a scope may end in a FHIR
 * search query (`patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|vital-signs`)
 * that narrows what it grants to the resources of its type the query matches. The query is read
 * by the same parser as a search, so a scope means exactly what the search would; what it may
 * hold is narrower than a search: parameters of its own type only (no chains, `_has` or result
 * parameters), every value non-empty, nothing the parser would only warn about. Anything else
 * is refused, never granted as the whole type.
 *
 * Shared by app and client registration (`domain/clients`), the authorization endpoint and the
 * access decision (`authorize.ts`), so a scope that is registered is a scope that is enforced.
 * @see https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html
 */
import { isResourceType } from '../../fhir/definitions.ts';
import { FhirError, issue } from '../../fhir/outcome.ts';
import { parseCriterion, UnsupportedParameter } from '../../fhir/search/criterion.ts';
import type { SearchCriterion } from '../../fhir/search/types.ts';

export interface ResourceScope {
  /** The scope as written. */
  text: string;
  context: 'system' | 'user' | 'patient';
  /** A resource type, or `*`. */
  resourceType: string;
  /** The SMART v2 permission letters it grants, in `cruds` order (v1 forms translated). */
  letters: string;
  /** The query's criteria, all of which a resource must match; absent without a query. */
  criteria?: readonly SearchCriterion[];
  /** The query with its parameters in a fixed order, to compare two scopes' queries. */
  query?: string;
}

const FORM = /^(system|user|patient)\/([A-Za-z]+|\*)\.([a-z]+|\*)(?:\?(.*))?$/;
const V1: Record<string, string> = { read: 'rs', write: 'cud', '*': 'cruds' };
const V2 = /^c?r?u?d?s?$/;

/**
 * Parameters that shape or page a result and select nothing: in a scope they would be ignored,
 * so the scope would grant more than it says.
 */
const NOT_CRITERIA = new Set(['_count', '_sort', '_total', '_summary', '_elements', '_cursor', '_format', '_pretty', '_type', '_contained', '_containedType', '_include', '_revinclude']);

/**
 * Parses a resource scope. Undefined when the text is not shaped like one (`openid`, `launch`…);
 * throws FhirError `invalid` saying what is wrong with one that is (an unknown type, bad
 * permissions, a query Heron cannot enforce).
 */
export function parseResourceScope(text: string): ResourceScope | undefined {
  const match = FORM.exec(text);
  if (!match) return undefined;
  const [, context, resourceType, permissions, rawQuery] = match;
  if (resourceType !== '*' && !isResourceType(resourceType)) throw refused(text, `${resourceType} is not a FHIR R4 resource type`);
  const v1 = V1[permissions];
  if (v1 === undefined && !V2.test(permissions)) throw refused(text, `"${permissions}" is neither SMART v1 permissions (read, write, *) nor v2 letters in the order cruds`);
  const scope: ResourceScope = { text, context: context as ResourceScope['context'], resourceType, letters: v1 ?? permissions };
  if (rawQuery === undefined) return scope;
  if (v1 !== undefined) throw refused(text, 'a scope with a query uses SMART v2 permission letters (e.g. .rs), not read, write or *');
  if (resourceType === '*') throw refused(text, 'a scope with a query must name one resource type: search parameters differ between types');
  // Heron answers AuditEvent searches from the audit log, which is not searched like resources.
  if (resourceType === 'AuditEvent') throw refused(text, 'AuditEvent scopes cannot have a query');
  scope.criteria = parseScopeCriteria(text, resourceType, rawQuery);
  scope.query = canonicalQuery(rawQuery);
  return scope;
}

function parseScopeCriteria(text: string, resourceType: string, rawQuery: string): SearchCriterion[] {
  const params = new URLSearchParams(rawQuery);
  if (params.size === 0) throw refused(text, 'the query after ? is empty');
  const criteria: SearchCriterion[] = [];
  for (const [name, value] of params) {
    const code = name.split(':')[0];
    if (NOT_CRITERIA.has(code)) throw refused(text, `${name} shapes search results and selects nothing; a scope's query takes search parameters only`);
    if (code === '_has' || name.includes('.')) throw refused(text, `${name}: chained and _has parameters are not allowed in a scope's query`);
    // An empty value is ignored by a search, which here would widen the scope to the whole type.
    if (value === '') throw refused(text, `${name} has no value`);
    let criterion: SearchCriterion | undefined;
    try {
      criterion = parseCriterion([resourceType], name, value);
    } catch (err) {
      if (err instanceof UnsupportedParameter) throw refused(text, err.message);
      if (err instanceof FhirError) throw refused(text, err.issues.map((i) => i.diagnostics).join('; '));
      throw err;
    }
    if (criterion === undefined) throw refused(text, `${name} has no value`);
    criteria.push(criterion);
  }
  return criteria;
}

function canonicalQuery(rawQuery: string): string {
  const pairs = [...new URLSearchParams(rawQuery)].sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function refused(text: string, why: string): FhirError {
  return new FhirError('invalid', [issue('invalid', `"${text}": ${why}`)]);
}

/** Parsed scopes are immutable and tokens repeat the same few strings; bounded so odd input cannot grow it. */
const cache = new Map<string, ResourceScope | null>();
const CACHE_LIMIT = 1000;

/**
 * The parsed resource scope, or undefined when `text` is not a valid one (it then grants
 * nothing). For the access decision, on every request. Callers must not change the result.
 */
export function resourceScope(text: string): ResourceScope | undefined {
  let parsed = cache.get(text);
  if (parsed === undefined) {
    try {
      parsed = parseResourceScope(text) ?? null;
    } catch (err) {
      if (!(err instanceof FhirError)) throw err;
      parsed = null;
    }
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(text, parsed);
  }
  return parsed ?? undefined;
}

/** Why a scope shaped like a resource scope is refused, or undefined (valid, or not a resource scope). */
export function resourceScopeProblem(text: string): string | undefined {
  try {
    parseResourceScope(text);
    return undefined;
  } catch (err) {
    if (err instanceof FhirError) return err.issues.map((i) => i.diagnostics).join('; ');
    throw err;
  }
}
