import { describe, expect, it } from 'vitest';
import { FhirError } from '../outcome.ts';
import { indexNumber, numberRange, parseNumberQuery } from './number.ts';
import { indexQuantity, parseQuantityQuery } from './quantity.ts';
import type { IndexRow } from './types.ts';

function rows(fn: typeof indexNumber, type: string, value: unknown): IndexRow[] {
  const out: IndexRow[] = [];
  fn('p', { type, value }, (r) => out.push(r));
  return out;
}

describe('number precision ranges', () => {
  it.each([
    ['100', 100, 99.5, 100.5],
    ['1.50', 1.5, 1.495, 1.505],
    ['0.1', 0.1, 0.05, 0.15],
    ['-3', -3, -3.5, -2.5],
    ['1e2', 100, 50, 150],
    ['1.1', 1.1, 1.05, 1.15],
  ])('%s -> %d in [%d, %d]', (text, value, low, high) => {
    expect(numberRange(text)).toEqual({ value, low, high });
  });

  it.each(['abc', '1.', '.5', '1,5', '', '0x10'])('rejects %s', (text) => expect(numberRange(text)).toBeUndefined());

  it('indexes stored numbers with the precision of their shortest form', () => {
    expect(rows(indexNumber, 'integer', 100)).toEqual([{ kind: 'number', param: 'p', value: 100, low: 99.5, high: 100.5 }]);
    expect(rows(indexNumber, 'decimal', 7.25)).toEqual([{ kind: 'number', param: 'p', value: 7.25, low: 7.245, high: 7.255 }]);
    expect(rows(indexNumber, 'decimal', 1e-7)[0]).toMatchObject({ value: 1e-7, low: 5e-8 });
    expect(rows(indexNumber, 'string', '100')).toEqual([]);
  });

  it('parses query prefixes; bad numbers are invalid', () => {
    expect(parseNumberQuery('gt5.4', 'p')).toEqual({ kind: 'number', prefix: 'gt', value: 5.4, low: 5.35, high: 5.45 });
    expect(parseNumberQuery('100', 'p')).toMatchObject({ prefix: 'eq', low: 99.5 });
    expect(() => parseNumberQuery('ge', 'p')).toThrow(FhirError);
    expect(() => parseNumberQuery('five', 'p')).toThrow('Invalid number "five" for parameter "p"');
  });
});

describe('quantity', () => {
  it('indexes Quantity-like values with system, code and unit', () => {
    const q = { value: 5.4, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' };
    expect(rows(indexQuantity, 'Quantity', q)).toEqual([
      { kind: 'quantity', param: 'p', value: 5.4, low: 5.35, high: 5.45, system: 'http://unitsofmeasure.org', code: 'mg', unit: 'mg' },
      { kind: 'quantity', param: 'p:canonical', value: 0.0054, low: 0.00535, high: 0.00545, system: 'http://unitsofmeasure.org', code: 'g', unit: null },
    ]);
    expect(rows(indexQuantity, 'Age', { value: 3, unit: 'a' })[0]).toMatchObject({ value: 3, system: null, code: null, unit: 'a' });
    expect(rows(indexQuantity, 'Money', { value: 12.5, currency: 'EUR' })[0]).toMatchObject({ system: 'urn:iso:std:iso:4217', code: 'EUR' });
    expect(rows(indexQuantity, 'Quantity', { unit: 'mg' })).toEqual([]);
    expect(rows(indexQuantity, 'Range', { low: { value: 1 } })).toEqual([]);
  });

  it('parses number|system|code, number||code and bare numbers', () => {
    expect(parseQuantityQuery('5.4|urn:units|mg', 'p')).toEqual({
      kind: 'quantity', prefix: 'eq', value: 5.4, low: 5.35, high: 5.45, system: 'urn:units', code: 'mg',
    });
    const anySystem = parseQuantityQuery('le5.4||mg', 'p');
    expect(anySystem).toMatchObject({ prefix: 'le', code: 'mg' });
    expect('system' in anySystem).toBe(false);
    expect(parseQuantityQuery('ap100', 'p')).toEqual({ kind: 'quantity', prefix: 'ap', value: 100, low: 99.5, high: 100.5 });
    expect(() => parseQuantityQuery('5.4|mg', 'p')).toThrow(FhirError);
    expect(() => parseQuantityQuery('x|a|b', 'p')).toThrow(FhirError);
  });
});

describe('quantity in UCUM base units', () => {
  const UCUM = 'http://unitsofmeasure.org';
  const canonical = (q: object): IndexRow[] => rows(indexQuantity, 'Quantity', { system: UCUM, ...q }).filter((r) => r.param === 'p:canonical');

  it('indexes a UCUM quantity once more in base units, precision bounds converted too', () => {
    expect(canonical({ value: 5500, code: 'mg' })).toEqual([{ kind: 'quantity', param: 'p:canonical', value: 5.5, low: 5.4995, high: 5.5005, system: UCUM, code: 'g', unit: null }]);
    expect(canonical({ value: 120, code: 'mm[Hg]' })[0]).toMatchObject({ code: 'g.m-1.s-2', value: 15998640 });
    expect(canonical({ value: 37, code: 'Cel' })[0]).toMatchObject({ code: 'K', value: 310.15, low: 309.65, high: 310.65 });
    expect(canonical({ value: 5000, code: 'mg' })[0]).toMatchObject({ value: 5 }); // no binary noise (5.000000000000001)
  });

  it('keeps units UCUM cannot convert linearly or that carry annotations as written only', () => {
    for (const code of ['xyz', '[pH]', '{score}', 'mg{total}']) expect(canonical({ value: 1, code }), code).toEqual([]);
    expect(rows(indexQuantity, 'Quantity', { value: 1, system: 'urn:other', code: 'mg' })).toHaveLength(1);
  });

  it('converts a query with a UCUM unit to base units, and leaves other queries as written', () => {
    expect(parseQuantityQuery('gt5|http://unitsofmeasure.org|g', 'p')).toEqual({ kind: 'quantity', prefix: 'gt', value: 5, low: 4.5, high: 5.5, system: UCUM, code: 'g', canonical: true });
    expect(parseQuantityQuery('5.4|http://unitsofmeasure.org|mg', 'p')).toEqual({
      kind: 'quantity', prefix: 'eq', value: 0.0054, low: 0.00535, high: 0.00545, system: UCUM, code: 'g', canonical: true,
    });
    expect(parseQuantityQuery('5.4||mg', 'p')).not.toHaveProperty('canonical');
    expect(parseQuantityQuery('5.4|http://unitsofmeasure.org|{score}', 'p')).toMatchObject({ code: '{score}', value: 5.4 });
  });
});
