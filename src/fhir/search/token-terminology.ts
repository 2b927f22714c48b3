/**
 * Token modifiers that need terminology: `:in`/`:not-in` (the codes of a value set) and
 * `:below`/`:above` (a code and its descendants or ancestors). Heron holds the value sets and
 * code systems published with R4; for anything else (SNOMED CT, LOINC hierarchies, local value
 * sets) the modifier is refused with `not-supported` rather than silently matching nothing.
 * @see https://hl7.org/fhir/R4/search.html#token
 */
import { FhirError, issue } from '../outcome.ts';
import { subsumedCodes, valueSetCodes } from '../value-sets.ts';
import { splitUnescaped, unescapeSearch } from './escape.ts';
import type { SearchValue } from './types.ts';

/** Modifiers expanded here into plain `system|code` values. */
export const TERMINOLOGY_MODIFIERS: ReadonlySet<string> = new Set(['in', 'not-in', 'below', 'above']);

/** Codes one expansion may turn into; beyond this the query would be a very long OR. */
const MAX_CODES = 5000;

/** The `system|code` values one query value stands for under a terminology modifier. */
export function expandTokenQuery(raw: string, modifier: string, param: string): SearchValue[] {
  const text = unescapeSearch(raw);
  if (modifier === 'in' || modifier === 'not-in') return valueSetValues(text, modifier, param);
  const parts = splitUnescaped(raw, '|').map(unescapeSearch);
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
    throw invalid(`:${modifier} on "${param}" needs system|code, not "${text}"`);
  }
  const [system, code] = parts;
  const codes = subsumedCodes(system, code, modifier as 'below' | 'above');
  if (!codes) {
    throw notSupported(`:${modifier} needs the hierarchy of ${system}, which Heron does not hold (or it has no code "${code}"); search for the codes themselves`);
  }
  return codes.map((c) => ({ kind: 'token', system, code: c }));
}

function valueSetValues(url: string, modifier: string, param: string): SearchValue[] {
  if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) throw invalid(`:${modifier} on "${param}" needs a value set URL, not "${url}"`);
  const codes = valueSetCodes(url);
  if (!codes) throw notSupported(`Heron cannot expand the value set ${url} (unknown, or defined by filters or an external code system)`);
  const values: SearchValue[] = [];
  for (const [system, set] of codes) for (const code of set) values.push({ kind: 'token', system, code });
  if (values.length > MAX_CODES) throw new FhirError('invalid', [issue('too-costly', `The value set ${url} has ${values.length} codes; at most ${MAX_CODES} can be searched at once`)]);
  return values;
}

function invalid(message: string): FhirError {
  return new FhirError('invalid', [issue('invalid', message)]);
}

function notSupported(message: string): FhirError {
  return new FhirError('invalid', [issue('not-supported', message)]);
}
