/**
 * Reference parameters: local references by type and id (type optional), absolute and
 * canonical references by URL. A `:Type` modifier narrows the target type.
 * @see https://hl7.org/fhir/R4/search.html#reference
 */
import type { SearchValue } from '../../../fhir/search/types.ts';
import { FhirError } from '../../../fhir/outcome.ts';
import { unsupported, type Binder } from './binder.ts';
import { valueOf } from './values.ts';

export function referenceMatch(b: Binder, ia: string, value: SearchValue, modifier: string | undefined): string {
  const v = valueOf(value, 'reference');
  const typeModifier = modifier !== undefined && /^[A-Z][A-Za-z]+$/.test(modifier) ? modifier : undefined;
  if (modifier !== undefined && typeModifier === undefined) throw unsupported(`modifier :${modifier} on a reference parameter`);
  return referenceCondition(b, { type: `${ia}.target_type`, id: `${ia}.target_id`, url: `${ia}.url` }, v, typeModifier);
}

/** Shared with composites: one reference value against target type, target id and URL columns. */
export function referenceCondition(
  b: Binder,
  columns: { type: string; id: string; url: string },
  v: Extract<SearchValue, { kind: 'reference' }>,
  typeModifier: string | undefined,
): string {
  if (v.url !== undefined) return `${columns.url} = ${b.bind(v.url)}`;
  const parts: string[] = [];
  const targetType = v.targetType ?? typeModifier;
  if (targetType !== undefined) parts.push(`${columns.type} = ${b.bind(targetType)}`);
  if (v.targetId !== undefined) parts.push(`${columns.id} = ${b.bind(v.targetId)}`);
  if (parts.length === 0) throw new FhirError('invalid', 'A reference search value needs an id or a URL');
  return parts.length === 1 ? parts[0] : `(${parts.join(' AND ')})`;
}
