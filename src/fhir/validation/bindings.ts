/**
 * Required terminology bindings: a `code` element bound `required` (e.g. `Patient.gender`) must
 * hold a code of its value set, and a required CodeableConcept with codings must have at least
 * one coding from the value set.
 *
 * Only value sets enumerable from the R4 definitions are checked (see `value-sets.ts`); those
 * built on filters or external code systems (mime types, UCUM, currencies) are skipped.
 * A CodeableConcept with text only is accepted.
 * @see https://hl7.org/fhir/R4/terminologies.html#required
 */
import { issue } from '../outcome.ts';
import type { Issue } from '../outcome.ts';
import type { ValueSetCodes } from '../value-sets.ts';
import type { KeyRule } from './type-rules.ts';

/** Appends an issue if a bound value (code string or CodeableConcept) is outside its value set. */
export function checkBinding(value: unknown, rule: KeyRule, path: string, issues: Issue[]): void {
  const binding = rule.binding;
  if (!binding) return;
  if (typeof value === 'string') {
    if (!hasCode(binding.codes, undefined, value)) {
      issues.push(issue('code-invalid', `Code "${value}" is not in the required value set ${binding.valueSet}${expected(binding.codes)}`, path));
    }
  } else if (rule.type === 'CodeableConcept' && value && typeof value === 'object' && !conceptMatches(binding.codes, value as Record<string, unknown>)) {
    issues.push(issue('code-invalid', `No coding is from the required value set ${binding.valueSet}`, path));
  }
}

function conceptMatches(codes: ValueSetCodes, concept: Record<string, unknown>): boolean {
  if (!Array.isArray(concept.coding) || concept.coding.length === 0) return true;
  return concept.coding.some(
    (c) => c && typeof c === 'object' && typeof c.code === 'string' && hasCode(codes, typeof c.system === 'string' ? c.system : undefined, c.code),
  );
}

function hasCode(codes: ValueSetCodes, system: string | undefined, code: string): boolean {
  if (system !== undefined) return codes.get(system)?.has(code) ?? false;
  for (const set of codes.values()) if (set.has(code)) return true;
  return false;
}

function expected(codes: ValueSetCodes): string {
  const all = [...codes.values()].flatMap((s) => [...s]);
  return all.length <= 12 ? ` (expected one of: ${all.join(', ')})` : '';
}
