/**
 * Evaluates the FHIRPath invariants of the R4 definitions (`pat-1`, `obs-7`, `ext-1`...) on a
 * value, with the variables the spec defines for them (`%context`, `%resource`,
 * `%rootResource`, `%ucum`). The first failed invariant of a value is reported.
 * @see https://hl7.org/fhir/R4/conformance-rules.html#constraints
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
    let met: boolean;
    try {
      const result = compileFhirPath(c.expression).evaluateTyped([value], variables);
      met = result.length === 1 && result[0].value === true;
    } catch (err) {
      // An invariant that cannot be evaluated on this value is reported, not ignored.
      if (!(err instanceof FhirError)) throw err;
      issues.push(issue('processing', `Invariant ${c.key} could not be evaluated: ${err.message}`, path));
      return;
    }
    if (!met) {
      issues.push(issue('invariant', `Constraint ${c.key} not met: ${c.description} (${c.expression})`, path));
      return;
    }
  }
}
