/**
 * Number search: index and query normalisation in one place so they agree.
 * A number stands for the interval its precision implies: `100` is [99.5, 100.5], `1.50` is
 * [1.495, 1.505]. Stored JSON numbers have lost trailing zeros, so their precision is that of
 * their shortest decimal form.
 * @see https://hl7.org/fhir/R4/search.html#number
 */
import { FhirError, issue } from '../outcome.ts';
import type { TypedValue } from '../fhirpath.ts';
import { parsePrefix } from './prefix.ts';
import type { IndexRow, ValueSearch } from './types.ts';

const DECIMAL = /^[+-]?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

export interface NumberRange {
  value: number;
  low: number;
  high: number;
}

/** The value and precision interval of a decimal written as `text`, or undefined if not a number. */
export function numberRange(text: string): NumberRange | undefined {
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) return undefined;
  const decimals = m[2] ? m[2].length : 0;
  const exponent = m[3] ? Number(m[3]) : 0;
  // Half of one unit in the last written digit; toPrecision removes binary noise (1.1 - 0.05).
  const half = 0.5 * 10 ** (exponent - decimals);
  return { value, low: clean(value - half), high: clean(value + half) };
}

/** The interval of a stored JSON number (precision of its shortest decimal form). */
export function numberRangeOf(value: number): NumberRange | undefined {
  // String() gives the shortest round-tripping form, with an exponent for very small/large values.
  return Number.isFinite(value) ? numberRange(String(value)) : undefined;
}

/** Emits the number row of an integer/decimal value. */
export function indexNumber(param: string, value: TypedValue, emit: (row: IndexRow) => void): void {
  if (typeof value.value !== 'number') return;
  const range = numberRangeOf(value.value);
  if (range) emit({ kind: 'number', param, value: range.value, low: range.low, high: range.high });
}

/** Parses one query value such as `100`, `gt5.4` or `ap1e2`. */
export function parseNumberQuery(raw: string, param: string): ValueSearch {
  const { prefix, rest } = parsePrefix(raw);
  const range = numberRange(rest);
  if (!range) throw new FhirError('invalid', [issue('invalid', `Invalid number "${raw}" for parameter "${param}"`)]);
  return { kind: 'number', prefix, value: range.value, low: range.low, high: range.high };
}

function clean(n: number): number {
  return Number(n.toPrecision(15));
}
