import type { ActivityDefinition, Dosage } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { SYSTEMS } from '../terminology/value-sets.ts';
import { directionsText, dispenseText, dosagePhrase, frequencyText, prescriptionText, quantityText } from './sig.ts';
import { dosagesOf, EMPTY_MEDICATION_ORDER, formFromSentence, medicationOrderFrom, sentencesFor, validateMedicationOrder, type MedicationOrderForm } from './medication-order.ts';

const ORAL = { coding: [{ system: SYSTEMS.snomed, code: '26643006' }] };
const tabs = (value: number) => ({ value, unit: 'tablet(s)', system: SYSTEMS.ucum, code: '{tbl}' });
const every = (period: number, periodUnit: 'h' | 'd' | 'wk', extra: object = {}) => ({ repeat: { frequency: 1, period, periodUnit, ...extra } });
const days = (value: number) => ({ value, unit: 'days', system: SYSTEMS.ucum, code: 'd' });

describe('quantities and frequencies in words', () => {
  it('says units in the singular for one and the plural otherwise, keeps mg and mL', () => {
    expect(quantityText(tabs(1))).toBe('1 tablet');
    expect(quantityText(tabs(2))).toBe('2 tablets');
    expect(quantityText(tabs(0.5))).toBe('0.5 tablets');
    expect(quantityText({ value: 1, code: '{capsule}' })).toBe('1 capsule');
    expect(quantityText({ value: 10, code: '[iU]' })).toBe('10 units');
    expect(quantityText({ value: 500, code: 'mg', unit: 'mg' })).toBe('500 mg');
    expect(quantityText({ value: 5, code: 'mL' })).toBe('5 mL');
    expect(quantityText({ value: 3, unit: 'sachets' })).toBe('3 sachets');
    expect(quantityText(undefined)).toBeUndefined();
  });

  const cases: Array<[Dosage['timing'], string]> = [
    [{ repeat: { frequency: 1, period: 1, periodUnit: 'd' } }, 'once daily'],
    [{ repeat: { frequency: 2, period: 1, periodUnit: 'd' } }, 'twice daily'],
    [{ repeat: { frequency: 3, period: 1, periodUnit: 'd' } }, 'three times daily'],
    [{ repeat: { frequency: 4, period: 1, periodUnit: 'd' } }, 'four times daily'],
    [every(6, 'h'), 'every 6 hours'],
    [every(1, 'h'), 'every hour'],
    [{ repeat: { frequency: 1, period: 4, periodMax: 6, periodUnit: 'h' } }, 'every 4 to 6 hours'],
    [every(2, 'd'), 'every other day'],
    [every(3, 'd'), 'every 3 days'],
    [{ repeat: { frequency: 1, period: 1, periodUnit: 'wk' } }, 'once weekly'],
    [every(2, 'wk'), 'every 2 weeks'],
    [{ repeat: { frequency: 2, period: 1, periodUnit: 'wk' } }, 'twice weekly'],
    [{ repeat: { frequency: 1, frequencyMax: 2, period: 1, periodUnit: 'd' } }, '1 to 2 times daily'],
    [{ repeat: { frequency: 2, period: 3, periodUnit: 'd' } }, 'twice every 3 days'],
    [{ repeat: { when: ['HS'] } }, 'at bedtime'],
    [{ repeat: { frequency: 1, period: 1, periodUnit: 'd', when: ['MORN'] } }, 'once daily in the morning'],
    [{ code: { text: 'Every morning and evening' } }, 'every morning and evening'],
  ];
  for (const [timing, words] of cases) {
    it(`reads ${JSON.stringify(timing)} as "${words}"`, () => {
      expect(frequencyText({ timing })).toBe(words);
    });
  }
});

