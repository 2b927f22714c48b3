/**
 * Evaluates the FHIRPath invariants of the R4 definitions (`pat-1`, `obs-7`, `ext-1`...) on a
 * value, with the variables the spec defines for them (`%context`, `%resource`,
 * `%rootResource`, `%ucum`). The first failed invariant of a value is reported.
 *
 * An invariant fails only when it evaluates to `false`. FHIRPath's logic has a third value, the
 * empty collection, for "the data does not decide": `probability is decimal implies
 * (probability as decimal) <= 100` (ras-2) is `{}` when there is no probability, as `{} is T`
 * and `{} <= 100` are `{}`. R4's invariants are written for that to pass (ras-2 is meant to
 * hold for a prediction without a probability, and every R4 example with one is valid). A
 * result is read as FHIRPath reads a collection where a Boolean is expected (singleton
 * evaluation): one Boolean is itself, one other item is `true`, `{}` is empty, and more than
 * one item is an error, reported as "could not be evaluated".
 * @see https://hl7.org/fhir/R4/conformance-rules.html#constraints
 * @see https://hl7.org/fhirpath/N1/#singleton-evaluation-of-collections
 */
import { compileFhirPath } from '../fhirpath.ts';
import type { TypedValue } from '../fhirpath.ts';
import { FhirError, issue } from '../outcome.ts';
import type { Issue } from '../outcome.ts';
import { certainlyMet } from './invariant-shortcut.ts';
import type { Invariant } from './type-rules.ts';

const UCUM: TypedValue = { type: 'string', value: 'http://unitsofmeasure.org' };

/** The resources an invariant may refer to: the one being checked and the outermost one. */
export interface InvariantScope {
  resource: TypedValue;
  root: TypedValue;
}

/** Appends an issue for the first invariant `value` does not meet. */
export function checkInvariants(value: TypedValue, constraints: Invariant[], path: string, scope: InvariantScope, issues: Issue[]): void {
  const obj = typeof value.value === 'object' && value.value !== null && !Array.isArray(value.value) ? (value.value as Record<string, unknown>) : undefined;
  for (const c of constraints) {
    if (obj && c.metWhenAbsent.length > 0 && certainlyMet(obj, c.metWhenAbsent)) continue;
    const variables = { '%context': value, '%ucum': UCUM, '%resource': scope.resource, '%rootResource': scope.root };
    let result: TypedValue[];
    try {
      result = compileFhirPath(c.expression).evaluateTyped([value], variables);
    } catch (err) {
      // An invariant that cannot be evaluated on this value is reported, not ignored.
      if (!(err instanceof FhirError)) throw err;
      issues.push(issue('processing', `Invariant ${c.key} could not be evaluated: ${err.message}`, path));
      return;
    }
    if (result.length > 1) {
      issues.push(issue('processing', `Invariant ${c.key} could not be evaluated: it gave ${result.length} values where one Boolean is expected`, path));
      return;
    }
    if (violated(result)) {
      issues.push(issue('invariant', `Constraint ${c.key} not met: ${c.description} (${c.expression})`, path));
      return;
    }
  }
}

/** Whether an invariant's result is `false` (see the module comment for `{}` and other values). */
export function violated(result: readonly TypedValue[]): boolean {
  return result.length === 1 && result[0].value === false;
}
