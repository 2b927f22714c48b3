import { describe, expect, it } from 'vitest';
import { resourceTypeNames } from '../definitions.ts';
import { compileFhirPath } from '../fhirpath.ts';
import { compositeComponents, getSearchParameter, searchParametersFor, splitUnion } from './parameters.ts';

describe('search parameter registry', () => {
  it('has the Resource-level parameters on every type', () => {
    for (const type of resourceTypeNames()) {
      const codes = searchParametersFor(type).map((p) => p.code);
      for (const code of ['_id', '_lastUpdated', '_tag', '_profile', '_security', '_source']) expect(codes, type).toContain(code);
    }
    expect(getSearchParameter('Patient', '_id')).toMatchObject({ type: 'token', expression: 'Patient.id', supported: true });
    expect(getSearchParameter('Observation', '_lastUpdated')?.expression).toBe('Observation.meta.lastUpdated');
  });

  it('lists _text, _content and _query as unsupported (no expression in R4)', () => {
    expect(getSearchParameter('Patient', '_text')).toMatchObject({ type: 'string', supported: false });
    expect(getSearchParameter('Patient', '_content')).toMatchObject({ supported: false });
    expect(getSearchParameter('Patient', '_query')).toMatchObject({ supported: false });
    expect(getSearchParameter('Basic', '_text')).toBeDefined(); // DomainResource
    expect(getSearchParameter('Bundle', '_text')).toBeUndefined(); // Bundle is not a DomainResource
  });

  it('narrows shared parameters to the branches of one type', () => {
    const patient = getSearchParameter('Observation', 'patient');
    expect(patient).toMatchObject({
      type: 'reference',
      expression: 'Observation.subject.where(resolve() is Patient)',
      target: ['Patient'],
      url: 'http://hl7.org/fhir/SearchParameter/clinical-patient',
    });
    expect(patient?.base).toContain('Condition');
    expect(getSearchParameter('Patient', 'name')?.expression).toBe('Patient.name');
    expect(getSearchParameter('InsurancePlan', 'name')?.branches).toEqual(['name', 'alias']);
  });

  it('rewrites the as() function to the filtering as operator', () => {
    expect(getSearchParameter('Condition', 'onset-info')?.expression).toBe('(Condition.onset as string)');
    expect(getSearchParameter('Condition', 'onset-date')?.branches).toEqual(['(Condition.onset as dateTime)', '(Condition.onset as Period)']);
  });

  it('marks special parameters and composites of other shapes unsupported', () => {
    expect(getSearchParameter('Location', 'near')).toMatchObject({ type: 'special', supported: false });
    // Three components, one read from %resource.
    expect(getSearchParameter('MolecularSequence', 'chromosome-variant-coordinate')).toMatchObject({ type: 'composite', supported: false });
  });

  it('resolves composite components: types from their definitions, expressions relative to each element', () => {
    expect(getSearchParameter('Observation', 'component-code-value-quantity')).toMatchObject({
      type: 'composite',
      supported: true,
      branches: ['Observation.component'],
      components: [
        { code: 'component-code', type: 'token', branches: ['code'] },
        { code: 'component-value-quantity', type: 'quantity', branches: ['(value as Quantity)'] },
      ],
    });
    // R4 writes `value.as(DateTime)`, which would match nothing.
    expect(getSearchParameter('Observation', 'code-value-date')?.components?.[1]).toMatchObject({ type: 'date', branches: ['(value as dateTime)', '(value as Period)'] });
    // R4 swaps the definitions of relationship's components; the token comes first.
    expect(getSearchParameter('DocumentReference', 'relationship')?.components).toEqual([
      { code: 'relation', type: 'token', branches: ['code'] },
      { code: 'relatesto', type: 'reference', branches: ['target'], target: ['DocumentReference'] },
    ]);
    expect(compositeComponents('context-type-quantity')?.map((c) => c.type)).toEqual(['token', 'quantity']);
    expect(compositeComponents('code')).toBeUndefined();
  });

  it('has only official R4 parameters (no medplum or US Core ones)', () => {
    for (const type of resourceTypeNames()) {
      for (const p of searchParametersFor(type)) expect(p.url.startsWith('http://hl7.org/fhir/SearchParameter/'), p.url).toBe(true);
    }
    expect(getSearchParameter('Patient', 'us-core-race')).toBeUndefined();
    expect(getSearchParameter('DeviceDefinition', 'classification')).toBeUndefined(); // R5 snapshot in the bundle
  });

  it('compiles every supported expression', () => {
    let count = 0;
    for (const type of resourceTypeNames()) {
      for (const p of searchParametersFor(type)) {
        if (!p.supported) continue;
        expect(p.branches.length, `${type}.${p.code}`).toBeGreaterThan(0);
        for (const b of p.branches) expect(() => compileFhirPath(b), b).not.toThrow();
        count++;
      }
    }
    expect(count).toBeGreaterThan(2500);
  });

  it('splits unions only at top level', () => {
    expect(splitUnion("a.b | c.where(x = '|') | (d | e)")).toEqual(['a.b', "c.where(x = '|')", '(d | e)']);
  });
});
