import { describe, expect, it } from 'vitest';
import { FhirError } from '../outcome.ts';
import { parseCriterion } from './criterion.ts';
import { indexReference, parseReferenceQuery, parseReferenceString } from './reference.ts';
import type { IndexRow } from './types.ts';

function rows(type: string, value: unknown): IndexRow[] {
  const out: IndexRow[] = [];
  indexReference('r', { type, value }, (r) => out.push(r));
  return out;
}

describe('reference strings', () => {
  it.each([
    ['Patient/123', { targetType: 'Patient', targetId: '123' }],
    ['Patient/123/_history/4', { targetType: 'Patient', targetId: '123' }],
    ['http://example.org/fhir/Patient/123', { url: 'http://example.org/fhir/Patient/123' }],
    ['http://hl7.org/fhir/ValueSet/x|4.0.1', { url: 'http://hl7.org/fhir/ValueSet/x|4.0.1' }],
    ['urn:oid:1.2.3', { url: 'urn:oid:1.2.3' }],
    ['urn:uuid:6c3e0c1a-0000-4000-8000-000000000000', undefined],
    ['#contained', undefined],
    ['Unknown/123', undefined],
    ['Patient?identifier=x', undefined],
    ['123', undefined],
  ])('%s', (text, expected) => {
    expect(parseReferenceString(text)).toEqual(expected);
  });
});

describe('reference index rows', () => {
  it('indexes local references by type and id, others by URL', () => {
    expect(rows('Reference', { reference: 'Patient/1', display: 'x' })).toEqual([{ kind: 'reference', param: 'r', targetType: 'Patient', targetId: '1', url: null }]);
    expect(rows('canonical', 'http://x.org/Questionnaire/q')).toEqual([{ kind: 'reference', param: 'r', targetType: null, targetId: null, url: 'http://x.org/Questionnaire/q' }]);
    expect(rows('Reference', { reference: 'urn:uuid:6c3e0c1a-0000-4000-8000-000000000000' })).toEqual([]);
    // A reference by identifier only is searchable with :identifier, not as a reference.
    expect(rows('Reference', { identifier: { value: '1' } })).toEqual([{ kind: 'token', param: 'r:identifier', system: null, code: '1', text: null }]);
    expect(rows('Reference', { reference: 'Patient/1', identifier: { system: 'urn:mrn', value: '12345' } })).toEqual([
      { kind: 'token', param: 'r:identifier', system: 'urn:mrn', code: '12345', text: null },
      { kind: 'reference', param: 'r', targetType: 'Patient', targetId: '1', url: null },
    ]);
    expect(rows('Composition', { resourceType: 'Composition', id: 'c1' })).toEqual([{ kind: 'reference', param: 'r', targetType: 'Composition', targetId: 'c1', url: null }]);
  });
});

describe('reference query values', () => {
  it('parses Type/id, bare ids, :Type and URLs', () => {
    expect(parseReferenceQuery('Patient/1', undefined, 'subject', ['Patient', 'Group'])).toEqual({ kind: 'reference', targetType: 'Patient', targetId: '1' });
    expect(parseReferenceQuery('Patient/1/_history/2', undefined, 'subject', ['Patient'])).toEqual({ kind: 'reference', targetType: 'Patient', targetId: '1' });
    expect(parseReferenceQuery('1', undefined, 'patient', ['Patient'])).toEqual({ kind: 'reference', targetType: 'Patient', targetId: '1' });
    expect(parseReferenceQuery('1', undefined, 'subject', ['Patient', 'Group'])).toEqual({ kind: 'reference', targetId: '1' });
    expect(parseReferenceQuery('1', 'Group', 'subject', ['Patient', 'Group'])).toEqual({ kind: 'reference', targetType: 'Group', targetId: '1' });
    expect(parseReferenceQuery('http://x.org/fhir/Patient/1', undefined, 'subject', ['Patient'])).toEqual({ kind: 'reference', url: 'http://x.org/fhir/Patient/1' });
  });

  it('rejects wrong types and garbage', () => {
    expect(() => parseReferenceQuery('Foo/1', undefined, 'subject', ['Patient'])).toThrow(FhirError);
    expect(() => parseReferenceQuery('1', 'Medication', 'subject', ['Patient', 'Group'])).toThrow('cannot refer to Medication');
    expect(() => parseReferenceQuery('Patient/1', 'Group', 'subject', ['Patient', 'Group'])).toThrow('does not match');
    expect(() => parseReferenceQuery('a b', undefined, 'subject', ['Patient'])).toThrow('Invalid reference');
    expect(() => parseReferenceQuery('', undefined, 'subject', ['Patient'])).toThrow('Empty reference');
  });
});

describe(':identifier', () => {
  it('parses system|value as a token on the reference parameter', () => {
    expect(parseCriterion(['Observation'], 'subject:identifier', 'urn:mrn|12345')).toEqual({
      param: 'subject',
      type: 'reference',
      modifier: 'identifier',
      values: [{ kind: 'token', system: 'urn:mrn', code: '12345' }],
    });
    expect(parseCriterion(['Patient'], 'identifier:of-type', 'http://terminology.hl7.org/CodeSystem/v2-0203|MR|12345')).toMatchObject({
      modifier: 'of-type',
      values: [{ kind: 'token', system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR|12345' }],
    });
    expect(() => parseCriterion(['Observation'], 'subject:identifier', 'a|b|c')).toThrow(FhirError);
    expect(() => parseCriterion(['Observation'], 'code:identifier', 'a')).toThrow(FhirError);
  });
});
