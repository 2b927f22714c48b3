/**
 * Quantity parameters: a numeric comparison like number, plus the unit's system and code when
 * the search value gives them (`5.4|http://unitsofmeasure.org|mg`). No unit conversion.
 * @see https://hl7.org/fhir/R4/search.html#quantity
 */
import type { SearchValue } from '../../../fhir/search/types.ts';
import { unsupported, type Binder } from './binder.ts';
import { numericCondition } from './number.ts';
import { valueOf } from './values.ts';

export function quantityMatch(b: Binder, ia: string, value: SearchValue, modifier: string | undefined): string {
  if (modifier !== undefined) throw unsupported(`modifier :${modifier} on a quantity parameter`);
  const v = valueOf(value, 'quantity');
  const parts = [numericCondition(b, `${ia}.value`, v)];
  if (v.system === null) parts.push(`${ia}.system IS NULL`);
  else if (v.system !== undefined) parts.push(`${ia}.system = ${b.bind(v.system)}`);
  if (v.code !== undefined) parts.push(`${ia}.code = ${b.bind(v.code)}`);
  return parts.length === 1 ? parts[0] : `(${parts.join(' AND ')})`;
}
