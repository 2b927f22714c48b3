/**
 * A fast evaluator for the simplest FHIRPath expressions: dotted element names such as
 * `Observation.code` or `Patient.name.given`, with the two filters R4 search parameters use
 * most: `.where(resolve() is Patient)` and `as Quantity`. Most search
 * parameter expressions are of this form, and walking them directly is several times faster
 * than the general evaluator.
 *
 * It reproduces the general evaluator's results exactly (same values, same types, same order);
 * whenever it meets something it does not model (primitive extensions `_x`, nulls, names
 * without an element definition) it answers `undefined` so the caller falls back to the
 * general evaluator. `simple-path.test.ts` compares both on the Synthea sample.
 */
import { elementOf } from './definitions.ts';

/** A value with its FHIR type, as FHIRPath sees it (`HumanName`, `dateTime`, `Patient`...). */
export interface TypedValue {
  type: string;
  value: unknown;
}

/** One step of a simple path: a name, a type filter (`as T`) or a reference-target filter. */
export type SimpleStep = { kind: 'name'; name: string } | { kind: 'as' | 'resolve-is'; type: string };

/** A parsed simple path (see `parseSimplePath` for the accepted forms). */
export interface SimplePath {
  steps: SimpleStep[];
}

const PATH = '[A-Za-z][A-Za-z0-9]*(?:\\.[A-Za-z][A-Za-z0-9]*)*';
const TYPE = '[A-Za-z][A-Za-z0-9]*';
const PLAIN = new RegExp(`^(${PATH})$`);
const AS = new RegExp(`^(${PATH})\\s+as\\s+(${TYPE})$`);
const AS_THEN = new RegExp(`^\\(\\s*(${PATH})\\s+as\\s+(${TYPE})\\s*\\)(?:\\.(${PATH}))?$`);
const RESOLVE_IS = new RegExp(`^(${PATH})\\.where\\(\\s*resolve\\(\\)\\s+is\\s+(${TYPE})\\s*\\)$`);

/**
 * Recognises the forms this module evaluates: `a.b.c`, `a.b as T`, `(a.b as T)`, `(a.b as T).c`
 * and `a.b.where(resolve() is T)`. Anything else gives `undefined`.
 */
export function parseSimplePath(expression: string): SimplePath | undefined {
  const text = expression.trim();
  let m = PLAIN.exec(text);
  if (m) return { steps: names(m[1]) };
  m = AS.exec(text) ?? AS_THEN.exec(text);
  if (m) return { steps: [...names(m[1]), { kind: 'as', type: m[2] }, ...(m[3] ? names(m[3]) : [])] };
  m = RESOLVE_IS.exec(text);
  if (m) return { steps: [...names(m[1]), { kind: 'resolve-is', type: m[2] }] };
  return undefined;
}

/** Splits an expression into names if it is a plain dotted path, else `undefined`. */
export function simplePathSegments(expression: string): string[] | undefined {
  const m = PLAIN.exec(expression.trim());
  return m ? m[1].split('.') : undefined;
}

/** Evaluates a simple path; `undefined` means "not decidable here, use the general evaluator". */
export function evaluateSimplePath(path: SimplePath, input: TypedValue[]): TypedValue[] | undefined {
  let current = input;
  for (const s of path.steps) {
    if (current.length === 0) return current;
    const next: TypedValue[] = [];
    if (s.kind === 'name') {
      for (const item of current) if (!step(item, s.name, next)) return undefined;
    } else if (s.kind === 'as') {
      for (const v of current) if (v.type === s.type) next.push(v);
    } else {
      for (const v of current) {
        const target = resolvedTypeOf(v.value);
        if (target === null) return undefined;
        if (target === s.type) next.push(v);
      }
    }
    current = next;
  }
  return current;
}

/**
 * The JSON keys (`_` extension keys included) a path starting `Type.element` reads first on a
 * resource of `resourceType`; when a resource has none of them the path's result is certainly
 * empty, so callers evaluating many paths per resource can skip it. `undefined` when the path
 * has another shape or its element is unknown.
 */
export function rootElementKeys(path: SimplePath, resourceType: string): string[] | undefined {
  const [first, second] = path.steps;
  if (first?.kind !== 'name' || first.name !== resourceType || second?.kind !== 'name') return undefined;
  return elementKeysOf(resourceType, second.name)?.flatMap((k) => [k.key, k.extensionKey]);
}

