/** Narrowing of a `SearchValue` to the kind a parameter type expects. */
import type { SearchValue } from '../../../fhir/search/types.ts';
import { FhirError } from '../../../fhir/outcome.ts';

export function valueOf<K extends SearchValue['kind']>(value: SearchValue, kind: K): Extract<SearchValue, { kind: K }> {
  if (value.kind !== kind) throw new FhirError('invalid', `Search value of kind ${value.kind} cannot be used where a ${kind} is expected`);
  return value as Extract<SearchValue, { kind: K }>;
}