describe('directions', () => {
  it('acetaminophen 325 mg, 2 tablets by mouth every 6 hours as needed for pain, 5 days, at most 10 a day', () => {
    const dosage: Dosage = {
      doseAndRate: [{ doseQuantity: tabs(2) }],
      route: ORAL,
      timing: every(6, 'h', { boundsDuration: days(5) }),
      asNeededCodeableConcept: { text: 'pain' },
      maxDosePerPeriod: { numerator: tabs(10), denominator: { value: 1, code: 'd' } },
    };
    expect(directionsText([dosage])).toBe('Take 2 tablets by mouth every 6 hours as needed for pain, for 5 days. Do not take more than 10 tablets in 24 hours.');
    expect(prescriptionText({ dosageInstruction: [dosage], dispenseRequest: { quantity: tabs(40), numberOfRepeatsAllowed: 0 } })).toBe(
      'Take 2 tablets by mouth every 6 hours as needed for pain, for 5 days. Do not take more than 10 tablets in 24 hours. Dispense 40 tablets. Refills: 0.',
    );
  });

  it('PRN without a reason says "as needed"', () => {
    expect(dosagePhrase({ doseAndRate: [{ doseQuantity: tabs(1) }], route: ORAL, timing: every(4, 'h'), asNeededBoolean: true })).toBe('1 tablet by mouth every 4 hours as needed');
  });

  it('a prednisone taper reads in sequence order as one sentence with "then", the route said once', () => {
    const step = (sequence: number, n: number, d: number): Dosage => ({ sequence, doseAndRate: [{ doseQuantity: tabs(n) }], route: ORAL, timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd', boundsDuration: days(d) } } });
    expect(directionsText([step(3, 1, 1), step(1, 4, 2), step(2, 2, 2)])).toBe('Take 4 tablets by mouth once daily, for 2 days, then 2 tablets once daily, for 2 days, then 1 tablet once daily, for 1 day.');
  });

  it('dosages sharing a sequence are taken together', () => {
    const morning: Dosage = { sequence: 1, doseAndRate: [{ doseQuantity: tabs(2) }], route: ORAL, timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd', when: ['MORN'] } } };
    const evening: Dosage = { sequence: 1, doseAndRate: [{ doseQuantity: tabs(1) }], route: ORAL, timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd', when: ['EVE'] } } };
    expect(directionsText([morning, evening])).toBe('Take 2 tablets by mouth once daily in the morning, and 1 tablet once daily in the evening.');
  });

  it('other routes take their own verb', () => {
    expect(directionsText([{ doseAndRate: [{ doseQuantity: { value: 10, code: '[iU]' } }], route: { coding: [{ system: SYSTEMS.snomed, code: '34206005' }] }, timing: { repeat: { when: ['HS'] } } }])).toBe('Inject 10 units under the skin at bedtime.');
    expect(directionsText([{ doseAndRate: [{ doseQuantity: { value: 2, code: '{puff}' } }], route: { coding: [{ system: SYSTEMS.snomed, code: '447694001' }] }, timing: every(4, 'h'), asNeededCodeableConcept: { coding: [{ display: 'Wheezing' }] } }])).toBe(
      'Inhale 2 puffs by inhalation every 4 hours as needed for wheezing.',
    );
  });

  it('extra instructions, a dose range, a count of doses', () => {
    expect(dosagePhrase({ doseAndRate: [{ doseQuantity: tabs(1) }], route: ORAL, timing: { repeat: { frequency: 2, period: 1, periodUnit: 'd' } }, additionalInstruction: [{ text: 'With meals' }] })).toBe('1 tablet by mouth twice daily with meals');
    expect(dosagePhrase({ doseAndRate: [{ doseRange: { low: { value: 1 }, high: tabs(2) } }], route: ORAL, timing: every(6, 'h') })).toBe('1 to 2 tablets by mouth every 6 hours');
    expect(dosagePhrase({ doseAndRate: [{ doseQuantity: tabs(1) }], route: ORAL, timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd', count: 1 } } })).toBe('1 tablet by mouth once daily, for 1 dose');
  });

  it('falls back to the text when a dosage has no structure, and says nothing for none', () => {
    expect(directionsText([{ text: 'Use as directed' }])).toBe('Use as directed');
    expect(directionsText(undefined)).toBe('');
    expect(dispenseText({})).toBe('');
    expect(dispenseText({ dispenseRequest: { numberOfRepeatsAllowed: 3 } })).toBe('Refills: 3.');
  });
});

describe('medication order form', () => {
  const acetaminophen = { system: SYSTEMS.rxnorm, code: '313782', display: 'acetaminophen 325 MG Oral Tablet' };
  const ctx = { patientId: 'p1', fhirUser: 'Practitioner/dr', now: new Date('2026-12-05T12:00:00Z') };
  const sentence: ActivityDefinition = {
    resourceType: 'ActivityDefinition',
    status: 'active',
    kind: 'MedicationRequest',
    productCodeableConcept: { coding: [acetaminophen] },
    dosage: [{ sequence: 1, doseAndRate: [{ doseQuantity: tabs(2) }], route: ORAL, timing: { repeat: { frequency: 1, period: 6, periodUnit: 'h', boundsDuration: days(5) }, code: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation', code: 'Q6H' }] } }, asNeededCodeableConcept: { text: 'pain' }, maxDosePerPeriod: { numerator: tabs(10), denominator: { value: 1, code: 'd' } } }],
    quantity: tabs(40),
    dynamicValue: [{ path: 'dispenseRequest.numberOfRepeatsAllowed', expression: { language: 'text/fhirpath', expression: '0' } }],
  };

  it('a catalogue order sentence fills the whole form, and the order reads back as the sentence', () => {
    const form = formFromSentence(sentence);
    expect(form).toMatchObject({ medication: acetaminophen, route: '26643006', steps: [{ dose: '2', doseUnit: '{tbl}', frequency: 'Q6H', days: '5' }], asNeeded: 'yes', asNeededFor: 'pain', maxPerDay: '10', quantity: '40', refills: '0' });
    expect(validateMedicationOrder(form)).toEqual({});
    const order = medicationOrderFrom(form, ctx);
    expect(order).toMatchObject({ status: 'active', intent: 'order', subject: { reference: 'Patient/p1' }, requester: { reference: 'Practitioner/dr' }, dispenseRequest: { quantity: { value: 40 }, numberOfRepeatsAllowed: 0 } });
    expect(prescriptionText(order)).toBe('Take 2 tablets by mouth every 6 hours as needed for pain, for 5 days. Do not take more than 10 tablets in 24 hours. Dispense 40 tablets. Refills: 0.');
    expect(order.dosageInstruction?.[0]?.text).toBe('2 tablets by mouth every 6 hours as needed for pain, for 5 days');
    expect(sentencesFor([sentence], acetaminophen)).toHaveLength(1);
    expect(sentencesFor([sentence], { ...acetaminophen, code: '1' })).toHaveLength(0);
  });

  it('a taper is steps with days, each a dosage in sequence', () => {
    const form: MedicationOrderForm = {
      ...EMPTY_MEDICATION_ORDER,
      medication: acetaminophen,
      steps: [
        { dose: '4', doseUnit: '{tbl}', frequency: 'QD', days: '2' },
        { dose: '2', doseUnit: '{tbl}', frequency: 'QD', days: '2' },
        { dose: '1', doseUnit: '{tbl}', frequency: 'QD', days: '1' },
      ],
      quantity: '13',
    };
    expect(validateMedicationOrder(form)).toEqual({});
    expect(dosagesOf(form).map((d) => d.sequence)).toEqual([1, 2, 3]);
    expect(directionsText(dosagesOf(form))).toBe('Take 4 tablets by mouth once daily, for 2 days, then 2 tablets once daily, for 2 days, then 1 tablet once daily, for 1 day.');
    const open = { ...form, steps: [{ ...form.steps[0]!, days: '' }, form.steps[1]!] };
    expect(validateMedicationOrder(open).stepErrors?.[0]).toMatch(/needs its number of days/);
  });

  it('refuses what cannot be ordered: no medication, no dose, bad numbers', () => {
    const errors = validateMedicationOrder({ ...EMPTY_MEDICATION_ORDER, quantity: 'x', refills: '-1', maxPerDay: 'lots' });
    expect(Object.keys(errors).sort()).toEqual(['maxPerDay', 'medication', 'quantity', 'refills', 'stepErrors']);
  });
});
