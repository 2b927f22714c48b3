/**
 * Quantity search: index and query normalisation in one place so they agree.
 * The number part follows number search (precision interval); system and code are kept as
 * written. No unit conversion: `5.4|http://unitsofmeasure.org|mg` does not match `0.0054 g`.
 * @see https://hl7.org/fhir/R4/search.html#quantity
 */
import { FhirError, issue } from '../outcome.ts';
import type { TypedValue } from '../fhirpath.ts';
import { splitUnescaped, unescapeSearch } from './escape.ts';
import { numberRange, numberRangeOf } from './number.ts';
import { parsePrefix } from './prefix.ts';
import type { IndexRow, SearchValue } from './types.ts';

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
  emit({ kind: 'quantity', param, ...range, system: str(o.system), code: str(o.code), unit: str(o.unit) });
}

/** Parses one query value: `[prefix]number`, `[prefix]number|system|code` or `[prefix]number||code`. */
export function parseQuantityQuery(raw: string, param: string): SearchValue {
  const parts = splitUnescaped(raw, '|');
  if (parts.length !== 1 && parts.length !== 3) throw invalid(raw, param);
  const { prefix, rest } = parsePrefix(parts[0]);
  const range = numberRange(rest);
  if (!range) throw invalid(raw, param);
  const value: SearchValue = { kind: 'quantity', prefix, value: range.value, low: range.low, high: range.high };
  if (parts.length === 3) {
    const system = unescapeSearch(parts[1]);
    const code = unescapeSearch(parts[2]);
    if (system.length > 0) value.system = system;
    if (code.length > 0) value.code = code;
  }
  return value;
}

function invalid(raw: string, param: string): FhirError {
  return new FhirError('invalid', [issue('invalid', `Invalid quantity "${raw}" for parameter "${param}": expected [prefix]number[|system|code]`)]);
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}
