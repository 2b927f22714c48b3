/**
 * String parameters: starts-with on the normalised value by default, `:exact` on the value as
 * written, `:contains` as a substring of the normalised value. The parser normalises the search
 * value for the default and `:contains` forms and passes it as written for `:exact`.
 * @see https://hl7.org/fhir/R4/search.html#string
 */
import type { SearchValue } from '../../../fhir/search/types.ts';
import { escapeLike, PREFIX_END, unsupported, type Binder } from './binder.ts';
import { valueOf } from './values.ts';

export function stringMatch(b: Binder, ia: string, value: SearchValue, modifier: string | undefined): string {
  const v = valueOf(value, 'string');
  switch (modifier) {
    case undefined:
      return startsWith(b, `${ia}.value`, v.value);
    case 'exact':
      return `${ia}.exact = ${b.bind(v.value)}`;
    case 'contains':
      return `${ia}.value LIKE ${b.bind('%' + escapeLike(v.value) + '%')} ESCAPE '\\'`;
    default:
      throw unsupported(`modifier :${modifier} on a string parameter`);
  }
}

/** Shared with composites: the column starts with `prefix`. */
export function startsWith(b: Binder, column: string, prefix: string): string {
  // A range rather than LIKE so both databases can use the (param, value) index.
  return `(${column} >= ${b.bind(prefix)} AND ${column} < ${b.bind(prefix + PREFIX_END)})`;
}
