import type { AllergyIntolerance, MedicationRequest } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { allergyStatus, immunizationHistory, medicationList } from '../chart/summary.ts';
import { SYSTEMS } from '../terminology/value-sets.ts';
import { WrongPatientError } from './entry-context.ts';
import { allergyForm, allergyFrom, EMPTY_ALLERGY, noKnownAllergies, validateAllergy } from './allergy-entry.ts';
import { emptyImmunization, immunizationForm, immunizationFrom, validateImmunization } from './immunization-entry.ts';
import { discontinuedRequest, EMPTY_MEDICATION, medicationForm, medicationRequestFrom, sigFromParts, validateMedication } from './medication-entry.ts';

const now = new Date('2026-12-05T12:00:00Z');
const ctx = { patientId: 'p1', fhirUser: 'Practitioner/dr', now };
const metformin = { system: SYSTEMS.rxnorm, code: '861007', display: 'metformin hydrochloride 500 MG Oral Tablet' };

describe('medication entry', () => {
  it('a structured dose writes the sig, timing, route and dose; the request is an active order by the user', () => {
    const form = { ...EMPTY_MEDICATION, medication: metformin, dose: '1', frequency: 'BID' };
    expect(validateMedication(form)).toEqual({});
    expect(sigFromParts(form)).toBe('1 tablet by mouth twice daily');
    const m = medicationRequestFrom(form, undefined, ctx);
    expect(m).toMatchObject({
      status: 'active',
      intent: 'order',
      reportedBoolean: false,
      subject: { reference: 'Patient/p1' },
      requester: { reference: 'Practitioner/dr' },
      authoredOn: now.toISOString(),
      medicationCodeableConcept: { coding: [metformin] },
      dosageInstruction: [
        {
          text: '1 tablet by mouth twice daily',
          timing: { repeat: { frequency: 2, period: 1, periodUnit: 'd' }, code: { coding: [{ code: 'BID' }] } },
          route: { coding: [{ system: SYSTEMS.snomed, code: '26643006' }] },
          doseAndRate: [{ doseQuantity: { value: 1, code: '{tbl}', system: SYSTEMS.ucum } }],
        },
      ],
    });
    expect(m.dosageInstruction?.[0]?.timing?.repeat).not.toHaveProperty('when');
    expect(medicationForm(m)).toMatchObject({ medication: metformin, dose: '1', frequency: 'BID', route: '26643006', sig: '1 tablet by mouth twice daily' });
    expect(medicationList([{ ...m, id: 'm1' }], now).current).toHaveLength(1);
  });

  it('a sig or a dose with a frequency is needed; a dose must be a number', () => {
    expect(validateMedication({ ...EMPTY_MEDICATION, medication: metformin })).toEqual({ sig: expect.stringMatching(/how it is taken/) });
    expect(validateMedication({ ...EMPTY_MEDICATION, medication: metformin, sig: 'as directed', dose: 'two' }).dose).toMatch(/number/);
    expect(validateMedication({ ...EMPTY_MEDICATION, sig: 'x' }).medication).toMatch(/Choose/);
  });

  it('discontinuing stops it with the reason; it becomes past in the summary', () => {
    const m: MedicationRequest = { ...medicationRequestFrom({ ...EMPTY_MEDICATION, medication: metformin, sig: '500 mg daily' }, undefined, ctx), id: 'm1' };
    const stopped = discontinuedRequest(m, ' GI upset ');
    expect(stopped).toMatchObject({ status: 'stopped', statusReason: { text: 'GI upset' } });
    expect(medicationList([stopped], now)).toMatchObject({ current: [], past: [{ request: { id: 'm1' } }] });
  });

  it('refuses another patient’s request', () => {
    const other: MedicationRequest = { resourceType: 'MedicationRequest', id: 'm9', status: 'active', intent: 'order', subject: { reference: 'Patient/p2' } };
    expect(() => medicationRequestFrom({ ...EMPTY_MEDICATION, medication: metformin, sig: 'x' }, other, ctx)).toThrow(WrongPatientError);
  });
});

