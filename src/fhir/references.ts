/**
 * Finds every Reference in a resource, following the R4 definitions (so only elements typed
 * Reference count, in extensions and contained resources too). Used to rewrite `urn:uuid:`
 * references in transaction bundles and to check referential integrity.
 *
 * Contained references (`#x`) are not visited: they point inside the resource.
 * @see https://hl7.org/fhir/R4/references.html
 */
import { typeSchema } from './definitions.ts';
import { elementKeys, isComplexType, reaches } from './element-keys.ts';
import type { ElementKey } from './element-keys.ts';

/** The part of a Reference visitors see; they may change `reference` in place. */
export interface ReferenceLike {
  reference?: string;
  type?: string;
  display?: string;
}

const reachMemo = new Map<string, boolean>();
const isReference = (k: ElementKey): boolean => k.type === 'Reference';

/** Calls `fn` for each Reference object with a `reference` string (except `#x`), depth first. */
export function visitReferences(resource: object, fn: (ref: ReferenceLike) => void): void {
  const type = (resource as { resourceType?: unknown }).resourceType;
  if (typeof type === 'string' && typeSchema(type)) walk(resource as Record<string, unknown>, type, fn);
}

function walk(value: Record<string, unknown>, type: string, fn: (ref: ReferenceLike) => void): void {
  const keys = elementKeys(type);
  for (const name in value) {
    const key = keys.get(name);
    if (!key || !isComplexType(key.type)) continue;
    const v = value[name];
    if (Array.isArray(v)) for (const item of v) visit(item, key.type, fn);
    else visit(v, key.type, fn);
  }
}

function visit(v: unknown, type: string, fn: (ref: ReferenceLike) => void): void {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return;
  const o = v as Record<string, unknown>;
  if (type === 'Reference' && typeof o.reference === 'string' && !o.reference.startsWith('#')) fn(o as ReferenceLike);
  const childType = type === 'Resource' ? o.resourceType : type;
  if (typeof childType !== 'string' || !typeSchema(childType)) return;
  // Skip subtrees that cannot hold a Reference (Coding, Quantity, HumanName...).
  if (!reaches(childType, isReference, reachMemo)) return;
  walk(o, childType, fn);
}
