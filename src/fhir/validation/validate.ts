/**
 * Resource validation against the official R4 StructureDefinitions, for every write: JSON shape,
 * data types and primitive formats (with real calendar dates), cardinality, unknown elements,
 * one type per choice element, invariants, required bindings to enumerable value sets, and
 * reference target types.
 *
 * Why Heron's own walk rather than medplum's validator (kept in `medplum-validator.ts` and
 * compared in tests): medplum visits every element each type defines (~170 µs per Synthea
 * resource); walking only the keys present does the same checks several times faster, which
 * bulk import needs.
 * @see https://hl7.org/fhir/R4/validation.html
 */
import { ensureDefinitions, isResourceType } from '../definitions.ts';
import { issue } from '../outcome.ts';
import type { Issue } from '../outcome.ts';
import { checkStructure } from './structure.ts';

/** Validates a parsed JSON value as an R4 resource. Empty result = valid; only errors are returned. */
export function validateResource(resource: unknown): Issue[] {
  const refused = checkResourceType(resource);
  if (refused) return refused;
  ensureDefinitions();
  const issues: Issue[] = [];
  checkStructure(resource as Record<string, unknown>, issues);
  return issues;
}

/** The checks before any schema applies: a JSON object with a known R4 `resourceType`. */
export function checkResourceType(resource: unknown): Issue[] | undefined {
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) {
    return [issue('structure', 'A resource must be a JSON object')];
  }
  const type = (resource as Record<string, unknown>).resourceType;
  if (type === undefined) return [issue('required', 'Missing resourceType', 'resourceType')];
  if (typeof type !== 'string' || !isResourceType(type)) {
    return [issue('not-supported', `Unknown resource type ${JSON.stringify(type)}: not an R4 resource type`, 'resourceType')];
  }
  return undefined;
}
