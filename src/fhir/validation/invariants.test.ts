import { describe, expect, it } from 'vitest';
import type { TypedValue } from '../fhirpath.ts';
import type { Issue } from '../outcome.ts';
import { checkInvariants } from './invariants.ts';

const patient: TypedValue = { type: 'Patient', value: { resourceType: 'Patient', active: true, name: [{ family: 'a' }, { family: 'b' }] } };

/** What checkInvariants reports for one made-up invariant on the patient. */
function outcome(expression: string): string {
  const issues: Issue[] = [];
  checkInvariants(patient, [{ key: 'test-1', description: 'test', expression, metWhenAbsent: [] }], 'Patient', { resource: patient, root: patient }, issues);
  return issues.length === 0 ? 'met' : `${issues[0].code}: ${issues[0].diagnostics}`;
}

describe('checkInvariants: an invariant fails only when it evaluates to false', () => {
  it.each<[string, string]>([
    ['true', 'met'],
    ['active', 'met'],
    // The data does not decide: FHIRPath's empty result is not a violation.
    ['deceased.exists() implies (deceased as boolean)', 'met'],
    ['birthDate is date implies birthDate > @1900', 'met'],
    ['{}', 'met'],
    // One value that is not a Boolean is true where a Boolean is expected (singleton evaluation).
    ["'x'", 'met'],
    ['false', 'invariant: Constraint test-1 not met: test (false)'],
    ['active implies gender.exists()', 'invariant: Constraint test-1 not met: test (active implies gender.exists())'],
  ])('%s: %s', (expression, expected) => {
    expect(outcome(expression)).toBe(expected);
  });

  it('reports an invariant that gives several values as not evaluable', () => {
    expect(outcome('name.family')).toBe('processing: Invariant test-1 could not be evaluated: it gave 2 values where one Boolean is expected');
  });
});
