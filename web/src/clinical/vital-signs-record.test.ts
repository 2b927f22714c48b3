import type { Observation } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { enteredInErrorTransaction, readEntry, takenAtProblem, vitalSignsTransaction } from './vital-signs-record.ts';

function counter() {
  let n = 0;
  return () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
}

describe('reading a vital-signs entry', () => {
  it('converts pounds, inches and Fahrenheit to the stored units and computes BMI', () => {
    const { values, problems } = readEntry({ values: { weight: '154', height: '69', temperature: '98.6' }, units: { weight: '[lb_av]', height: '[in_i]', temperature: '[degF]' } });
    expect(problems).toEqual({});
    expect(values).toEqual({ weight: 69.85, height: 175.26, temperature: 37, bmi: 22.7 });
  });
  it('uses the latest recorded height for BMI when none is typed', () => {
    expect(readEntry({ values: { weight: '70' }, units: {} }, 175).values).toEqual({ weight: 70, bmi: 22.9 });
    expect(readEntry({ values: { weight: '70' }, units: {} }).values.bmi).toBeUndefined();
  });
  it('refuses implausible values with the message, in the unit typed too', () => {
    expect(readEntry({ values: { heartRate: '720' }, units: {} }).problems).toEqual({ heartRate: 'Heart rate of 720 /min is outside 20–300 /min; check the value and unit' });
    expect(readEntry({ values: { weight: '1000' }, units: { weight: '[lb_av]' } }).problems.weight).toBe('Weight of 453.59 kg is outside 0.3–400 kg; check the value and unit (1000 lb = 453.59 kg)');
    expect(readEntry({ values: { spo2: 'ninety' }, units: {} }).problems).toEqual({ spo2: 'SpO₂ must be a number' });
  });
  it('needs both blood pressure numbers, in the right order', () => {
    expect(readEntry({ values: { systolic: '120' }, units: {} }).problems).toEqual({ diastolic: 'Blood pressure needs both systolic and diastolic values' });
    expect(readEntry({ values: { systolic: '80', diastolic: '120' }, units: {} }).problems.diastolic).toMatch(/must be lower than systolic/);
  });
  it('reads a decimal comma', () => {
    expect(readEntry({ values: { temperature: '37,2' }, units: {} }).values.temperature).toBe(37.2);
  });
});

