import type { Condition } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { isActiveProblem } from '../chart/summary.ts';
import { SYSTEMS } from '../terminology/value-sets.ts';
import { checkSameChart, WrongPatientError } from './entry-context.ts';
import { conditionFrom, EMPTY_PROBLEM, problemForm, resolvedCondition, validateProblem } from './problem-entry.ts';

const now = new Date('2026-12-05T12:00:00Z');
const ctx = { patientId: 'p1', fhirUser: 'Practitioner/dr', now };
const diabetes = { system: SYSTEMS.icd10cm, code: 'E11.9', display: 'Type 2 diabetes mellitus without complications' };

describe('problem entry', () => {
  it('a new problem is a US Core problem-list Condition of the chart it was opened for', () => {
    const c = conditionFrom({ ...EMPTY_PROBLEM, code: diabetes, onset: '2019-03-01', note: ' Diet controlled ' }, undefined, ctx);
    expect(c).toMatchObject({
      resourceType: 'Condition',
      subject: { reference: 'Patient/p1' },
      category: [{ coding: [{ code: 'problem-list-item' }] }],
      clinicalStatus: { coding: [{ code: 'active' }] },
      verificationStatus: { coding: [{ code: 'confirmed' }] },
      code: { coding: [diabetes], text: diabetes.display },
      onsetDateTime: '2019-03-01',
      recordedDate: '2026-12-05',
      recorder: { reference: 'Practitioner/dr' },
      note: [{ text: 'Diet controlled', authorReference: { reference: 'Practitioner/dr' } }],
    });
    expect(c.abatementDateTime).toBeUndefined();
    expect(isActiveProblem(c)).toBe(true);
  });

  it('editing keeps what the form does not show (both codings, id, version, recorder) and round-trips', () => {
    const stored: Condition = {
      resourceType: 'Condition',
      id: 'c1',
      meta: { versionId: '3' },
      subject: { reference: 'Patient/p1' },
      category: [{ coding: [{ code: 'problem-list-item' }] }],
      code: { coding: [diabetes, { system: SYSTEMS.snomed, code: '44054006', display: 'Diabetes mellitus type 2' }], text: 'Type 2 diabetes' },
      clinicalStatus: { coding: [{ code: 'active' }] },
      recorder: { reference: 'Practitioner/other' },
      onsetDateTime: '2019-03-01T00:00:00Z',
    };
    const form = problemForm(stored);
    expect(form).toMatchObject({ code: diabetes, onset: '2019-03-01', clinicalStatus: 'active', verificationStatus: 'confirmed' });
    const saved = conditionFrom({ ...form, verificationStatus: 'provisional' }, stored, ctx);
    expect(saved.id).toBe('c1');
    expect(saved.code).toBe(stored.code);
    expect(saved.recorder).toEqual({ reference: 'Practitioner/other' });
    expect(saved.verificationStatus?.coding?.[0]?.code).toBe('provisional');
    expect(saved.category).toHaveLength(1);
  });

  it('resolving ends the problem: inactive in the chart summary', () => {
    const stored = conditionFrom({ ...EMPTY_PROBLEM, code: diabetes }, undefined, ctx);
    const resolved = resolvedCondition(stored, '2026-12-01');
    expect(resolved.clinicalStatus?.coding?.[0]?.code).toBe('resolved');
    expect(resolved.abatementDateTime).toBe('2026-12-01');
    expect(isActiveProblem(resolved)).toBe(false);
  });

  it('refuses to write over another patient’s Condition', () => {
    const stored: Condition = { resourceType: 'Condition', id: 'c2', subject: { reference: 'Patient/p2' }, code: { text: 'x' } };
    expect(() => conditionFrom({ ...EMPTY_PROBLEM, code: diabetes }, stored, ctx)).toThrow(WrongPatientError);
  });

  it('validation names each field’s problem', () => {
    expect(validateProblem(EMPTY_PROBLEM, now)).toEqual({ code: expect.stringMatching(/Choose the problem/) });
    expect(validateProblem({ ...EMPTY_PROBLEM, code: diabetes, onset: '2027-01-01' }, now).onset).toMatch(/future/);
    expect(validateProblem({ ...EMPTY_PROBLEM, code: diabetes, onset: '2026-02-30' }, now).onset).toMatch(/as a date/);
    expect(validateProblem({ ...EMPTY_PROBLEM, code: diabetes, abatement: '2026-01-01' }, now).abatement).toMatch(/change the status/);
    expect(validateProblem({ ...EMPTY_PROBLEM, code: diabetes, clinicalStatus: 'resolved', onset: '2026-02-01', abatement: '2026-01-01' }, now).abatement).toMatch(/before the onset/);
    expect(validateProblem({ ...EMPTY_PROBLEM, code: diabetes, clinicalStatus: 'resolved', onset: '2026-01-01', abatement: '2026-02-01' }, now)).toEqual({});
  });
});

describe('same chart check', () => {
  it('passes only for the chart the form was opened in', () => {
    expect(() => checkSameChart('p1', 'p1')).not.toThrow();
    expect(() => checkSameChart('p1', 'p2')).toThrow(WrongPatientError);
    expect(() => checkSameChart('p1', undefined)).toThrow(WrongPatientError);
    expect(() => checkSameChart('p1', 'p1', { reference: 'Patient/p2' })).toThrow(WrongPatientError);
  });
});
