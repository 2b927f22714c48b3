import { describe, expect, it } from 'vitest';
import { bmi, bmiCategory } from './bmi.ts';
import { flagFor, flagFromInterpretation, normalRange, rangeText, trend } from './flags.ts';
import { convert, roundTo } from './units.ts';
import { implausible, vitalSignByLoinc, VITAL_SIGNS } from './vital-signs.ts';

describe('bmi', () => {
  it('is weight over height squared, to one decimal', () => {
    expect(bmi(70, 175)).toBe(22.9);
    expect(bmi(95.3, 180.3)).toBe(29.3);
  });
  it('is undefined without both measures', () => {
    expect(bmi(undefined, 175)).toBeUndefined();
    expect(bmi(70, 0)).toBeUndefined();
  });
  it('names the WHO adult category at its boundaries', () => {
    expect([18.4, 18.5, 24.9, 25, 29.9, 30].map(bmiCategory)).toEqual(['Underweight', 'Healthy weight', 'Healthy weight', 'Overweight', 'Overweight', 'Obesity']);
  });
});

describe('unit conversion', () => {
  it('converts the units vitals are entered in', () => {
    expect(roundTo(convert(154, '[lb_av]', 'kg'), 2)).toBe(69.85);
    expect(roundTo(convert(69, '[in_i]', 'cm'), 2)).toBe(175.26);
    expect(roundTo(convert(98.6, '[degF]', 'Cel'), 1)).toBe(37);
    expect(roundTo(convert(37, 'Cel', '[degF]'), 1)).toBe(98.6);
    expect(convert(1500, 'g', 'kg')).toBe(1.5);
  });
  it('refuses to convert between different measures', () => {
    expect(() => convert(1, 'kg', 'cm')).toThrow(/Cannot convert kg to cm/);
  });
});

describe('flags', () => {
  it('takes the lab interpretation first', () => {
    expect(flagFor(5, { low: 1, high: 10 }, [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'HH' }] }])).toBe('critical-high');
    expect(flagFromInterpretation([{ coding: [{ code: 'LL' }] }])).toBe('critical-low');
    expect(flagFromInterpretation([{ coding: [{ system: 'http://other', code: 'H' }] }])).toBeUndefined();
  });
  it('compares with the reference range otherwise, bounds included as normal', () => {
    expect(flagFor(6.8, { high: 5.6 })).toBe('high');
    expect(flagFor(55, { low: 60 })).toBe('low');
    expect(flagFor(60, { low: 60, high: 100 })).toBe('normal');
    expect(flagFor(100, { low: 60, high: 100 })).toBe('normal');
    expect(flagFor(7, undefined)).toBeUndefined();
  });
  it('finds the normal range among reference ranges', () => {
    expect(normalRange([{ low: { value: 4 }, high: { value: 5.6 } }])).toEqual({ low: 4, high: 5.6 });
    expect(normalRange([{ type: { coding: [{ code: 'treatment' }] }, high: { value: 7 } }])).toBeUndefined();
    expect(rangeText({ low: 4, high: 5.6 }, '%')).toBe('4–5.6 %');
    expect(rangeText({ high: 200 })).toBe('≤ 200');
  });
  it('gives a trend only for changes beyond the tolerance', () => {
    expect(trend(130, 120)).toBe('up');
    expect(trend(118, 120)).toBe('steady');
    expect(trend(100, 120)).toBe('down');
    expect(trend(100, undefined)).toBeUndefined();
  });
});

describe('vital signs', () => {
  it('uses the LOINC codes and UCUM units of the FHIR vital-signs profiles', () => {
    expect(VITAL_SIGNS.weight).toMatchObject({ loinc: '29463-7', unit: { code: 'kg' } });
    expect(VITAL_SIGNS.temperature.unit.code).toBe('Cel');
    expect(vitalSignByLoinc('59408-5')?.key).toBe('spo2');
    expect(vitalSignByLoinc('8480-6')?.key).toBe('systolic');
  });
  it('refuses implausible values with a message that says what to check', () => {
    expect(implausible('heartRate', 72)).toBeUndefined();
    expect(implausible('heartRate', 720)?.message).toBe('Heart rate of 720 /min is outside 20–300 /min; check the value and unit');
    expect(implausible('temperature', 98.6)?.message).toMatch(/°C/);
    expect(implausible('weight', Number.NaN)?.message).toBe('Weight must be a number');
  });
});
