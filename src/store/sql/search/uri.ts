/**
 * URI parameters: exact equality; `:below` matches URIs that start with the value and
 * `:above` URIs that the value starts with.
 * @see https://hl7.org/fhir/R4/search.html#uri
 */
import type { SearchValue } from '../../../fhir/search/types.ts';
import { PREFIX_END, unsupported, type Binder } from './binder.ts';
import { valueOf } from './values.ts';

export function uriMatch(b: Binder, ia: string, value: SearchValue, modifier: string | undefined): string {
  const v = valueOf(value, 'uri');
  switch (modifier) {
    case undefined:
      return `${ia}.value = ${b.bind(v.value)}`;
    case 'below':
      return `(${ia}.value >= ${b.bind(v.value)} AND ${ia}.value < ${b.bind(v.value + PREFIX_END)})`;
    case 'above':
      return `${ia}.value = substr(${b.bind(v.value)}, 1, length(${ia}.value))`;
    default:
      throw unsupported(`modifier :${modifier} on a uri parameter`);
  }
}