function names(path: string): SimpleStep[] {
  return path.split('.').map((name) => ({ kind: 'name', name }));
}

/**
 * The type `resolve()` gives a reference without fetching it: the part before `?` or the first
 * `/` of the reference (so absolute URLs resolve to nothing useful, as in the general evaluator).
 * `null` = an inline `resource`, which only the general evaluator handles.
 */
function resolvedTypeOf(value: unknown): string | undefined | null {
  let ref: string | undefined;
  if (typeof value === 'string') ref = value;
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (o.resource !== undefined) return null;
    if (o.reference) {
      if (typeof o.reference !== 'string') return null;
      ref = o.reference;
    }
    else if (o.type && o.identifier) return typeof o.type === 'string' ? o.type.split('?')[0] : null;
  }
  if (ref === undefined) return undefined;
  if (ref.includes('?')) return ref.split('?')[0];
  if (ref.includes('/')) return ref.split('/')[0];
  return undefined;
}

/** One name step on one item, appending results. Returns false when the fast path must give up. */
function step(item: TypedValue, name: string, out: TypedValue[]): boolean {
  const value = item.value as Record<string, unknown> | null | undefined;
  if (!value || typeof value !== 'object') return true;
  // FHIRPath lets a type name select the resource itself (`Patient` on a Patient).
  if (typeof value.resourceType === 'string' && value.resourceType === name) {
    out.push(item);
    return true;
  }
  const keys = elementKeysOf(item.type, name);
  if (!keys) return false;
  const found = lookup(value, keys);
  if (found === null) return false;
  if (found === undefined) return true;
  if (Array.isArray(found.value)) {
    for (const v of found.value) {
      if (v === null || v === undefined) return false;
      out.push({ type: resolvedType(found.type, v), value: v });
    }
  } else {
    out.push({ type: resolvedType(found.type, found.value), value: found.value });
  }
  return true;
}

/** One JSON key an element may use, with the FHIRPath type of its values. */
interface ElementJsonKey {
  key: string;
  /** `_key`: where a primitive's extensions go. */
  extensionKey: string;
  type: string;
}

/**
 * The JSON keys of element `name` of a type, in definition order (each type of a choice
 * element), computed once per element: this runs for every step of every search parameter of
 * every resource written. Only elements that exist are cached, so names from client-supplied
 * expressions cannot grow the cache.
 */
const jsonKeys = new Map<string, Map<string, readonly ElementJsonKey[]>>();

function elementKeysOf(typeName: string, name: string): readonly ElementJsonKey[] | undefined {
  let byName = jsonKeys.get(typeName);
  const cached = byName?.get(name);
  if (cached) return cached;
  const element = elementOf(typeName, name);
  if (!element || element.type.length === 0) return undefined;
  const last = element.path.slice(element.path.lastIndexOf('.') + 1);
  const choice = last.endsWith('[x]');
  const keys = element.type.map((t): ElementJsonKey => {
    const key = choice ? last.slice(0, -3) + t.code.charAt(0).toUpperCase() + t.code.slice(1) : last;
    // Backbone elements are typed by their own type name (`PatientContact`), as in the general evaluator.
    const type = t.code === 'Element' || t.code === 'BackboneElement' ? element.type[0].code : t.code;
    return { key, extensionKey: '_' + key, type };
  });
  if (!byName) jsonKeys.set(typeName, (byName = new Map()));
  byName.set(name, keys);
  return keys;
}

/**
 * Finds the JSON property for an element (trying each type of a choice element in definition
 * order). `null` = a primitive extension is involved (give up); `undefined` = empty.
 */
function lookup(value: Record<string, unknown>, keys: readonly ElementJsonKey[]): TypedValue | null | undefined {
  for (const k of keys) {
    const v = value[k.key];
    if (value[k.extensionKey] !== undefined) return null;
    if (v !== undefined) return isEmpty(v) ? undefined : { type: k.type, value: v };
  }
  return undefined;
}

function resolvedType(type: string, v: unknown): string {
  if (type === 'Resource' && v && typeof v === 'object' && 'resourceType' in v) {
    return String((v as { resourceType: unknown }).resourceType);
  }
  return type;
}

function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'string') return v === '';
  if (typeof v === 'object') {
    if (Array.isArray(v)) return v.length === 0;
    for (const _ in v) return false;
    return true;
  }
  return false;
}
