import { evalFhirPathTyped } from '@medplum/core';
import { describe, expect, it } from 'vitest';
import { r4Examples } from '../../../tests/fixtures/r4-examples.ts';
import { sampleResources } from '../../../tests/fixtures/sample-resources.ts';
import { isResourceType, resourceTypeNames } from '../definitions.ts';
import { compileFhirPath } from '../fhirpath.ts';
import type { TypedValue } from '../fhirpath.ts';
import type { Issue } from '../outcome.ts';
import { certainlyMet, metWhenAbsent } from './invariant-shortcut.ts';
import { checkInvariants } from './invariants.ts';
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

/** Every complex type a resource can hold, with the invariants checked on its values. */
function invariantTargets(): Map<string, Invariant[]> {
  const targets = new Map<string, Map<string, Invariant>>();
  const add = (type: string, invariants: Invariant[]) => {
    let byKey = targets.get(type);
    if (!byKey) targets.set(type, (byKey = new Map()));
    for (const c of invariants) byKey.set(`${c.key} ${c.expression}`, c);
  };
  const visited = new Set<string>();
  const visit = (type: string) => {
    if (visited.has(type)) return;
    visited.add(type);
    for (const rule of typeRules(type)?.keys.values() ?? []) {
      if (rule.primitive || rule.type === 'Resource') continue;
      add(rule.type, rule.constraints);
      visit(rule.type);
    }
  };
  for (const type of resourceTypeNames()) {
    add(type, typeRules(type)?.constraints ?? []);
    visit(type);
  }
  return new Map([...targets].map(([type, byKey]) => [type, [...byKey.values()]]));
}

type Verdict = 'met' | 'violated' | 'error';

/**
 * The FHIRPath engine's own answer, read as the FHIRPath spec reads a collection where a Boolean
 * is expected: `{}` does not decide (the constraint is not violated), one Boolean is itself, one
 * other item is true, several items and a thrown error are errors.
 */
function engineVerdict(c: Invariant, value: TypedValue, root: TypedValue): { verdict: Verdict; empty: boolean } {
  const variables = { '%context': value, '%resource': root, '%rootResource': root, '%ucum': { type: 'string', value: 'http://unitsofmeasure.org' } };
  let result: TypedValue[];
  try {
    result = evalFhirPathTyped(c.expression, [value], variables);
  } catch {
    return { verdict: 'error', empty: false };
  }
  if (result.length > 1) return { verdict: 'error', empty: false };
  return { verdict: result.length === 1 && result[0].value === false ? 'violated' : 'met', empty: result.length === 0 };
}

describe('every invariant against the FHIRPath engine, on absent elements', () => {
  it('on a value of each type with no elements: the shortcut only skips what the engine finds met, and the validator reports exactly what the engine finds violated', () => {
    let invariants = 0;
    let shortcuts = 0;
    const undecided = new Set<string>();
    for (const [type, constraints] of invariantTargets()) {
      const value: TypedValue = { type, value: isResourceType(type) ? { resourceType: type } : {} };
      const root: TypedValue = isResourceType(type) ? value : { type: 'Basic', value: { resourceType: 'Basic' } };
      for (const c of constraints) {
        invariants++;
        const { verdict, empty } = engineVerdict(c, value, root);
        if (empty) undecided.add(c.key);
        const label = `${c.key} on an empty ${type}: ${c.expression}`;
        if (certainlyMet(value.value as Record<string, unknown>, c.metWhenAbsent)) {
          shortcuts++;
          expect(verdict, label).toBe('met');
        }
        const issues: Issue[] = [];
        checkInvariants(value, [c], type, { resource: root, root }, issues);
        expect(issues.length > 0 ? issues[0].code : 'none', label).toBe({ met: 'none', violated: 'invariant', error: 'processing' }[verdict]);
      }
    }
    expect(invariants).toBeGreaterThan(500);
    expect(shortcuts).toBeGreaterThan(300);
    // Undecided on absent elements, which FHIRPath's three-valued logic leaves empty: not a violation.
    expect([...undecided]).toEqual(expect.arrayContaining(['ras-2']));
  });

  it('on the R4 examples and Synthea resources of each type, and on each of their values with one element removed at a time', () => {
    const perType = new Map<string, number>();
    const synthea = sampleResources().filter((r) => {
      const seen = perType.get(r.resourceType) ?? 0;
      perType.set(r.resourceType, seen + 1);
      return seen < 5;
    });
    const resources = [...r4Examples(), ...synthea.map((r) => r as unknown as Record<string, unknown>)];
    let compared = 0;
    for (const resource of resources) {
      const type = resource.resourceType as string;
      const root: TypedValue = { type, value: resource };
      for (const [c, value] of invariantChecks(resource, type, typeRules(type)?.constraints ?? [])) {
        const object = value.value as Record<string, unknown>;
        for (const key of [undefined, ...Object.keys(object)]) {
          if (key === 'resourceType') continue;
          const variant: TypedValue = key === undefined ? value : { type: value.type, value: withoutKey(object, key) };
          if (!certainlyMet(variant.value as Record<string, unknown>, c.metWhenAbsent)) continue;
          compared++;
          const scope = variant.value === resource ? variant : root;
          expect(engineVerdict(c, variant, scope).verdict, `${c.key} on ${type}/${String(resource.id)} without ${String(key)}`).toBe('met');
        }
      }
    }
    expect(compared).toBeGreaterThan(2_000);
  });
});

function withoutKey(object: Record<string, unknown>, key: string): Record<string, unknown> {
  const copy = { ...object };
  delete copy[key];
  return copy;
}
