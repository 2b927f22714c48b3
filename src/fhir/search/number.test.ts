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
    ]);
    expect(rows(indexQuantity, 'Age', { value: 3, unit: 'a' })[0]).toMatchObject({ value: 3, system: null, code: null, unit: 'a' });
    expect(rows(indexQuantity, 'Money', { value: 12.5, currency: 'EUR' })[0]).toMatchObject({ system: 'urn:iso:std:iso:4217', code: 'EUR' });
    expect(rows(indexQuantity, 'Quantity', { unit: 'mg' })).toEqual([]);
    expect(rows(indexQuantity, 'Range', { low: { value: 1 } })).toEqual([]);
  });

  it('parses number|system|code, number||code and bare numbers', () => {
    expect(parseQuantityQuery('5.4|http://unitsofmeasure.org|mg', 'p')).toEqual({
      kind: 'quantity', prefix: 'eq', value: 5.4, low: 5.35, high: 5.45, system: 'http://unitsofmeasure.org', code: 'mg',
    });
    const anySystem = parseQuantityQuery('le5.4||mg', 'p');
    expect(anySystem).toMatchObject({ prefix: 'le', code: 'mg' });
    expect('system' in anySystem).toBe(false);
    expect(parseQuantityQuery('ap100', 'p')).toEqual({ kind: 'quantity', prefix: 'ap', value: 100, low: 99.5, high: 100.5 });
    expect(() => parseQuantityQuery('5.4|mg', 'p')).toThrow(FhirError);
    expect(() => parseQuantityQuery('x|a|b', 'p')).toThrow(FhirError);
  });
});
