import { describe, expect, it } from 'vitest';
import { ageInYears, ageText, death, familyFirst, givenFirst, initials, mrn } from './patient.ts';
import { conceptText, quantityText, testName } from './values.ts';

const ON = new Date(2026, 11, 5);

describe('patient identity', () => {
  const names = [{ use: 'old' as const, family: 'Jones' }, { use: 'official' as const, family: 'Kreiger', given: ['Clemente', 'A'], prefix: ['Mr.'] }];
  it('names the patient by the official name in both orders', () => {
    expect(familyFirst(names)).toBe('Kreiger, Clemente A');
    expect(givenFirst(names)).toBe('Clemente A Kreiger');
    expect(initials(names)).toBe('CK');
    expect(familyFirst(undefined)).toBe('Name not recorded');
    expect(initials([])).toBe('?');
  });
  it('finds the MRN by identifier type', () => {
    expect(mrn([{ system: 'x', value: '1' }, { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] }, value: 'M-42' }])).toBe('M-42');
    expect(mrn([{ value: '1' }])).toBeUndefined();
  });
  it('gives age in years, months or days', () => {
    expect(ageInYears('1970-12-05', ON)).toBe(56);
    expect(ageInYears('1970-12-06', ON)).toBe(55);
    expect(ageText('1970', ON)).toBe('56 y');
    expect(ageText('2025-06-10', ON)).toBe('17 mo');
    expect(ageText('2026-11-20', ON)).toBe('15 d');
    expect(ageText(undefined, ON)).toBe('Age unknown');
  });
});

describe('death', () => {
  it('is undefined for the living', () => {
    expect(death({ resourceType: 'Patient', birthDate: '1950-01-01' })).toBeUndefined();
    expect(death({ resourceType: 'Patient', deceasedBoolean: false })).toBeUndefined();
  });
  it('gives the date and the age at death, never the age the patient would have now', () => {
    expect(death({ resourceType: 'Patient', birthDate: '1945-06-14', deceasedDateTime: '2024-03-02T10:00:00Z' })).toEqual({ date: '2024-03-02T10:00:00Z', ageAtDeath: '78 y' });
    expect(death({ resourceType: 'Patient', birthDate: '2024-01-10', deceasedDateTime: '2024-04-20' })).toEqual({ date: '2024-04-20', ageAtDeath: '3 mo' });
  });
  it('says deceased without a date when only the flag is recorded', () => {
    expect(death({ resourceType: 'Patient', birthDate: '1945-06-14', deceasedBoolean: true })).toEqual({});
  });
});

describe('values', () => {
  it('reads concepts and quantities as people write them', () => {
    expect(conceptText({ coding: [{ code: 'x' }, { code: 'y', display: 'Why' }] })).toBe('Why');
    expect(conceptText({ text: 'Typed', coding: [{ display: 'Coded' }] })).toBe('Typed');
    expect(quantityText({ value: 120, code: 'mm[Hg]', unit: 'mm[Hg]' })).toBe('120 mmHg');
    expect(quantityText({ value: 5, comparator: '<', unit: 'mg/L' })).toBe('< 5 mg/L');
    expect(quantityText({ value: 37.2, code: 'Cel' })).toBe('37.2 °C');
  });
});

describe('test names', () => {
  it('keeps the component of a LOINC long name', () => {
    expect(testName({ text: 'Urea nitrogen [Mass/volume] in Serum or Plasma' })).toBe('Urea nitrogen');
    expect(testName({ text: 'Hemoglobin A1c/Hemoglobin.total in Blood' })).toBe('Hemoglobin A1c/Hemoglobin.total');
    expect(testName({ text: 'Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI 2021)' })).toBe('Glomerular filtration rate/1.73 sq M.predicted');
    expect(testName({ text: 'Potassium' })).toBe('Potassium');
    expect(testName(undefined)).toBe('');
  });
});
