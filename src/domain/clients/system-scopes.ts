/**
 * SMART system scopes (`system/<Type|*>.<permissions>`) as granted to OAuth clients: parsing,
 * validation, and the "does this grant cover that request" test used to narrow tokens.
 * Only forms that `authorize` (src/domain/access/authorize.ts) enforces exactly are accepted:
 * v1 permissions `read`, `write`, `*`, and v2 permission letters `cruds` in order. v2 query
 * suffixes (`?category=...`) are rejected because nothing enforces them yet; accepting them
 * would silently grant more than they say.
 * @see https://build.fhir.org/ig/HL7/smart-app-launch/scopes-and-launch-context.html
 */
import { isResourceType } from '../../fhir/definitions.ts';
import { FhirError, issue, type Issue } from '../../fhir/outcome.ts';

/** The five SMART v2 permission letters. */
export type Permission = 'c' | 'r' | 'u' | 'd' | 's';

export interface SystemScope {
  /** The scope as written. */
  text: string;
  /** A resource type or `*`. */
  resourceType: string;
  permissions: ReadonlySet<Permission>;
}

const SCOPE = /^system\/([A-Za-z]+|\*)\.([a-z]+|\*)$/;
const V1: Record<string, Permission[]> = { read: ['r', 's'], write: ['c', 'u', 'd'], '*': ['c', 'r', 'u', 'd', 's'] };
const V2 = /^c?r?u?d?s?$/;

/** Parses one scope; undefined when it is not a valid system scope. */
export function parseSystemScope(text: string): SystemScope | undefined {
  const match = SCOPE.exec(text);
  if (!match) return undefined;
  const [, resourceType, perms] = match;
  if (resourceType !== '*' && !isResourceType(resourceType)) return undefined;
  const letters = V1[perms] ?? (V2.test(perms) ? (perms.split('') as Permission[]) : undefined);
  if (!letters || letters.length === 0) return undefined;
  return { text, resourceType, permissions: new Set(letters) };
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
    else problems.push(issue('invalid', `Not a supported SMART system scope: "${word}" (expected e.g. system/*.read, system/Patient.cruds)`, expression));
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
 * grant; a typed request may be covered by its type's grants and `*` grants combined.
 */
export function scopeCovered(requested: SystemScope, granted: readonly SystemScope[]): boolean {
  const available = new Set<Permission>();
  for (const grant of granted) {
    if (grant.resourceType === '*' || grant.resourceType === requested.resourceType) {
      for (const p of grant.permissions) available.add(p);
    }
  }
  for (const p of requested.permissions) if (!available.has(p)) return false;
  return true;
}
