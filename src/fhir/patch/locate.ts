/**
 * Where a FHIRPath expression points inside a resource, as (parent object, JSON key, index),
 * so FHIRPath Patch can change the element in place. FHIRPath itself only yields values.
 *
 * Paths ending in an element name (`Patient.name[0].given`, `Patient.name.given[1]`) are split
 * into the parent expression and the name, which also works for primitives. Other paths
 * (`Patient.identifier.where(system='x')`) are evaluated whole and their (object) results found
 * in the resource by identity.
 */
import { elementOf } from '../definitions.ts';
import { elementKeys } from '../element-keys.ts';
import { compileFhirPath } from '../fhirpath.ts';
import type { TypedValue } from '../fhirpath.ts';
import { FhirError, issue } from '../outcome.ts';

/** One element: `parent[key]` (a single value) or `parent[key][index]` (one item of a list). */
export interface Location {
  parent: Record<string, unknown>;
  key: string;
  index?: number;
  /** The FHIR type of the parent, for element lookups. */
  parentType: string;
}

const TAIL = /^(.+)\.([A-Za-z][A-Za-z0-9]*)(?:\[(\d+)\])?$/;

/** Every element `path` selects in `root` (one location per list item). */
export function locate(root: Record<string, unknown>, path: string): Location[] {
  const tail = TAIL.exec(path.trim());
  if (tail && balanced(tail[1])) {
    const [, parentPath, name, index] = tail;
    const out: Location[] = [];
    for (const parent of objects(evaluate(root, parentPath))) {
      const key = presentKey(parent, name);
      if (key === undefined) continue;
      const value = parent.value[key];
      if (Array.isArray(value)) {
        if (index !== undefined) {
          if (Number(index) < value.length) out.push({ parent: parent.value, key, index: Number(index), parentType: parent.type });
        } else {
          value.forEach((_, i) => out.push({ parent: parent.value, key, index: i, parentType: parent.type }));
        }
      } else if (index === undefined || index === '0') {
        out.push({ parent: parent.value, key, parentType: parent.type });
      }
    }
    return out;
  }
  return evaluate(root, path).map((v) => {
    if (!v.value || typeof v.value !== 'object') {
      throw unprocessable(`Cannot patch "${path}": end the path with an element name or [index] to change a primitive value`);
    }
    const found = findByIdentity(root, v.value, root.resourceType as string);
    if (!found) throw unprocessable(`Cannot patch "${path}": it selects something outside the resource`);
    return found;
  });
}

/** The single object `path` selects (for `add`); errors unless exactly one. */
export function locateOne(root: Record<string, unknown>, path: string): { value: Record<string, unknown>; type: string } {
  const found = objects(evaluate(root, path));
  if (found.length !== 1) throw unprocessable(`Path "${path}" must select exactly one element, but selects ${found.length}`);
  return found[0];
}

/** The list `path` names (for `insert`, `move`): the path must end in the list's element name. */
export function locateList(root: Record<string, unknown>, path: string): { parent: Record<string, unknown>; key: string; list: unknown[] } {
  const tail = TAIL.exec(path.trim());
  if (!tail || tail[3] !== undefined || !balanced(tail[1])) throw unprocessable(`Path "${path}" must name a list, e.g. Patient.identifier`);
  const parents = objects(evaluate(root, tail[1]));
  if (parents.length !== 1) throw unprocessable(`Path "${tail[1]}" must select exactly one element, but selects ${parents.length}`);
  const parent = parents[0];
  const element = elementOf(parent.type, tail[2]);
  if (!element) throw unprocessable(`${parent.type} has no element "${tail[2]}"`);
  if (!element.isArray) throw unprocessable(`${parent.type}.${tail[2]} is not a list`);
  const existing = parent.value[tail[2]];
  const list = Array.isArray(existing) ? existing : [];
  return { parent: parent.value, key: tail[2], list };
}

/** The JSON key under which an element is present (`value` may be `valueQuantity`). */
export function presentKey(parent: { value: Record<string, unknown>; type: string }, name: string): string | undefined {
  const element = elementOf(parent.type, name);
  if (!element) return undefined;
  if (!element.path.endsWith('[x]')) return Object.hasOwn(parent.value, name) ? name : undefined;
  for (const t of element.type) {
    const key = name + t.code.charAt(0).toUpperCase() + t.code.slice(1);
    if (Object.hasOwn(parent.value, key)) return key;
  }
  return undefined;
}

function evaluate(root: Record<string, unknown>, path: string): TypedValue[] {
  return compileFhirPath(path).evaluate(root);
}

function objects(values: TypedValue[]): { value: Record<string, unknown>; type: string }[] {
  return values
    .filter((v) => v.value !== null && typeof v.value === 'object' && !Array.isArray(v.value))
    .map((v) => ({ value: v.value as Record<string, unknown>, type: v.type }));
}

/** Depth-first search for the object itself (not an equal copy) inside the resource. */
function findByIdentity(node: Record<string, unknown>, target: unknown, type: string): Location | undefined {
  for (const key of Object.keys(node)) {
    const value = node[key];
    const items = Array.isArray(value) ? value : [value];
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (item === target) return Array.isArray(value) ? { parent: node, key, index: i, parentType: type } : { parent: node, key, parentType: type };
      if (item && typeof item === 'object') {
        const childType = childTypeOf(type, key, item as Record<string, unknown>);
        const found = findByIdentity(item as Record<string, unknown>, target, childType);
        if (found) return found;
      }
    }
  }
  return undefined;
}

function childTypeOf(type: string, key: string, item: Record<string, unknown>): string {
  if (typeof item.resourceType === 'string') return item.resourceType;
  return elementKeys(type).get(key)?.type ?? 'Element';
}

function balanced(expression: string): boolean {
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === "'") quoted = false;
    } else if (c === "'") quoted = true;
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') {
      depth--;
      if (depth < 0) return false;
    }
  }
  return depth === 0 && !quoted;
}

export function unprocessable(message: string): FhirError {
  return new FhirError('unprocessable', [issue('processing', message)]);
}
