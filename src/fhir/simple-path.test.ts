import { describe, expect, it } from 'vitest';
import { sampleResources } from '../../tests/fixtures/sample-resources.ts';
import { compileFhirPath, typed } from './fhirpath.ts';
import { planFor } from './search/extract.ts';
import { evaluateSimplePath, parseSimplePath, rootElementKeys } from './simple-path.ts';

describe('simple-path fast evaluator', () => {
  it('parses the forms it handles and nothing else', () => {
    expect(parseSimplePath('Patient.name.given')?.steps).toEqual([
      { kind: 'name', name: 'Patient' },
      { kind: 'name', name: 'name' },
      { kind: 'name', name: 'given' },
    ]);
    expect(parseSimplePath('Observation.subject.where(resolve() is Patient)')?.steps.at(-1)).toEqual({ kind: 'resolve-is', type: 'Patient' });
    expect(parseSimplePath('(Observation.value as CodeableConcept).text')?.steps.map((s) => s.kind)).toEqual(['name', 'name', 'as', 'name']);
    expect(parseSimplePath('Observation.value as Quantity')?.steps.at(-1)).toEqual({ kind: 'as', type: 'Quantity' });
    expect(parseSimplePath("Patient.telecom.where(system='phone')")).toBeUndefined();
    expect(parseSimplePath('(Observation.value as Quantity')).toBeUndefined();
    expect(parseSimplePath('Patient.name.first()')).toBeUndefined();
  });

  it('names the resource keys a path starts from, choice types and extension keys included', () => {
    expect(rootElementKeys(parseSimplePath('Patient.name.given')!, 'Patient')).toEqual(['name', '_name']);
    const value = rootElementKeys(parseSimplePath('(Observation.value as Quantity).value')!, 'Observation');
    expect(value).toEqual(expect.arrayContaining(['valueQuantity', '_valueQuantity', 'valueString', '_valueString', 'valueCodeableConcept']));
    expect(rootElementKeys(parseSimplePath('Observation.code')!, 'Patient')).toBeUndefined();
    expect(rootElementKeys(parseSimplePath('Patient.nope')!, 'Patient')).toBeUndefined();
    expect(rootElementKeys(parseSimplePath('Patient')!, 'Patient')).toBeUndefined();
  });

  it('gives up (undefined) on primitive extensions instead of guessing', () => {
    const path = parseSimplePath('Patient.birthDate')!;
    const patient = { resourceType: 'Patient', birthDate: '2000', _birthDate: { extension: [{ url: 'x', valueString: 'y' }] } };
    expect(evaluateSimplePath(path, [typed(patient)])).toBeUndefined();
    expect(compileFhirPath('Patient.birthDate').evaluate(patient)).toEqual([{ type: 'date', value: '2000' }]);
  });

  it('filters references by target type like resolve() does, for every reference form', () => {
    const obs = {
      resourceType: 'Observation',
      performer: [
        { reference: 'Patient/1' },
        { reference: 'Practitioner/2/_history/3' },
        { reference: 'urn:uuid:6c3e0c1a-0000-4000-8000-000000000000' },
        { reference: 'http://example.org/fhir/Patient/4' },
        { reference: 'Patient?identifier=x|1' },
        { type: 'Patient', identifier: { system: 'x', value: '1' } },
        { display: 'nobody' },
      ],
    };
    for (const type of ['Patient', 'Practitioner', 'http:']) {
      const expr = `Observation.performer.where(resolve() is ${type === 'http:' ? 'Organization' : type})`;
      const fast = compileFhirPath(expr).evaluate(obs);
      expect(fast, expr).toEqual(compileFhirPath(expr, { general: true }).evaluate(obs));
    }
    expect(compileFhirPath('Observation.performer.where(resolve() is Patient)').evaluate(obs)).toHaveLength(3);
  });

  it('types choice elements and contained resources like the general evaluator', () => {
    const obs = { resourceType: 'Observation', valueQuantity: { value: 1 }, contained: [{ resourceType: 'Patient', id: 'p' }] };
    for (const expr of ['Observation.value', 'Observation.contained', 'Observation.value as Quantity', 'Observation.value as string']) {
      expect(compileFhirPath(expr).evaluate(obs), expr).toEqual(compileFhirPath(expr, { general: true }).evaluate(obs));
    }
    expect(compileFhirPath('Observation.contained').evaluate(obs)[0].type).toBe('Patient');
  });

  it('matches the general evaluator on every search expression over the Synthea sample', () => {
    let compared = 0;
    for (const resource of sampleResources({ localReferences: true })) {
      const root = [typed(resource)];
      for (const param of planFor(resource.resourceType)) {
        for (const branch of param.branches) {
          const expr = branch.path.expression;
          const simple = parseSimplePath(expr);
          const quick = simple ? evaluateSimplePath(simple, root) : undefined;
          if (!quick) continue;
          const general = compileFhirPath(expr, { general: true }).evaluateTyped(root);
          compared++;
          // Identity (===), not deep equality: the fast path must return the very same objects.
          if (quick.length !== general.length || !quick.every((v, i) => v.type === general[i].type && v.value === general[i].value)) {
            expect(quick, `${resource.resourceType}/${resource.id} ${expr}`).toEqual(general);
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(500_000);
  });
});
