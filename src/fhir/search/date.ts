/**
 * Date search: index and query normalisation in one place so they agree.
 * Every date is a range [start, end] of epoch milliseconds, both inclusive, as wide as its
 * precision: `2020` covers the whole year, `2020-03-04T10:00Z` one minute. Values without a
 * time zone (dates, partial dates) are taken as UTC. Open period ends use the limits of
 * JavaScript dates, which fit a 64-bit integer in both databases.
 * @see https://hl7.org/fhir/R4/search.html#date
 */
import { FhirError, issue } from '../outcome.ts';
import type { TypedValue } from '../fhirpath.ts';
import { dateRange } from '../date-time.ts';
import type { DateRange } from '../date-time.ts';
import { parsePrefix } from './prefix.ts';
import type { IndexRow, ValueSearch } from './types.ts';

/** Earliest and latest instants (the JavaScript Date range), used for open-ended periods. */
export const MIN_INSTANT = -8_640_000_000_000_000;
export const MAX_INSTANT = 8_640_000_000_000_000;

/** Emits the date row of a date/dateTime/instant, Period or Timing (outer limits only). */
export function indexDate(param: string, value: TypedValue, emit: (row: IndexRow) => void): void {
  const range = rangeOf(value);
  if (range) emit({ kind: 'date', param, start: range.start, end: range.end });
}

function rangeOf(value: TypedValue): DateRange | undefined {
  const v = value.value;
  if (typeof v === 'string') return value.type === 'string' ? undefined : dateRange(v);
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  if (value.type === 'Period') return periodRange(o);
  if (value.type === 'Timing') return timingRange(o);
  return undefined;
}

function periodRange(o: Record<string, unknown>): DateRange | undefined {
  const start = typeof o.start === 'string' ? dateRange(o.start) : undefined;
  const end = typeof o.end === 'string' ? dateRange(o.end) : undefined;
  if (!start && !end) return undefined;
  return { start: start ? start.start : MIN_INSTANT, end: end ? end.end : MAX_INSTANT };
}

/** A Timing covers from its first to its last event, widened by `repeat.boundsPeriod`. */
function timingRange(o: Record<string, unknown>): DateRange | undefined {
  let result: DateRange | undefined;
  const widen = (r: DateRange | undefined): void => {
    if (!r) return;
    result = result ? { start: Math.min(result.start, r.start), end: Math.max(result.end, r.end) } : r;
  };
  if (Array.isArray(o.event)) for (const e of o.event) if (typeof e === 'string') widen(dateRange(e));
  const repeat = o.repeat as Record<string, unknown> | undefined;
  if (repeat && typeof repeat.boundsPeriod === 'object' && repeat.boundsPeriod) {
    widen(periodRange(repeat.boundsPeriod as Record<string, unknown>));
  }
  return result;
}

/** Parses one query value such as `ge2020-01`, `2020-03-04T10:00:00+01:00` or `lt2020`. */
export function parseDateQuery(raw: string, param: string): ValueSearch {
  const { prefix, rest } = parsePrefix(raw);
  const range = dateRange(rest);
  if (!range) {
    throw new FhirError('invalid', [
      issue(
        'invalid',
        `Invalid date "${raw}" for parameter "${param}": expected [prefix]YYYY, YYYY-MM, YYYY-MM-DD or ` +
          'YYYY-MM-DDThh:mm[:ss[.sss]][Z|+hh:mm], prefix one of eq ne gt lt ge le sa eb ap',
      ),
    ]);
  }
  return { kind: 'date', prefix, start: range.start, end: range.end };
}
