/**
 * Token parameters: `[system|]code` matching (system omitted = any system, `|code` = no
 * system), `:not` (handled by the planner as NOT IN) and `:text` (starts-with on the
 * normalised display text; the parser passes that text as a string value or as the code).
 * @see https://hl7.org/fhir/R4/search.html#token
 */
import type { SearchValue, TokenSearch } from '../../../fhir/search/types.ts';
import { FhirError } from '../../../fhir/outcome.ts';
import { PREFIX_END, unsupported, type Binder } from './binder.ts';
import { valueOf } from './values.ts';

export function tokenMatch(b: Binder, ia: string, value: SearchValue, modifier: string | undefined): string {
  if (modifier === 'text') {
    const text = value.kind === 'string' ? value.value : (valueOf(value, 'token').code ?? '');
    return `(${ia}.text >= ${b.bind(text)} AND ${ia}.text < ${b.bind(text + PREFIX_END)})`;
  }
  if (modifier !== undefined && modifier !== 'not') throw unsupported(`modifier :${modifier} on a token parameter`);
  return tokenCondition(b, `${ia}.system`, `${ia}.code`, valueOf(value, 'token'));
}

/** Shared with composites: one `[system|]code` value against a system and a code column. */
export function tokenCondition(b: Binder, systemColumn: string, codeColumn: string, v: TokenSearch): string {
  const parts: string[] = [];
  if (v.system === null) parts.push(`${systemColumn} IS NULL`);
  else if (v.system !== undefined) parts.push(`${systemColumn} = ${b.bind(v.system)}`);
  if (v.code !== undefined) parts.push(`${codeColumn} = ${b.bind(v.code)}`);
  if (parts.length === 0) throw new FhirError('invalid', 'A token search value needs a system or a code');
  return parts.length === 1 ? parts[0] : `(${parts.join(' AND ')})`;
}
