/**
 * String search: index and query normalisation in one place so they agree.
 * Values are compared case- and accent-insensitively (NFD, combining marks removed, lower case);
 * `:exact` compares the text as written.
 * @see https://hl7.org/fhir/R4/search.html#string
 */
import { FhirError, issue } from '../outcome.ts';
import type { TypedValue } from '../fhirpath.ts';
import { capLength } from './index-limits.ts';
import type { IndexRow, ValueSearch } from './types.ts';

const COMBINING_MARKS = /\p{M}/gu;
// Non-ASCII is rare in most values; skipping NFD for pure ASCII keeps indexing cheap.
const NON_ASCII = /[^\x00-\x7f]/;

/** Lower-cases and strips accents (`Ésaïe` -> `esaie`). */
export function normaliseString(text: string): string {
  const folded = NON_ASCII.test(text) ? text.normalize('NFD').replace(COMBINING_MARKS, '') : text;
  return capLength(folded.toLowerCase());
}

/** The texts a FHIR value contributes to a string parameter (HumanName and Address by part). */
export function stringsOf(value: TypedValue): string[] {
  const v = value.value;
  if (typeof v === 'string') return [v];
  if (!v || typeof v !== 'object') return [];
  const o = v as Record<string, unknown>;
  switch (value.type) {
    case 'HumanName':
      return texts(o.family, o.given, o.prefix, o.suffix, o.text);
    case 'Address':
      return texts(o.line, o.city, o.district, o.state, o.postalCode, o.country, o.text);
    default:
      return [];
  }
}

/** Emits one row per distinct text of the value. */
export function indexString(param: string, value: TypedValue, emit: (row: IndexRow) => void): void {
  for (const text of stringsOf(value)) {
    emit({ kind: 'string', param, value: normaliseString(text), exact: capLength(text) });
  }
}

/** Parses one query value; `:exact` keeps the text as written, other modifiers normalise it. */
export function parseStringQuery(raw: string, modifier: string | undefined, param: string): ValueSearch {
  if (raw.length === 0) throw new FhirError('invalid', [issue('invalid', `Empty value for string parameter "${param}"`)]);
  return { kind: 'string', value: modifier === 'exact' ? capLength(raw) : normaliseString(raw) };
}

function texts(...parts: unknown[]): string[] {
  const out: string[] = [];
  for (const part of parts) {
    if (typeof part === 'string') {
      if (part.length > 0) out.push(part);
    } else if (Array.isArray(part)) {
      for (const p of part) if (typeof p === 'string' && p.length > 0) out.push(p);
    }
  }
  return out;
}
