/**
 * The JSON keys a FHIR type may carry, each with its element definition and concrete type
 * (choice elements expanded: `value[x]` gives `valueQuantity` -> Quantity, `valueString` ->
 * string...). Walkers that follow the schema through a resource (bindings, references) look keys
 * up here instead of re-deriving choice names for every object.
 */
import type { InternalSchemaElement } from '@medplum/core';
import { typeSchema } from './definitions.ts';

export interface ElementKey {
  element: InternalSchemaElement;
  /** The concrete type code for this key (`Quantity`, `string`, `PatientContact`, `Resource`...). */
  type: string;
}

const cache = new Map<string, ReadonlyMap<string, ElementKey>>();

/** JSON key -> element and type, for a type name (empty for an unknown type). */
export function elementKeys(typeName: string): ReadonlyMap<string, ElementKey> {
  let keys = cache.get(typeName);
  if (keys) return keys;
  const map = new Map<string, ElementKey>();
  for (const [name, element] of Object.entries(typeSchema(typeName)?.elements ?? {})) {
    if (name.endsWith('[x]')) {
      const base = name.slice(0, -3);
      for (const t of element.type) map.set(base + t.code.charAt(0).toUpperCase() + t.code.slice(1), { element, type: t.code });
    } else if (element.type.length > 0) {
      map.set(name, { element, type: element.type[0].code });
    }
  }
  keys = map;
  cache.set(typeName, keys);
  return keys;
}

/** Complex types (data types, backbone elements, `Resource`) start upper-case; primitives do not. */
export function isComplexType(type: string): boolean {
  const c = type.charCodeAt(0);
  return c >= 65 && c <= 90;
}

/**
 * Whether some element satisfying `hit` can occur anywhere below a type, so walkers can skip
 * subtrees without any. `memo` is the caller's cache (one per question). Cycles (Identifier ->
 * Reference -> Identifier) count as reaching, which can only cause extra walking, never a miss.
 */
export function reaches(
  type: string,
  hit: (key: ElementKey) => boolean,
  memo: Map<string, boolean>,
  visiting: Set<string> = new Set(),
): boolean {
  if (type === 'Resource') return true;
  const known = memo.get(type);
  if (known !== undefined) return known;
  if (visiting.has(type)) return true;
  visiting.add(type);
  let result = false;
  for (const key of elementKeys(type).values()) {
    if (hit(key) || (isComplexType(key.type) && reaches(key.type, hit, memo, visiting))) {
      result = true;
      break;
    }
  }
  visiting.delete(type);
  // `false` never rests on a cycle guess (guesses are `true`), and a wrong `true` is harmless.
  memo.set(type, result);
  return result;
}
