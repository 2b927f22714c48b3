import { describe, expect, it } from 'vitest';
import { ageInYears, ageText, familyFirst, givenFirst, initials, mrn } from './patient.ts';
import { conceptText, quantityText } from './values.ts';

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

describe('values', () => {
  it('reads concepts and quantities as people write them', () => {
    expect(conceptText({ coding: [{ code: 'x' }, { code: 'y', display: 'Why' }] })).toBe('Why');
    expect(conceptText({ text: 'Typed', coding: [{ display: 'Coded' }] })).toBe('Typed');
    expect(quantityText({ value: 120, code: 'mm[Hg]', unit: 'mm[Hg]' })).toBe('120 mmHg');
    expect(quantityText({ value: 5, comparator: '<', unit: 'mg/L' })).toBe('< 5 mg/L');
    expect(quantityText({ value: 37.2, code: 'Cel' })).toBe('37.2 °C');
  });
});
