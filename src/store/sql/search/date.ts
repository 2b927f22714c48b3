/**
 * Date parameters with range semantics: a stored value covers [start, end] and so does the
 * search value (its precision), both in epoch ms. Also used for `_lastUpdated`, whose range is
 * a single instant.
 * @see https://hl7.org/fhir/R4/search.html#prefix
 */
import type { SearchValue } from '../../../fhir/search/types.ts';
import { unsupported, type Binder } from './binder.ts';
import { valueOf } from './values.ts';

export function dateMatch(b: Binder, ia: string, value: SearchValue, modifier: string | undefined): string {
  if (modifier !== undefined) throw unsupported(`modifier :${modifier} on a date parameter`);
  return dateRangeMatch(b, `${ia}.start_ms`, `${ia}.end_ms`, value);
}

/** The condition for one date value against a stored range given by two column expressions. */
export function dateRangeMatch(b: Binder, start: string, end: string, value: SearchValue): string {
  const v = valueOf(value, 'date');
  switch (v.prefix) {
    case 'eq': // the search range contains the stored range
      return `(${start} >= ${b.bind(v.start)} AND ${end} <= ${b.bind(v.end)})`;
    case 'ne':
      return `(${start} < ${b.bind(v.start)} OR ${end} > ${b.bind(v.end)})`;
    case 'gt': // the range above the search value overlaps the stored range
      return `${end} > ${b.bind(v.end)}`;
    case 'lt':
      return `${start} < ${b.bind(v.start)}`;
    // ge and le also carry the bound their OR implies (a stored range never ends before it
    // starts), a range an index on the end (ge) or start (le) can seek to.
    case 'ge': // gt, or the search range contains the stored range
      return `(${end} >= ${b.bind(v.start)} AND (${end} > ${b.bind(v.end)} OR (${start} >= ${b.bind(v.start)} AND ${end} <= ${b.bind(v.end)})))`;
    case 'le':
      return `(${start} <= ${b.bind(v.end)} AND (${start} < ${b.bind(v.start)} OR (${start} >= ${b.bind(v.start)} AND ${end} <= ${b.bind(v.end)})))`;
    case 'sa': // starts after the search range ends
      return `${start} > ${b.bind(v.end)}`;
    case 'eb': // ends before the search range starts
      return `${end} < ${b.bind(v.start)}`;
    case 'ap': {
      // Approximately: overlaps the search range widened by 10% of its distance from now.
      const slack = Math.round(Math.abs(Date.now() - v.start) * 0.1);
      return `(${start} <= ${b.bind(v.end + slack)} AND ${end} >= ${b.bind(v.start - slack)})`;
    }
  }
}
