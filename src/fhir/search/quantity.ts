/**
 * Quantity search: index and query normalisation in one place so they agree.
 * The number part follows number search (precision interval); system and code are kept as
 * written. A UCUM quantity is also indexed in canonical units under `param` + `:canonical`, and
 * a query with a UCUM unit is converted the same way and matches only those rows, so
 * `5.4|http://unitsofmeasure.org|mg` matches `0.0054 g` (precision bounds are converted with the
 * value). Queries without a unit, or with units UCUM cannot convert, match values as written.
 * @see https://hl7.org/fhir/R4/search.html#quantity
 */
import { FhirError, issue } from '../outcome.ts';
import type { TypedValue } from '../fhirpath.ts';
import { splitUnescaped, unescapeSearch } from './escape.ts';
import { numberRange, numberRangeOf } from './number.ts';
import { parsePrefix } from './prefix.ts';
import { CANONICAL_SUFFIX } from './types.ts';
import type { IndexRow, ValueSearch } from './types.ts';
import { canonicalUnit, toCanonical, UCUM_SYSTEM } from './ucum.ts';

const CURRENCY_SYSTEM = 'urn:iso:std:iso:4217';
const QUANTITY_TYPES = new Set(['Quantity', 'Age', 'Count', 'Distance', 'Duration', 'SimpleQuantity', 'MoneyQuantity']);

/** Emits the quantity row of a Quantity (Age, Duration, Count, Distance, SimpleQuantity) or Money. */
export function indexQuantity(param: string, value: TypedValue, emit: (row: IndexRow) => void): void {
  const v = value.value;
  if (!v || typeof v !== 'object') return;
  const o = v as Record<string, unknown>;
  if (typeof o.value !== 'number') return;
  const range = numberRangeOf(o.value);
  if (!range) return;
  if (value.type === 'Money') {
    const currency = str(o.currency);
    emit({ kind: 'quantity', param, ...range, system: currency ? CURRENCY_SYSTEM : null, code: currency, unit: currency });
    return;
  }
  if (!QUANTITY_TYPES.has(value.type)) return;
  const system = str(o.system);
  const code = str(o.code);
  emit({ kind: 'quantity', param, ...range, system, code, unit: str(o.unit) });
  const canonical = system === UCUM_SYSTEM && code !== null ? canonicalUnit(code) : undefined;
  if (canonical) {
    const base = toCanonical(canonical, range.value);
    const low = toCanonical(canonical, range.low);
    const high = toCanonical(canonical, range.high);
    emit({ kind: 'quantity', param: param + CANONICAL_SUFFIX, value: base, low, high, system: UCUM_SYSTEM, code: canonical.code, unit: null });
  }
}

/** Parses one query value: `[prefix]number`, `[prefix]number|system|code` or `[prefix]number||code`. */
export function parseQuantityQuery(raw: string, param: string): ValueSearch {
  const parts = splitUnescaped(raw, '|');
  if (parts.length !== 1 && parts.length !== 3) throw invalid(raw, param);
  const { prefix, rest } = parsePrefix(parts[0]);
  const range = numberRange(rest);
  if (!range) throw invalid(raw, param);
  const value: ValueSearch = { kind: 'quantity', prefix, value: range.value, low: range.low, high: range.high };
  if (parts.length === 3) {
    const system = unescapeSearch(parts[1]);
    const code = unescapeSearch(parts[2]);
    if (system.length > 0) value.system = system;
    if (code.length > 0) value.code = code;
  }
  const canonical = value.system === UCUM_SYSTEM && value.code !== undefined ? canonicalUnit(value.code) : undefined;
  if (!canonical) return value;
  const low = toCanonical(canonical, value.low);
  const high = toCanonical(canonical, value.high);
  return { ...value, value: toCanonical(canonical, value.value), low, high, code: canonical.code, canonical: true };
}

function invalid(raw: string, param: string): FhirError {
  return new FhirError('invalid', [issue('invalid', `Invalid quantity "${raw}" for parameter "${param}": expected [prefix]number[|system|code]`)]);
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}
