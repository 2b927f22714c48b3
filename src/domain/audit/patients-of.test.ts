import { describe, expect, it } from 'vitest';
import { patientsInJson, patientsOf } from './patients-of.ts';

describe('patients of audited resources', () => {
  const obs = { resourceType: 'Observation', id: 'o1', subject: { reference: 'Patient/p1' }, performer: [{ reference: 'http://x.org/fhir/Patient/p2/_history/3' }, { reference: 'Practitioner/d1' }] };
  it('finds the patient itself and every patient reference, in JSON text and in objects', () => {
    expect(patientsInJson('Observation', 'o1', JSON.stringify(obs)).sort()).toEqual(['Patient/p1', 'Patient/p2']);
    expect(patientsInJson('Patient', 'p9', JSON.stringify({ resourceType: 'Patient', id: 'p9', link: [{ other: { reference: 'Patient/p8' } }] })).sort()).toEqual(['Patient/p8', 'Patient/p9']);
    expect(patientsOf([obs as never, { resourceType: 'Patient', id: 'p3' }]).sort()).toEqual(['Patient/p1', 'Patient/p2', 'Patient/p3']);
    expect(patientsOf([{ resourceType: 'Organization', id: 'x', partOf: { reference: 'Organization/y' } } as never])).toEqual([]);
  });
});
