import type { Bundle, Composition, Condition } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { ipsProblems } from '../../../tests/fixtures/ips-check.ts';
import { patientSummary, type SummaryContent } from './patient-summary.ts';

const NOW = '2026-12-05T10:00:00.000Z';
let n = 0;
const options = { baseUrl: 'https://ehr.example/fhir/R4', practiceName: 'Riverside Family Practice', now: NOW, newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` };
const patient = { resourceType: 'Patient' as const, id: 'p1', name: [{ family: 'Alpha', given: ['Ann'] }], birthDate: '1970-02-03' };
const empty: SummaryContent = { patient, problems: [], allergies: [], medications: [], immunizations: [], results: [], vitals: [], referenced: [] };

describe('patientSummary', () => {
  it('keeps the document self-contained: a reference to what is not in it keeps a display and loses its link', () => {
    const condition: Condition = { resourceType: 'Condition', id: 'c1', subject: { reference: 'Patient/p1' }, code: { text: 'Asthma' }, asserter: { reference: 'Practitioner/x9' }, recorder: { reference: 'Practitioner/x8', display: 'Dr Who' } };
    const doc = patientSummary({ ...empty, problems: [condition] }, options);
    expect(ipsProblems(doc)).toEqual([]);
    const stored = doc.entry!.find((e) => e.resource?.resourceType === 'Condition')!.resource as Condition;
    expect(stored.subject).toEqual({ reference: 'Patient/p1' });
    expect(stored.asserter).toEqual({ display: 'Not included in this summary' });
    expect(stored.recorder).toEqual({ display: 'Dr Who' });
    // The caller's copy is untouched.
    expect(condition.asserter).toEqual({ reference: 'Practitioner/x9' });
  });

  it('leaves out optional sections with nothing in them, and is authored by the practice', () => {
    const doc: Bundle = patientSummary(empty, options);
    const composition = doc.entry![0].resource as Composition;
    expect(composition.section!.map((s) => s.title)).toEqual(['Active problems', 'Allergies and intolerances', 'Medication summary']);
    const author = doc.entry!.find((e) => e.fullUrl === composition.author![0].reference)!.resource;
    expect(author).toEqual({ resourceType: 'Organization', name: 'Riverside Family Practice' });
    expect(doc.timestamp).toBe(NOW);
  });
});
