/**
 * URI search: index and query normalisation in one place so they agree. URIs are compared as
 * written (case-sensitive); `:below`/`:above` are prefix matches done by the store.
 * @see https://hl7.org/fhir/R4/search.html#uri
 */
import { FhirError, issue } from '../outcome.ts';
import type { TypedValue } from '../fhirpath.ts';
import { unescapeSearch } from './escape.ts';
import { capLength } from './index-limits.ts';
import type { IndexRow, ValueSearch } from './types.ts';

/** Emits the uri row of a uri/url/canonical/oid/uuid (any string) value. */
export function indexUri(param: string, value: TypedValue, emit: (row: IndexRow) => void): void {
  if (typeof value.value === 'string' && value.value.length > 0) emit({ kind: 'uri', param, value: capLength(value.value) });
}

/** Parses one query value (the URI as written). */
export function parseUriQuery(raw: string, param: string): ValueSearch {
  const value = unescapeSearch(raw);
  if (value.length === 0) throw new FhirError('invalid', [issue('invalid', `Empty uri value for parameter "${param}"`)]);
  return { kind: 'uri', value: capLength(value) };
}
