/**
 * Number parameters. `eq`/`ne` use the search value's precision range ([low, high]: `100`
 * matches 99.5 to 100.5); the ordering prefixes compare with the value itself.
 * @see https://hl7.org/fhir/R4/search.html#number
 */
import type { SearchValue } from '../../../fhir/search/types.ts';
import { unsupported, type Binder } from './binder.ts';
import { valueOf } from './values.ts';

export function numberMatch(b: Binder, ia: string, value: SearchValue, modifier: string | undefined): string {
  if (modifier !== undefined) throw unsupported(`modifier :${modifier} on a number parameter`);
  return numericCondition(b, `${ia}.value`, valueOf(value, 'number'));
}

/** Shared with quantity: the condition for one prefixed numeric value against a column. */
export function numericCondition(b: Binder, column: string, v: { prefix: string; value: number; low: number; high: number }): string {
  switch (v.prefix) {
    case 'eq':
      return `(${column} >= ${b.bind(v.low)} AND ${column} <= ${b.bind(v.high)})`;
    case 'ne':
      return `(${column} < ${b.bind(v.low)} OR ${column} > ${b.bind(v.high)})`;
    case 'gt':
      return `${column} > ${b.bind(v.value)}`;
    case 'lt':
      return `${column} < ${b.bind(v.value)}`;
    case 'ge':
      return `${column} >= ${b.bind(v.value)}`;
    case 'le':
      return `${column} <= ${b.bind(v.value)}`;
    case 'sa':
      return `${column} > ${b.bind(v.high)}`;
    case 'eb':
      return `${column} < ${b.bind(v.low)}`;
    case 'ap': {
      // Within 10% of the value, and never narrower than the value's own precision.
      const slack = Math.abs(v.value) * 0.1;
      return `(${column} >= ${b.bind(Math.min(v.low, v.value - slack))} AND ${column} <= ${b.bind(Math.max(v.high, v.value + slack))})`;
    }
    default:
      throw unsupported(`prefix ${v.prefix}`);
  }
}
