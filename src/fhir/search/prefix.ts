/**
 * Comparison prefixes (`ge2020`, `lt5.4`) shared by number, date and quantity search values.
 * @see https://hl7.org/fhir/R4/search.html#prefix
 */
import type { Prefix } from './types.ts';

const PREFIXES = new Set<string>(['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap']);

/** Splits a leading two-letter prefix off a value; no prefix means `eq`. */
export function parsePrefix(raw: string): { prefix: Prefix; rest: string } {
  const head = raw.slice(0, 2);
  if (raw.length > 2 && PREFIXES.has(head)) return { prefix: head as Prefix, rest: raw.slice(2) };
  return { prefix: 'eq', rest: raw };
}
