/**
 * SMART system scopes (`system/<Type|*>.<permissions>`) as granted to OAuth clients: parsing,
 * validation, and the "does this grant cover that request" test used to narrow tokens.
 * Only forms that `authorize` (src/domain/access/authorize.ts) enforces exactly are accepted:
 * v1 permissions `read`, `write`, `*`, and v2 permission letters `cruds` in order, optionally
 * with a query (SMART 2 granular scopes, `system/Observation.rs?category=…`) that Heron can
 * enforce (`domain/access/scope-query.ts`); any other query is refused rather than granted as the
 * whole type.
 * @see https://build.fhir.org/ig/HL7/smart-app-launch/scopes-and-launch-context.html
 */
import { FhirError, issue, type Issue } from '../../fhir/outcome.ts';
import { resourceScope, resourceScopeProblem } from '../access/scope-query.ts';

/** The five SMART v2 permission letters. */
export type Permission = 'c' | 'r' | 'u' | 'd' | 's';

export interface SystemScope {
  /** The scope as written. */
  text: string;
  /** A resource type or `*`. */
  resourceType: string;
  permissions: ReadonlySet<Permission>;
  /** A granular scope's query, its parameters in a fixed order (see `ResourceScope.query`). */
  query?: string;
}

/** Parses one scope; undefined when it is not a valid system scope. */
export function parseSystemScope(text: string): SystemScope | undefined {
  const scope = resourceScope(text);
  if (scope === undefined || scope.context !== 'system') return undefined;
  const parsed: SystemScope = { text, resourceType: scope.resourceType, permissions: new Set(scope.letters.split('') as Permission[]) };
  if (scope.query !== undefined) parsed.query = scope.query;
  return parsed;
}

/**
 * Parses a space-separated scope string, rejecting anything that is not a system scope.
 * Duplicates are dropped; order is kept.
 * @throws FhirError `invalid` naming every bad scope.
 */
export function parseSystemScopes(scopes: string, expression = 'scope'): SystemScope[] {
  const words = splitScopes(scopes);
  if (words.length === 0) throw new FhirError('invalid', [issue('invalid', 'At least one scope is required', expression)]);
  const problems: Issue[] = [];
  const parsed: SystemScope[] = [];
  for (const word of words) {
    const scope = parseSystemScope(word);
    if (scope) parsed.push(scope);
    else {
      const why = resourceScopeProblem(word);
      problems.push(issue('invalid', why !== undefined ? `Not a supported SMART system scope: ${why}` : `Not a supported SMART system scope: "${word}" (expected e.g. system/*.read, system/Patient.cruds)`, expression));
    }
  }
  if (problems.length) throw new FhirError('invalid', problems);
  return parsed;
}

/** Splits on whitespace, dropping empties and duplicates. */
export function splitScopes(scopes: string): string[] {
  return [...new Set(scopes.split(/\s+/).filter(Boolean))];
}

/**
 * True when the grants together allow everything `requested` asks: a `*` request needs a `*`
 * grant; a typed request may be covered by its type's grants and `*` grants combined. A grant
 * with a query covers only a request with the same query (comparing what two queries select is
 * beyond a string test); a grant without one covers the type with or without a query.
 */
export function scopeCovered(requested: Omit<SystemScope, 'text'>, granted: readonly Omit<SystemScope, 'text'>[]): boolean {
  const available = new Set<Permission>();
  for (const grant of granted) {
    if (grant.resourceType !== '*' && grant.resourceType !== requested.resourceType) continue;
    if (grant.query !== undefined && grant.query !== requested.query) continue;
    for (const p of grant.permissions) available.add(p);
  }
  for (const p of requested.permissions) if (!available.has(p)) return false;
  return true;
}
