/**
 * Quantity parameters: a numeric comparison like number, plus the unit's system and code when
 * the search value gives them (`5.4|http://unitsofmeasure.org|mg`). Unit conversion happens on
 * the FHIR side: a UCUM value arrives in base units, marked `canonical`, and the planner points
 * it at the canonical rows.
 * @see https://hl7.org/fhir/R4/search.html#quantity
 */
import type { SearchValue } from '../../../fhir/search/types.ts';
import { unsupported, type Binder } from './binder.ts';
import { numericCondition } from './number.ts';
import { valueOf } from './values.ts';

export function quantityMatch(b: Binder, ia: string, value: SearchValue, modifier: string | undefined): string {
  if (modifier !== undefined) throw unsupported(`modifier :${modifier} on a quantity parameter`);
  return quantityCondition(b, { value: `${ia}.value`, system: `${ia}.system`, code: `${ia}.code` }, valueOf(value, 'quantity'));
}

/** Shared with composites: one quantity value against value, system and code columns. */
export function quantityCondition(b: Binder, columns: { value: string; system: string; code: string }, v: QuantitySearch): string {
  const parts = [numericCondition(b, columns.value, v)];
  if (v.system === null) parts.push(`${columns.system} IS NULL`);
  else if (v.system !== undefined) parts.push(`${columns.system} = ${b.bind(v.system)}`);
  if (v.code !== undefined) parts.push(`${columns.code} = ${b.bind(v.code)}`);
  return parts.length === 1 ? parts[0] : `(${parts.join(' AND ')})`;
}

type QuantitySearch = Extract<SearchValue, { kind: 'quantity' }>;