describe('allergy entry', () => {
  const penicillin = { system: SYSTEMS.rxnorm, code: '7980', display: 'penicillin G' };
  const hives = { system: SYSTEMS.snomed, code: '247472004', display: 'Hives' };

  it('writes substance, category, criticality, reaction and statuses; round-trips', () => {
    const form = { ...EMPTY_ALLERGY, substance: penicillin, criticality: 'high' as const, manifestation: hives, severity: 'severe' as const };
    expect(validateAllergy(form)).toEqual({});
    const a = allergyFrom(form, undefined, ctx);
    expect(a).toMatchObject({
      patient: { reference: 'Patient/p1' },
      code: { coding: [penicillin] },
      category: ['medication'],
      criticality: 'high',
      type: 'allergy',
      clinicalStatus: { coding: [{ code: 'active' }] },
      verificationStatus: { coding: [{ code: 'confirmed' }] },
      reaction: [{ manifestation: [{ coding: [hives] }], severity: 'severe' }],
    });
    expect(allergyForm(a)).toMatchObject({ substance: penicillin, manifestation: hives, severity: 'severe', criticality: 'high' });
    expect(allergyStatus([a]).active).toHaveLength(1);
  });

  it('entered in error drops the clinical status (ait-2); a severity needs a reaction', () => {
    const a = allergyFrom({ ...EMPTY_ALLERGY, substance: penicillin, verificationStatus: 'entered-in-error' }, undefined, ctx);
    expect(a.clinicalStatus).toBeUndefined();
    expect(validateAllergy({ ...EMPTY_ALLERGY, substance: penicillin, severity: 'mild' }).manifestation).toMatch(/reaction/);
  });

  it('"No known allergies" is SNOMED CT 716186003, told apart from nothing recorded', () => {
    const nka: AllergyIntolerance = noKnownAllergies(ctx);
    expect(nka.code?.coding?.[0]).toMatchObject({ system: SYSTEMS.snomed, code: '716186003' });
    expect(allergyStatus([nka])).toEqual({ active: [], noneKnown: true, unrecorded: false });
    expect(allergyStatus([])).toMatchObject({ unrecorded: true, noneKnown: false });
  });
});

describe('immunization entry', () => {
  const flu = { system: SYSTEMS.cvx, code: '150', display: 'Influenza, injectable, quadrivalent, preservative free' };

  it('a completed dose with lot, site and route given here', () => {
    const form = { ...emptyImmunization(now), vaccine: flu, lot: ' FL123 ', site: 'LD' };
    expect(validateImmunization(form, now)).toEqual({});
    const i = immunizationFrom(form, undefined, ctx);
    expect(i).toMatchObject({ status: 'completed', vaccineCode: { coding: [flu] }, patient: { reference: 'Patient/p1' }, occurrenceDateTime: '2026-12-05', lotNumber: 'FL123', primarySource: true, site: { coding: [{ code: 'LD' }] }, route: { coding: [{ code: 'IM' }] } });
    expect(i.statusReason).toBeUndefined();
    expect(immunizationForm(i)).toMatchObject({ vaccine: flu, lot: 'FL123', site: 'LD', route: 'IM', source: 'here' });
    expect(immunizationHistory([i])).toHaveLength(1);
  });

  it('not done needs a reason and is not a dose in the history', () => {
    const form = { ...emptyImmunization(now), vaccine: flu, status: 'not-done' as const };
    expect(validateImmunization(form, now).reason).toMatch(/why/);
    const i = immunizationFrom({ ...form, reason: 'PATOBJ', source: 'reported' }, undefined, ctx);
    expect(i).toMatchObject({ status: 'not-done', statusReason: { coding: [{ code: 'PATOBJ' }] }, primarySource: false });
    expect(i.route).toBeUndefined();
    expect(immunizationHistory([i])).toEqual([]);
    expect(validateImmunization({ ...form, reason: 'PATOBJ', date: '2027-01-01' }, now).date).toMatch(/future/);
  });
});
