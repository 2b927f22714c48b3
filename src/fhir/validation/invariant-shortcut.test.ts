import { describe, expect, it } from 'vitest';
import { sampleResources } from '../../../tests/fixtures/sample-resources.ts';
import { compileFhirPath } from '../fhirpath.ts';
import type { TypedValue } from '../fhirpath.ts';
import { certainlyMet, metWhenAbsent } from './invariant-shortcut.ts';
import { typeRules } from './type-rules.ts';
import type { Invariant } from './type-rules.ts';
import { validateResource } from './validate.ts';

/** Every name is an element carried by the key of the same name. */
const sameKey = (element: string) => [element];

describe('metWhenAbsent', () => {
  it.each<[string, string[][]]>([
    ['contained.contained.empty()', [['contained', '_contained']]],
    ['contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()', [['contained', '_contained']]],
    ['dataAbsentReason.empty() or value.empty()', [['dataAbsentReason', '_dataAbsentReason'], ['value', '_value']]],
    // The where() operand may throw when evaluated, so `value` absence alone does not decide it.
    ['value.empty() or component.code.where(coding.exists()).empty()', [['component', '_component']]],
    ['a.exists() implies b.exists()', [['a', '_a']]],
    ['a.exists().not()', [['a', '_a']]],
    ['name[0].empty()', [['name', '_name']]],
    ['(a.empty())', [['a', '_a']]],
  ])('%s', (expression, sets) => {
    expect(metWhenAbsent(expression, sameKey)).toEqual(sets);
  });

  it.each([
    'extension.exists() != value.exists()',
    'a.exists()',
    '$this.a.empty()',
    '%resource.a.empty()',
    "name['x'].empty()",
    'a.empty() or b.foo()',
    'a.count() = 0',
    'where(use = "home").empty()',
    'a.exists(b)',
    'not valid fhirpath ((',
  ])('finds no shortcut for %s', (expression) => {
    expect(metWhenAbsent(expression, sameKey)).toEqual([]);
  });

  it('uses the JSON keys of choice elements and drops names that are not elements', () => {
    const keysOf = (element: string) => (element === 'value' ? ['valueString', 'valueQuantity'] : undefined);
    expect(metWhenAbsent('value.empty()', keysOf)).toEqual([['valueString', '_valueString', 'valueQuantity', '_valueQuantity']]);
    expect(metWhenAbsent('other.empty()', keysOf)).toEqual([]);
  });
});

describe('certainlyMet', () => {
  const sets = [['a', '_a'], ['b', 'c']];
  it('needs every key of one set absent', () => {
    expect(certainlyMet({ b: 1 }, sets)).toBe(true);
    expect(certainlyMet({ a: 1, c: 1 }, sets)).toBe(false);
    expect(certainlyMet({ _a: {}, b: 1 }, sets)).toBe(false);
  });

  it('leaves objects whose resourceType could be an element name to the evaluator', () => {
    expect(certainlyMet({ resourceType: 'Patient' }, sets)).toBe(true);
    expect(certainlyMet({ resourceType: 'a' }, sets)).toBe(false);
  });
});

/** Every (invariant, value) pair of a resource, with the value's type. */
function* invariantChecks(value: Record<string, unknown>, type: string, own: Invariant[]): Generator<[Invariant, TypedValue]> {
  const rules = typeRules(type);
  if (!rules) return;
  for (const c of own) yield [c, { type, value }];
  for (const [key, child] of Object.entries(value)) {
    const rule = rules.keys.get(key);
    if (!rule || rule.primitive) continue;
    for (const item of Array.isArray(child) ? child : [child]) {
      if (typeof item !== 'object' || item === null) continue;
      const itemType = rule.type === 'Resource' ? (item as { resourceType: string }).resourceType : rule.type;
      yield* invariantChecks(item as Record<string, unknown>, itemType, rule.constraints);
    }
  }
}

describe('the shortcut agrees with the evaluator', () => {
  it('on every invariant of every Synthea resource, and on variants missing what they usually have', () => {
    const resources: Record<string, unknown>[] = sampleResources().map((r) => r as unknown as Record<string, unknown>);
    // Variants that make other disjuncts decide: an Observation with components but no value, etc.
    resources.push(
      { resourceType: 'Observation', status: 'final', code: { text: 'x' }, component: [{ code: { text: 'y' }, valueString: 'z' }] },
      { resourceType: 'Observation', status: 'final', code: { text: 'x' }, dataAbsentReason: { text: 'y' } },
      { resourceType: 'Patient', contained: [{ resourceType: 'Patient', meta: { versionId: '1' } }] },
    );
    let shortcuts = 0;
    for (const resource of resources) {
      const type = resource.resourceType as string;
      const root: TypedValue = { type, value: resource };
      for (const [invariant, value] of invariantChecks(resource, type, typeRules(type)?.constraints ?? [])) {
        if (!certainlyMet(value.value as Record<string, unknown>, invariant.metWhenAbsent)) continue;
        shortcuts++;
        const variables = { '%context': value, '%resource': root, '%rootResource': root, '%ucum': { type: 'string', value: 'http://unitsofmeasure.org' } };
        const result = compileFhirPath(invariant.expression).evaluateTyped([value], variables);
        expect(result.map((r) => r.value), `${invariant.key} on ${value.type}`).toEqual([true]);
      }
    }
    expect(shortcuts).toBeGreaterThan(50_000);
  });

  it('still reports invariants the shortcut does not decide', () => {
    const obs = { resourceType: 'Observation', status: 'final', code: { text: 'x' } };
    expect(validateResource({ ...obs, valueString: 'x', dataAbsentReason: { text: 'y' } }).map((i) => i.diagnostics)).toEqual([expect.stringMatching(/^Constraint obs-6 not met/)]);
    const contained = { resourceType: 'Patient', contained: [{ resourceType: 'Patient', meta: { versionId: '1' } }] };
    expect(validateResource(contained).map((i) => i.diagnostics)).toEqual([expect.stringMatching(/^Constraint dom-4 not met/)]);
  });
});
