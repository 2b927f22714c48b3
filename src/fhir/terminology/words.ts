/**
 * How concept names and type-ahead filters are cut into words, in one place so that the words
 * stored for a concept and the terms of a filter always agree. A word is a run of letters, digits
 * and inner dots (`e11.9`, `0.5`), lower-cased with accents removed; everything else separates.
 * A filter matches a concept when every term of the filter is the start of some word of the
 * concept's names or its code, in any order: `type 2 diab` finds "Type 2 diabetes mellitus".
 * @see https://hl7.org/fhir/R4/valueset-operation-expand.html (filter: "the server decides")
 */

const COMBINING_MARKS = /\p{M}/gu;
const NON_ASCII = /[^\x00-\x7f]/;
const WORD = /[\p{L}\p{N}]+(?:\.[\p{L}\p{N}]+)*/gu;

/** Longest word kept: longer runs (a pasted blob) are cut, so an index row stays small. */
export const MAX_WORD_LENGTH = 64;
/** Most terms a filter may have; more is not a type-ahead. */
export const MAX_FILTER_TERMS = 8;

/** Lower case without accents (`Ésaïe` → `esaie`); the form names are compared in. */
export function foldText(text: string): string {
  const folded = NON_ASCII.test(text) ? text.normalize('NFKD').replace(COMBINING_MARKS, '') : text;
  return folded.toLowerCase();
}

/** The words of a text, folded, in order, repeats kept. */
export function wordsOf(text: string): string[] {
  return (foldText(text).match(WORD) ?? []).map((w) => w.slice(0, MAX_WORD_LENGTH));
}

/** The distinct words a concept is found by: those of its code, display and other names. */
export function conceptWords(code: string, names: readonly string[]): string[] {
  const words = new Set<string>();
  // The whole code too, so `E11.9` and `E11` find E11.9 whatever its punctuation.
  const folded = foldText(code).slice(0, MAX_WORD_LENGTH);
  if (folded !== '') words.add(folded);
  for (const name of names) for (const word of wordsOf(name)) words.add(word);
  return [...words];
}

/**
 * A parsed filter. `terms`: its distinct words, each to be matched as a word prefix. `text`: the
 * whole filter folded, with single spaces, to rank displays that start with it first. `first`:
 * the first term, to rank displays whose first word starts with it next.
 */
export interface ConceptFilter {
  terms: string[];
  text: string;
  first: string;
}

/** Undefined when the filter has no word at all (blank or only punctuation). */
export function parseFilter(filter: string): ConceptFilter | undefined {
  const words = wordsOf(filter);
  if (words.length === 0) return undefined;
  const terms = [...new Set(words)];
  // A term that is the start of another term adds nothing: the longer one implies it.
  const kept = terms.filter((t) => !terms.some((other) => other !== t && other.startsWith(t)));
  return { terms: kept.slice(0, MAX_FILTER_TERMS), text: words.join(' '), first: words[0] };
}

/** A display's rank key parts, as the store orders by them (see `TerminologyStore.expand`). */
export function displayKey(display: string): { key: string; firstWord: string } {
  const words = wordsOf(display);
  return { key: words.join(' '), firstWord: words[0] ?? '' };
}

/**
 * How well a display answers a filter, lower is better: 0 the display is the filter, 1 it starts
 * with it, 2 its first word starts with the filter's first term, 3 any other match. The store
 * computes the same in SQL; this is its specification and the tests' oracle.
 */
export function matchTier(display: string, filter: ConceptFilter): number {
  const { key, firstWord } = displayKey(display);
  if (key === filter.text) return 0;
  if (key.startsWith(filter.text)) return 1;
  if (firstWord.startsWith(filter.first)) return 2;
  return 3;
}
