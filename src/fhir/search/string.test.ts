import { describe, expect, it } from 'vitest';
import { MAX_INDEXED_LENGTH } from './index-limits.ts';
import { indexString, normaliseString, parseStringQuery } from './string.ts';
import type { IndexRow } from './types.ts';

function values(type: string, value: unknown): string[] {
  const out: IndexRow[] = [];
  indexString('s', { type, value }, (r) => out.push(r));
  return out.map((r) => (r.kind === 'string' ? `${r.value}|${r.exact}` : ''));
}

describe('string normalisation', () => {
  it('lower-cases and strips accents (NFD)', () => {
    expect(normaliseString('Ésaïe Ñúñez')).toBe('esaie nunez');
    expect(normaliseString('MÜLLER')).toBe('muller');
    expect(normaliseString('O’Brien')).toBe('o’brien');
    expect(normaliseString('plain')).toBe('plain');
  });

  it('caps long texts on both sides alike', () => {
    const long = 'x'.repeat(MAX_INDEXED_LENGTH + 50);
    expect(normaliseString(long)).toHaveLength(MAX_INDEXED_LENGTH);
    expect(parseStringQuery(long, undefined, 's')).toEqual({ kind: 'string', value: 'x'.repeat(MAX_INDEXED_LENGTH) });
  });
});

describe('string index rows', () => {
  it('indexes HumanName parts', () => {
    const name = { use: 'official', family: 'Núñez', given: ['Ana', 'María'], prefix: ['Dr.'], suffix: ['PhD'], text: 'Dr. Ana María Núñez' };
    expect(values('HumanName', name)).toEqual(['nunez|Núñez', 'ana|Ana', 'maria|María', 'dr.|Dr.', 'phd|PhD', 'dr. ana maria nunez|Dr. Ana María Núñez']);
  });

  it('indexes Address parts', () => {
    const address = { line: ['1 Main St', 'Apt 2'], city: 'Boston', district: 'Suffolk', state: 'MA', postalCode: '02110', country: 'US', text: 'x', use: 'home' };
    expect(values('Address', address)).toEqual(['1 main st|1 Main St', 'apt 2|Apt 2', 'boston|Boston', 'suffolk|Suffolk', 'ma|MA', '02110|02110', 'us|US', 'x|x']);
  });

  it('indexes plain strings and ignores other shapes', () => {
    expect(values('string', 'Hello')).toEqual(['hello|Hello']);
    expect(values('markdown', '**Hi**')).toEqual(['**hi**|**Hi**']);
    expect(values('CodeableConcept', { text: 'x' })).toEqual([]);
    expect(values('HumanName', { given: [null, ''] })).toEqual([]);
  });
});

describe('string query values', () => {
  it('normalises except for :exact', () => {
    expect(parseStringQuery('Núñez', undefined, 'family')).toEqual({ kind: 'string', value: 'nunez' });
    expect(parseStringQuery('Núñez', 'contains', 'family')).toEqual({ kind: 'string', value: 'nunez' });
    expect(parseStringQuery('Núñez', 'exact', 'family')).toEqual({ kind: 'string', value: 'Núñez' });
    expect(() => parseStringQuery('', undefined, 'family')).toThrow('Empty value');
  });
});
