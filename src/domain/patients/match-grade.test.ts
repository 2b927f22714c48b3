import type { Patient } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { compareBirthDates, gradeMatch, similar, swappedBirthDate } from './match-grade.ts';

const person = (family: string, given: string, birthDate?: string, o: Partial<Patient> = {}): Patient => ({ resourceType: 'Patient', name: [{ family, given: [given] }], birthDate, ...o });

describe('Patient match grades', () => {
  const anna = person('Johansson', 'Anna', '1980-03-04', { gender: 'female', telecom: [{ system: 'phone', value: '(555) 123-4567' }] });

  it('an identifier in common is certain, whatever else differs', () => {
    const withMrn = (p: Patient, value: string): Patient => ({ ...p, identifier: [{ system: 'urn:mrn', value }] });
    expect(gradeMatch(withMrn(anna, 'M1'), withMrn(person('Other', 'Name', '2001-01-01'), 'M1'))).toMatchObject({ grade: 'certain', score: 1 });
    expect(gradeMatch(withMrn(anna, 'M1'), { ...withMrn(anna, 'M1'), identifier: [{ system: 'urn:other', value: 'M1' }] })?.grade).not.toBe('certain');
  });

  it('the same names and birth date are probable; accents and case do not count', () => {
    expect(gradeMatch(anna, person('JOHANSSON', 'Ánna', '1980-03-04'))).toMatchObject({ grade: 'probable', score: 0.9 });
    expect(gradeMatch(anna, person('Johansson', 'Anna', '1980-03-04', { telecom: [{ system: 'phone', value: '555.123.4567' }] }))).toMatchObject({ grade: 'probable', score: 0.95 });
    // A different recorded sex makes it only possible.
    expect(gradeMatch(anna, person('Johansson', 'Anna', '1980-03-04', { gender: 'male' }))).toMatchObject({ grade: 'possible', score: 0.75 });
  });

  it('similar names with the same or swapped birth date, or the same phone, are possible', () => {
    expect(gradeMatch(anna, person('Johanson', 'Ana', '1980-03-04'))?.grade).toBe('possible'); // typos
    expect(gradeMatch(anna, person('Johannsen', 'Anna', '1980-03-04'))?.grade).toBe('possible'); // sounds alike
    expect(gradeMatch(anna, person('Anna', 'Johansson', '1980-03-04'))).toMatchObject({ grade: 'possible', reasons: expect.arrayContaining(['family and given name swapped']) });
    expect(gradeMatch(anna, person('Johansson', 'Anna', '1980-04-03'))).toMatchObject({ grade: 'possible', reasons: expect.arrayContaining(['birth date with day and month swapped']) });
    expect(gradeMatch(anna, person('Johanson', 'Anna', '1975-01-01', { telecom: [{ system: 'phone', value: '+1 555 123 4567' }] }))?.grade).toBe('possible');
    expect(gradeMatch(anna, person('Johansson', 'Anna', '1980-11-30'))).toMatchObject({ grade: 'possible', score: 0.55 });
  });

  it('is not a match otherwise', () => {
    expect(gradeMatch(anna, person('Smith', 'Anna', '1980-03-04'))).toBeUndefined();
    expect(gradeMatch(anna, person('Johansson', 'Karin', '1980-03-04'))).toBeUndefined();
    expect(gradeMatch(anna, person('Johanson', 'Ana', '1981-03-04'))).toBeUndefined();
    expect(gradeMatch(anna, { resourceType: 'Patient', birthDate: '1980-03-04' })).toBeUndefined();
  });

  it('compares names and dates as documented', () => {
    expect(similar('smith', 'smyth')).toBe(true);
    expect(similar('li', 'lu')).toBe(false);
    expect(similar('catherine', 'kathryn')).toBe(true);
    expect(compareBirthDates('1980-03-04', '1980-04-03')).toBe('swapped');
    expect(compareBirthDates('1980-03-04', '1980-05-06')).toBe('same-year');
    expect(swappedBirthDate('1980-03-04')).toBe('1980-04-03');
    expect(swappedBirthDate('1980-03-14')).toBeUndefined();
    expect(swappedBirthDate('1980-03-03')).toBeUndefined();
  });
});
