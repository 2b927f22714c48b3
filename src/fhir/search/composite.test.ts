import type { DocumentReference, Group, Observation } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { FhirError } from '../outcome.ts';
import { parseCriterion } from './criterion.ts';
import { extractIndexRows } from './extract.ts';
import type { IndexRow } from './types.ts';

const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const composites = (rows: IndexRow[], param: string) => rows.filter((r) => r.kind === 'composite' && r.param === param);
/** `system|code -> second` per composite row, to read pairings at a glance. */
const pairs = (rows: IndexRow[], param: string): string[] =>
  composites(rows, param).map((r) => {
    if (r.kind !== 'composite') return '';
    const s = r.second;
    const second =
      s.kind === 'quantity' ? `${s.value} ${s.code}` : s.kind === 'token' ? `${s.system}|${s.code}` : s.kind === 'date' ? `${s.start}..${s.end}` : s.kind === 'reference' ? `${s.targetType}/${s.targetId}` : s.kind === 'string' ? s.value : '?';
    return `${r.first.system}|${r.first.code} -> ${second}`;
  });

const bloodPressure: Observation = {
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: LOINC, code: '85354-9', display: 'Blood pressure panel' }] },
  component: [
    { code: { coding: [{ system: LOINC, code: '8480-6' }] }, valueQuantity: { value: 120, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' } },
    { code: { coding: [{ system: LOINC, code: '8462-4' }] }, valueQuantity: { value: 80, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' } },
  ],
};

describe('composite index rows', () => {
  it('pairs components only within the same Observation.component', () => {
    const rows = extractIndexRows(bloodPressure);
    expect(pairs(rows, 'component-code-value-quantity')).toEqual([`${LOINC}|8480-6 -> 120 mm[Hg]`, `${LOINC}|8462-4 -> 80 mm[Hg]`]);
    expect(pairs(rows, 'combo-code-value-quantity')).toEqual(pairs(rows, 'component-code-value-quantity'));
    expect(pairs(rows, 'code-value-quantity')).toEqual([]); // the panel itself has no value
    // The canonical form travels in the same row.
    expect(composites(rows, 'component-code-value-quantity')[0]).toMatchObject({ canonical: { code: 'g.m-1.s-2', value: 15998640 } });
    expect(rows.some((r) => r.param.startsWith('component-code-value-quantity:'))).toBe(false);
  });

  it('indexes the Observation value with its code, by value type', () => {
    const obs = (value: Partial<Observation>): IndexRow[] =>
      extractIndexRows({ resourceType: 'Observation', status: 'final', code: { coding: [{ system: LOINC, code: 'x' }], text: 'Only text' }, ...value });
    expect(pairs(obs({ valueQuantity: { value: 5500, system: UCUM, code: 'mg' } }), 'code-value-quantity')).toEqual([`${LOINC}|x -> 5500 mg`]);
    expect(pairs(obs({ valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '1' }] } }), 'code-value-concept')).toEqual([`${LOINC}|x -> http://snomed.info/sct|1`]);
    expect(pairs(obs({ valueDateTime: '2020' }), 'code-value-date')).toEqual([`${LOINC}|x -> ${Date.parse('2020-01-01')}..${Date.parse('2021-01-01') - 1}`]);
    expect(pairs(obs({ valueString: 'Positive' }), 'code-value-string')).toEqual([`${LOINC}|x -> positive`]);
    // A string value is no concept (R4's value.as(CodeableConcept) must filter).
    expect(pairs(obs({ valueString: 'Positive' }), 'code-value-concept')).toEqual([]);
  });

  it('indexes DocumentReference relationship (token then reference) and Group characteristic-value', () => {
    const doc: DocumentReference = { resourceType: 'DocumentReference', status: 'current', content: [{ attachment: {} }], relatesTo: [{ code: 'replaces', target: { reference: 'DocumentReference/d0' } }] };
    // relatesTo.code is a bound code: it gets its code system, as the plain `relation` parameter does.
    expect(pairs(extractIndexRows(doc), 'relationship')).toEqual(['http://hl7.org/fhir/document-relationship-type|replaces -> DocumentReference/d0']);
    const group: Group = { resourceType: 'Group', type: 'person', actual: true, characteristic: [{ code: { coding: [{ system: 'urn:c', code: 'smoker' }] }, valueBoolean: true, exclude: false }] };
    expect(pairs(extractIndexRows(group), 'characteristic-value')).toEqual(['urn:c|smoker -> null|true']);
  });
});

describe('composite query values', () => {
  const parse = (type: string, name: string, raw: string) => parseCriterion([type], name, raw);

  it('parses each part with its component type, OR-ed by comma', () => {
    expect(parse('Observation', 'code-value-quantity', `${LOINC}|8480-6$gt100,${LOINC}|8462-4$lt90|${UCUM}|mm[Hg]`)).toEqual({
      param: 'code-value-quantity',
      type: 'composite',
      values: [
        { kind: 'composite', first: { kind: 'token', system: LOINC, code: '8480-6' }, second: { kind: 'quantity', prefix: 'gt', value: 100, low: 99.5, high: 100.5 } },
        {
          kind: 'composite',
          first: { kind: 'token', system: LOINC, code: '8462-4' },
          second: { kind: 'quantity', prefix: 'lt', value: 11998980, low: 11932319, high: 12065641, system: UCUM, code: 'g.m-1.s-2', canonical: true },
        },
      ],
    });
    expect(parse('Observation', 'code-value-date', 'x$ge2020')?.values[0]).toMatchObject({ second: { kind: 'date', prefix: 'ge', start: Date.parse('2020-01-01') } });
    expect(parse('Observation', 'code-value-string', 'x$Pos\\$itive')?.values[0]).toMatchObject({ second: { kind: 'string', value: 'pos$itive' } });
    expect(parse('DocumentReference', 'relationship', 'replaces$DocumentReference/d0')?.values[0]).toMatchObject({
      first: { code: 'replaces' },
      second: { kind: 'reference', targetType: 'DocumentReference', targetId: 'd0' },
    });
    expect(parse('Observation', 'code-value-quantity:missing', 'true')?.values).toEqual([{ kind: 'missing', missing: true }]);
  });

  it('rejects malformed values with a message naming the expected shape', () => {
    const message = (raw: string): string => {
      try {
        parse('Observation', 'code-value-quantity', raw);
      } catch (e) {
        expect(e).toBeInstanceOf(FhirError);
        expect((e as FhirError).category).toBe('invalid');
        return (e as FhirError).issues[0].diagnostics;
      }
      throw new Error(`expected ${raw} to fail`);
    };
    expect(message(`${LOINC}|8480-6`)).toBe(
      `Invalid value "${LOINC}|8480-6" for composite parameter "code-value-quantity": expected code$value-quantity, e.g. http://loinc.org|8480-6$gt100|http://unitsofmeasure.org|mm[Hg]`,
    );
    expect(message('a$b$c')).toMatch(/expected code\$value-quantity/);
    expect(message('$5')).toMatch(/expected code\$value-quantity/);
    expect(message('x$many')).toMatch(/Invalid quantity "many" for parameter "code-value-quantity \(component value-quantity\)"/);
    expect(() => parse('Observation', 'code-value-quantity:exact', 'x$5')).toThrow(FhirError);
  });
});
