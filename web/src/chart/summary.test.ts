import type { AllergyIntolerance, Condition, MedicationRequest, Observation } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { allergyStatus, latestResults, latestVitals, medicationList, problemList } from './summary.ts';

const NOW = new Date('2026-12-05T12:00:00Z');
const subject = { reference: 'Patient/p' };
const status = (c: string) => ({ coding: [{ code: c }] });

describe('problem list', () => {
  it('keeps active problems apart from resolved ones and leaves out errors', () => {
    const conditions: Condition[] = [
      { resourceType: 'Condition', id: 'old', subject, clinicalStatus: status('active'), onsetDateTime: '2010-01-01', code: { text: 'Hypertension' } },
      { resourceType: 'Condition', id: 'new', subject, clinicalStatus: status('active'), onsetDateTime: '2024-01-01', code: { text: 'Diabetes' } },
      { resourceType: 'Condition', id: 'resolved', subject, clinicalStatus: status('resolved'), onsetDateTime: '2020-01-01', code: { text: 'Sprain' } },
      { resourceType: 'Condition', id: 'abated', subject, clinicalStatus: status('active'), abatementDateTime: '2021-01-01', code: { text: 'Bronchitis' } },
      { resourceType: 'Condition', id: 'error', subject, clinicalStatus: status('active'), verificationStatus: status('entered-in-error'), code: { text: 'Wrong' } },
    ];
    const { active, inactive } = problemList(conditions);
    expect(active.map((c) => c.id)).toEqual(['new', 'old']);
    expect(inactive.map((c) => c.id)).toEqual(['resolved', 'abated']);
  });
});

describe('medication list', () => {
  const med = (id: string, code: string, authoredOn: string, s: MedicationRequest['status'] = 'active'): MedicationRequest => ({
    resourceType: 'MedicationRequest', id, status: s, intent: 'order', subject, authoredOn, medicationCodeableConcept: { coding: [{ code }], text: `Drug ${code}` },
  });
  it('shows one row per drug, the latest request, and marks ones not renewed in a year as stale', () => {
    const { current, past } = medicationList([med('a1', '1', '2026-10-01'), med('a0', '1', '2024-01-01', 'stopped'), med('b', '2', '2023-05-01'), med('c', '3', '2026-01-01', 'completed')], NOW);
    expect(current.map((r) => [r.request.id, r.stale])).toEqual([['a1', false], ['b', true]]);
    expect(past.map((r) => r.request.id)).toEqual(['c']);
  });
});

describe('allergies', () => {
  const allergy = (id: string, extra: Partial<AllergyIntolerance>): AllergyIntolerance => ({ resourceType: 'AllergyIntolerance', id, patient: subject, ...extra });
  it('tells "none known" from "not recorded" and puts high criticality first', () => {
    expect(allergyStatus([])).toEqual({ active: [], noneKnown: false, unrecorded: true });
    expect(allergyStatus([allergy('nka', { code: { coding: [{ code: '716186003' }] } })])).toMatchObject({ noneKnown: true, unrecorded: false });
    const s = allergyStatus([allergy('low', { criticality: 'low' }), allergy('high', { criticality: 'high' }), allergy('gone', { clinicalStatus: status('resolved') })]);
    expect(s.active.map((a) => a.id)).toEqual(['high', 'low']);
  });
});

describe('vitals and results', () => {
  const obs = (id: string, loinc: string, value: number, when: string, extra: Partial<Observation> = {}): Observation => ({
    resourceType: 'Observation', id, status: 'final', subject, code: { coding: [{ system: 'http://loinc.org', code: loinc }] }, effectiveDateTime: when, valueQuantity: { value, unit: 'u' }, ...extra,
  });
  it('takes blood pressure from the panel components and gives the latest with its trend and flag', () => {
    const bp = (id: string, sys: number, dia: number, when: string): Observation => ({
      resourceType: 'Observation', id, status: 'final', subject, effectiveDateTime: when, code: { coding: [{ code: '85354-9' }] },
      component: [{ code: { coding: [{ code: '8480-6' }] }, valueQuantity: { value: sys, code: 'mm[Hg]' } }, { code: { coding: [{ code: '8462-4' }] }, valueQuantity: { value: dia, code: 'mm[Hg]' } }],
    });
    const latest = latestVitals([bp('b2', 150, 85, '2026-11-01'), bp('b1', 128, 80, '2026-01-01'), obs('hr', '8867-4', 72, '2026-11-01')]);
    expect(latest.get('systolic')).toMatchObject({ value: 150, previous: 128, trend: 'up', flag: 'high' });
    expect(latest.get('diastolic')).toMatchObject({ value: 85, trend: 'up', flag: 'normal' });
    expect(latest.get('heartRate')).toMatchObject({ value: 72, trend: undefined });
  });
  it('gives the latest result of each test, flagged by its own range', () => {
    const range = [{ high: { value: 5.6 } }];
    const results = latestResults([
      obs('a1c-old', '4548-4', 6.1, '2025-01-01', { referenceRange: range }),
      obs('a1c', '4548-4', 7.2, '2026-06-01', { referenceRange: range }),
      obs('ldl', '18262-6', 90, '2026-03-01'),
      obs('error', '2345-7', 500, '2026-11-01', { status: 'entered-in-error' }),
    ]);
    expect(results.map((r) => [r.observation.id, r.flag, r.trend])).toEqual([['a1c', 'high', 'up'], ['ldl', undefined, undefined]]);
  });
});
