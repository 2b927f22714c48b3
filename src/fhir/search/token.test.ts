import { describe, expect, it } from 'vitest';
import { FhirError } from '../outcome.ts';
import { indexToken, parseTokenQuery } from './token.ts';
import type { IndexRow } from './types.ts';

function rows(type: string, value: unknown, implicitSystem?: string): IndexRow[] {
  const out: IndexRow[] = [];
  indexToken('t', { type, value }, (r) => out.push(r), implicitSystem);
  return out;
}

const row = (system: string | null, code: string | null, text: string | null): IndexRow => ({ kind: 'token', param: 't', system, code, text });

describe('token index rows', () => {
  it('indexes Coding and CodeableConcept, with a text row only when the text adds something', () => {
    expect(rows('Coding', { system: 'http://loinc.org', code: '8302-2', display: 'Body Height' })).toEqual([row('http://loinc.org', '8302-2', 'body height')]);
    const cc = { coding: [{ system: 's', code: 'a', display: 'Héart' }, { code: 'b' }], text: 'heart' };
    expect(rows('CodeableConcept', cc)).toEqual([row('s', 'a', 'heart'), row(null, 'b', null)]);
    expect(rows('CodeableConcept', { text: 'Only text' })).toEqual([row(null, null, 'only text')]);
    expect(rows('CodeableConcept', { coding: [{ code: 'a', display: 'A' }], text: 'Other' })).toEqual([row(null, 'a', 'a'), row(null, null, 'other')]);
  });

  it('indexes Identifier (type.text as text) and ContactPoint (system as system)', () => {
    expect(rows('Identifier', { system: 'http://hl7.org/fhir/sid/us-ssn', value: '999-30-7608', type: { text: 'Social Security Number' } })).toEqual([
      row('http://hl7.org/fhir/sid/us-ssn', '999-30-7608', 'social security number'),
    ]);
    expect(rows('ContactPoint', { system: 'phone', value: '555-1234', use: 'home' })).toEqual([row('phone', '555-1234', null)]);
    expect(rows('ContactPoint', { system: 'phone' })).toEqual([]);
  });

  it('indexes an Identifier with type codings for :of-type, as typeSystem and typeCode|value', () => {
    const v2 = 'http://terminology.hl7.org/CodeSystem/v2-0203';
    const id = { system: 'urn:mrn', value: '12345', type: { coding: [{ system: v2, code: 'MR' }, { code: 'a|b' }, { system: v2 }] } };
    expect(rows('Identifier', id)).toEqual([
      row('urn:mrn', '12345', null),
      { kind: 'token', param: 't:of-type', system: v2, code: 'MR|12345', text: null },
      // A bar in the type code is escaped, so `a|b` + `12345` never reads as `a` + `b|12345`.
      { kind: 'token', param: 't:of-type', system: null, code: 'a\\|b|12345', text: null },
    ]);
    expect(rows('Identifier', { type: { coding: [{ system: v2, code: 'MR' }] } })).toEqual([]);
    expect(parseTokenQuery(`${v2}|MR|12345`, 'of-type', 't')).toEqual({ kind: 'token', system: v2, code: 'MR|12345' });
    expect(parseTokenQuery('s|a\\|b|12345', 'of-type', 't')).toEqual({ kind: 'token', system: 's', code: 'a\\|b|12345' });
    for (const bad of ['MR|12345', `${v2}||12345`, `|MR|12345`, `${v2}|MR|`, 'a|b|c|d']) {
      expect(() => parseTokenQuery(bad, 'of-type', 't'), bad).toThrow(/typeSystem\|typeCode\|value/);
    }
  });

  it('indexes code, boolean, string and id primitives; a bound code gets its system', () => {
    expect(rows('code', 'male', 'http://hl7.org/fhir/administrative-gender')).toEqual([row('http://hl7.org/fhir/administrative-gender', 'male', null)]);
    expect(rows('code', 'final')).toEqual([row(null, 'final', null)]);
    expect(rows('boolean', false)).toEqual([row(null, 'false', null)]);
    expect(rows('http://hl7.org/fhirpath/System.String', 'abc')).toEqual([row(null, 'abc', null)]);
    expect(rows('Quantity', { value: 1 })).toEqual([]);
  });
});

describe('token query values', () => {
  it.each([
    ['code', { kind: 'token', code: 'code' }],
    ['system|code', { kind: 'token', system: 'system', code: 'code' }],
    ['|code', { kind: 'token', system: null, code: 'code' }],
    ['system|', { kind: 'token', system: 'system' }],
    ['http://loinc.org|8302-2', { kind: 'token', system: 'http://loinc.org', code: '8302-2' }],
    ['a\\|b', { kind: 'token', code: 'a|b' }],
    ['s|a\\,b', { kind: 'token', system: 's', code: 'a,b' }],
  ])('%s', (raw, expected) => {
    expect(parseTokenQuery(raw, undefined, 't')).toEqual(expected);
  });

  it(':text gives a normalised string', () => {
    expect(parseTokenQuery('Héart Rate', 'text', 't')).toEqual({ kind: 'string', value: 'heart rate' });
  });

  it.each(['', '|', 'a|b|c'])('rejects %j', (raw) => {
    expect(() => parseTokenQuery(raw, undefined, 't')).toThrow(FhirError);
  });
});
