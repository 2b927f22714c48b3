import { describe, expect, it } from 'vitest';
import { conceptWords, matchTier, parseFilter, wordsOf } from './words.ts';

describe('terminology words', () => {
  it('cuts names into folded words, keeping inner dots', () => {
    expect(wordsOf('Type 2 diabetes mellitus, without complications')).toEqual(['type', '2', 'diabetes', 'mellitus', 'without', 'complications']);
    expect(wordsOf('Maladie de Ménière')).toEqual(['maladie', 'de', 'meniere']);
    expect(wordsOf('metformin 0.5 MG/ML Oral Solution.')).toEqual(['metformin', '0.5', 'mg', 'ml', 'oral', 'solution']);
    expect(wordsOf('  --  ')).toEqual([]);
  });

  it('finds a concept by its code as a whole and by the words of every name', () => {
    expect(conceptWords('E11.9', ['Type 2 diabetes', 'T2DM type 2'])).toEqual(['e11.9', 'type', '2', 'diabetes', 't2dm']);
  });

  it('parses a filter into distinct terms, dropping a term that starts another', () => {
    expect(parseFilter('Type 2 Diab')).toEqual({ terms: ['type', '2', 'diab'], text: 'type 2 diab', first: 'type' });
    expect(parseFilter('diab diabetes')).toEqual({ terms: ['diabetes'], text: 'diab diabetes', first: 'diab' });
    expect(parseFilter(' ,.; ')).toBeUndefined();
    expect(parseFilter('a b c d e f g h i j')?.terms).toHaveLength(8);
  });

  it('ranks the display that is the filter, then starts with it, then whose first word starts with the first term', () => {
    const filter = parseFilter('diabetes mell')!;
    expect(matchTier('Diabetes  mell', filter)).toBe(0);
    expect(matchTier('Diabetes mellitus type 2', filter)).toBe(1);
    expect(matchTier('Diabetic mellitus', filter)).toBe(3);
    expect(matchTier('Diabetesmellitus', filter)).toBe(2);
    expect(matchTier('Type 2 diabetes mellitus', filter)).toBe(3);
  });
});
