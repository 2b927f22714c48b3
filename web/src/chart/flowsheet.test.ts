import type { Observation } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { flowsheet } from './flowsheet.ts';

const LOINC = 'http://loinc.org';
function single(code: string, value: number, when: string, extra: Partial<Observation> = {}): Observation {
  return { resourceType: 'Observation', status: 'final', code: { coding: [{ system: LOINC, code }] }, effectiveDateTime: when, valueQuantity: { value }, ...extra };
}
function bp(systolic: number, diastolic: number, when: string): Observation {
  return {
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: LOINC, code: '85354-9' }] },
    effectiveDateTime: when,
    component: [
      { code: { coding: [{ system: LOINC, code: '8480-6' }] }, valueQuantity: { value: systolic } },
      { code: { coding: [{ system: LOINC, code: '8462-4' }] }, valueQuantity: { value: diastolic } },
    ],
  };
}

describe('flowsheet', () => {
  it('has a column per time measured, newest first, and a row per measure recorded', () => {
    const sheet = flowsheet([single('8867-4', 72, '2026-01-01T09:00:00Z'), bp(150, 95, '2026-03-01T09:00:00Z'), single('8867-4', 110, '2026-03-01T09:00:00Z'), single('29463-7', 80, '2026-02-01T09:00:00Z')]);
    expect(sheet.columns).toEqual(['2026-03-01T09:00:00Z', '2026-02-01T09:00:00Z', '2026-01-01T09:00:00Z']);
    expect(sheet.rows).toEqual(['systolic', 'diastolic', 'heartRate', 'weight']);
    expect(sheet.cells.get('heartRate')!.get('2026-03-01T09:00:00Z')).toMatchObject({ value: 110, flag: 'high' });
    expect(sheet.cells.get('systolic')!.get('2026-03-01T09:00:00Z')).toMatchObject({ value: 150, flag: 'high' });
    expect(sheet.cells.get('heartRate')!.get('2026-01-01T09:00:00Z')).toMatchObject({ value: 72, flag: 'normal' });
  });
  it('keeps the newest columns only', () => {
    const obs = Array.from({ length: 20 }, (_, i) => single('8867-4', 70, new Date(Date.UTC(2026, 0, i + 1)).toISOString()));
    const sheet = flowsheet(obs, 5);
    expect(sheet.columns).toHaveLength(5);
    expect(sheet.columns[0]).toBe('2026-01-20T00:00:00.000Z');
  });
  it('takes the lab’s interpretation over the usual range', () => {
    const sheet = flowsheet([single('8867-4', 72, '2026-01-01T09:00:00Z', { interpretation: [{ coding: [{ code: 'H' }] }] })]);
    expect(sheet.cells.get('heartRate')!.get('2026-01-01T09:00:00Z')!.flag).toBe('high');
  });
});
