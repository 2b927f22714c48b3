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