describe('the vital-signs transaction', () => {
  const context = { patientId: 'p1', effective: '2026-12-05T10:30:00Z', performer: 'Practitioner/n1', uuid: counter() };

  it('is nothing when nothing was entered', () => {
    expect(vitalSignsTransaction({}, context)).toBeUndefined();
  });

  it('records each measure as its R4 vital-signs profile requires, blood pressure as a panel with components', () => {
    const bundle = vitalSignsTransaction({ systolic: 132, diastolic: 84, heartRate: 72, spo2: 97, weight: 69.85, height: 175.3, bmi: 22.7 }, { ...context, uuid: counter() })!;
    expect(bundle.type).toBe('transaction');
    const observations = bundle.entry!.map((e) => e.resource as Observation);
    expect(bundle.entry!.every((e) => e.request?.method === 'POST' && e.request.url === 'Observation' && e.fullUrl?.startsWith('urn:uuid:'))).toBe(true);
    for (const o of observations) {
      expect(o).toMatchObject({
        status: 'final',
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
        subject: { reference: 'Patient/p1' },
        effectiveDateTime: '2026-12-05T10:30:00Z',
        performer: [{ reference: 'Practitioner/n1' }],
      });
    }
    const byCode = new Map(observations.map((o) => [o.code.coding![0]!.code, o]));
    expect(byCode.get('85353-1')!.hasMember).toHaveLength(6);
    expect(byCode.get('85353-1')!.hasMember!.map((m) => m.reference)).toEqual(bundle.entry!.slice(1).map((e) => e.fullUrl));
    const bp = byCode.get('85354-9')!;
    expect(bp.meta?.profile).toEqual(['http://hl7.org/fhir/StructureDefinition/bp']);
    expect(bp.valueQuantity).toBeUndefined();
    expect(bp.component).toEqual([
      expect.objectContaining({ code: expect.objectContaining({ coding: [expect.objectContaining({ system: 'http://loinc.org', code: '8480-6' })] }), valueQuantity: { value: 132, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } }),
      expect.objectContaining({ code: expect.objectContaining({ coding: [expect.objectContaining({ code: '8462-4' })] }), valueQuantity: { value: 84, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } }),
    ]);
    expect(byCode.get('8867-4')).toMatchObject({ meta: { profile: ['http://hl7.org/fhir/StructureDefinition/heartrate'] }, valueQuantity: { value: 72, system: 'http://unitsofmeasure.org', code: '/min' } });
    expect(byCode.get('29463-7')).toMatchObject({ meta: { profile: ['http://hl7.org/fhir/StructureDefinition/bodyweight'] }, valueQuantity: { value: 69.85, code: 'kg' } });
    expect(byCode.get('39156-5')).toMatchObject({ meta: { profile: ['http://hl7.org/fhir/StructureDefinition/bmi'] }, valueQuantity: { value: 22.7, code: 'kg/m2' } });
    expect(byCode.get('2708-6')!.code.coding!.map((c) => c.code)).toEqual(['2708-6', '59408-5']);
  });

  it('leaves the performer out when the user names no Practitioner', () => {
    const bundle = vitalSignsTransaction({ heartRate: 60 }, { patientId: 'p1', effective: '2026-12-05T10:30:00Z', uuid: counter() })!;
    expect(bundle.entry!.every((e) => (e.resource as Observation).performer === undefined)).toBe(true);
  });
});

describe('takenAtProblem', () => {
  const now = new Date('2026-12-05T14:00:00');
  it('accepts empty (now), the past and a few minutes of clock skew', () => {
    expect(takenAtProblem('', now)).toBeUndefined();
    expect(takenAtProblem('2026-12-05T09:30', now)).toBeUndefined();
    expect(takenAtProblem('2026-12-05T14:04', now)).toBeUndefined();
  });
  it('refuses the future, a typing slip before 1900 and what is not a date', () => {
    expect(takenAtProblem('2026-12-05T14:10', now)).toMatch(/future/);
    expect(takenAtProblem('2027-01-01T08:00', now)).toMatch(/future/);
    expect(takenAtProblem('0202-12-05T09:30', now)).toMatch(/1900/);
    expect(takenAtProblem('yesterday', now)).toMatch(/not a date/);
  });
});

describe('enteredInErrorTransaction', () => {
  it('puts every observation of the set back as entered in error, with the reason and If-Match', () => {
    const set: Observation[] = [
      { resourceType: 'Observation', id: 'bp', meta: { versionId: '3' }, status: 'final', code: { text: 'BP' }, note: [{ text: 'left arm' }] },
      { resourceType: 'Observation', id: 'hr', status: 'final', code: { text: 'HR' } },
    ];
    const bundle = enteredInErrorTransaction(set, ' wrong patient ', { fhirUser: 'Practitioner/p1', now: new Date('2026-12-05T10:00:00Z') });
    expect(bundle.type).toBe('transaction');
    expect(bundle.entry!.map((e) => e.request)).toEqual([
      { method: 'PUT', url: 'Observation/bp', ifMatch: 'W/"3"' },
      { method: 'PUT', url: 'Observation/hr' },
    ]);
    const bp = bundle.entry![0]!.resource as Observation;
    expect(bp.status).toBe('entered-in-error');
    expect(bp.code).toEqual({ text: 'BP' });
    expect(bp.note).toEqual([{ text: 'left arm' }, { text: 'Entered in error: wrong patient', time: '2026-12-05T10:00:00.000Z', authorReference: { reference: 'Practitioner/p1' } }]);
    expect(set[0]!.status).toBe('final');
  });
});
