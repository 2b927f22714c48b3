/**
 * Composite parameters: both components of one `idx_composite` row must match, so the pair
 * comes from one element (the same `Observation.component`). The first component is a token
 * (system1, code1); the second is compared like its own type on the columns index-tables.ts
 * gives it. Composites take no modifiers (`:missing` is handled by the planner).
 * @see https://hl7.org/fhir/R4/search.html#composite
 */
import type { SearchValue, ValueSearch } from '../../../fhir/search/types.ts';
import { unsupported, type Binder } from './binder.ts';
import { dateRangeMatch } from './date.ts';
import { numericCondition } from './number.ts';
import { quantityCondition } from './quantity.ts';
import { referenceCondition } from './reference.ts';
import { startsWith } from './string.ts';
import { tokenCondition } from './token.ts';
import { valueOf } from './values.ts';

export function compositeMatch(b: Binder, ia: string, value: SearchValue, modifier: string | undefined): string {
  if (modifier !== undefined) throw unsupported(`modifier :${modifier} on a composite parameter`);
  const v = valueOf(value, 'composite');
  return `(${tokenCondition(b, `${ia}.system1`, `${ia}.code1`, v.first)} AND ${secondCondition(b, ia, v.second)})`;
}

function secondCondition(b: Binder, ia: string, v: ValueSearch): string {
  switch (v.kind) {
    case 'token':
      return tokenCondition(b, `${ia}.system2`, `${ia}.code2`, v);
    case 'quantity':
      // A value in UCUM base units compares with the canonical form (whose system is UCUM).
      if (v.canonical) return `(${numericCondition(b, `${ia}.canonical_value2`, v)} AND ${ia}.canonical_code2 = ${b.bind(v.code)})`;
      return quantityCondition(b, { value: `${ia}.value2`, system: `${ia}.system2`, code: `${ia}.code2` }, v);
    case 'number':
      return numericCondition(b, `${ia}.value2`, v);
    case 'date':
      return dateRangeMatch(b, `${ia}.start2`, `${ia}.end2`, v);
    case 'string':
      return startsWith(b, `${ia}.text2`, v.value);
    case 'uri':
      return `${ia}.text2 = ${b.bind(v.value)}`;
    case 'reference':
      return referenceCondition(b, { type: `${ia}.system2`, id: `${ia}.code2`, url: `${ia}.text2` }, v, undefined);
  }
}
