/**
 * FHIRPath Patch: a `Parameters` resource of `operation`s (add, insert, delete, replace, move)
 * whose targets are FHIRPath expressions.
 *
 * The input resource is never changed: operations apply in order to a copy. A malformed
 * Parameters body is `invalid` (400); operations that cannot apply to this resource (path
 * selects several elements, index out of range, adding a second value to a single element)
 * are `unprocessable` (422). `delete` of a path that selects nothing does nothing, as the spec
 * says. The caller validates the result like any other write.
 * @see https://hl7.org/fhir/R4/fhirpatch.html
 */
import type { Resource } from '@medplum/fhirtypes';
import { elementOf } from '../definitions.ts';
import { elementKeys } from '../element-keys.ts';
import { FhirError } from '../outcome.ts';
import { locate, locateList, locateOne, unprocessable } from './locate.ts';
import type { Location } from './locate.ts';
import { readOperations } from './patch-operations.ts';
import type { PatchOperation, PatchValue } from './patch-operations.ts';

/** Applies a FHIRPath Patch `Parameters` to a copy of `resource` and returns the copy. */
export function applyFhirPathPatch(resource: Resource, parameters: unknown): Resource {
  const operations = readOperations(parameters);
  const result = structuredClone(resource) as unknown as Record<string, unknown>;
  operations.forEach((op, i) => {
    try {
      apply(result, op);
    } catch (err) {
      if (err instanceof FhirError) throw new FhirError(err.category, err.issues.map((x) => ({ ...x, diagnostics: `Operation ${i} (${op.type}): ${x.diagnostics}` })));
      throw err;
    }
  });
  if (result.resourceType !== resource.resourceType) throw unprocessable('FHIRPath Patch must not change resourceType');
  return result as unknown as Resource;
}

function apply(root: Record<string, unknown>, op: PatchOperation): void {
  switch (op.type) {
    case 'add':
      return add(root, op.path, op.name as string, op.value as PatchValue);
    case 'insert': {
      const { parent, key, list } = locateList(root, op.path);
      const index = op.index as number;
      if (index > list.length) throw unprocessable(`Index ${index} is past the end of ${op.path} (${list.length} items)`);
      list.splice(index, 0, op.value?.json);
      parent[key] = list;
      spliceCompanion(parent, key, index, 0, true);
      return;
    }
    case 'delete': {
      const found = locate(root, op.path);
      if (found.length === 0) return;
      if (found.length > 1) throw unprocessable(`Path "${op.path}" selects ${found.length} elements; delete removes one`);
      remove(found[0]);
      return;
    }
    case 'replace': {
      const found = locate(root, op.path);
      if (found.length !== 1) throw unprocessable(`Path "${op.path}" must select exactly one element to replace, but selects ${found.length}`);
      replace(found[0], op.value as PatchValue);
      return;
    }
    case 'move': {
      const { parent, key, list } = locateList(root, op.path);
      const source = op.source as number;
      const destination = op.destination as number;
      if (source >= list.length || destination >= list.length) {
        throw unprocessable(`move ${source} -> ${destination} is out of range for ${op.path} (${list.length} items)`);
      }
      const [item] = list.splice(source, 1);
      list.splice(destination, 0, item);
      parent[key] = list;
      const companion = parent['_' + key];
      if (Array.isArray(companion)) {
        const [ext] = companion.splice(source, 1);
        companion.splice(destination, 0, ext ?? null);
      }
      return;
    }
  }
}

/** `add`: a new element `name` under the single element at `path` (appended if it is a list). */
function add(root: Record<string, unknown>, path: string, name: string, value: PatchValue): void {
  const container = locateOne(root, path);
  const element = elementOf(container.type, name);
  if (!element) throw unprocessable(`${container.type} has no element "${name}"`);
  const key = jsonKey(name, element.path.endsWith('[x]'), value, element.type.map((t) => t.code));
  const target = container.value;
  if (element.isArray) {
    const existing = target[key];
    target[key] = Array.isArray(existing) ? [...existing, value.json] : [value.json];
    const companion = target['_' + key];
    if (Array.isArray(companion)) companion.push(null);
    return;
  }
  const present = element.type.some((t) => Object.hasOwn(target, choiceKey(name, element.path, t.code)));
  if (present) throw unprocessable(`${container.type}.${name} already has a value; use replace`);
  target[key] = value.json;
}

function replace(at: Location, value: PatchValue): void {
  if (at.index !== undefined) {
    (at.parent[at.key] as unknown[])[at.index] = value.json;
    return;
  }
  const element = elementKeys(at.parentType).get(at.key)?.element;
  if (element && element.path.endsWith('[x]')) {
    // A choice may change type: valueString replaced by a Quantity becomes valueQuantity.
    const name = element.path.slice(element.path.lastIndexOf('.') + 1, -3);
    const key = jsonKey(name, true, value, element.type.map((t) => t.code));
    if (key !== at.key) {
      delete at.parent[at.key];
      delete at.parent['_' + at.key];
    }
    at.parent[key] = value.json;
    return;
  }
  at.parent[at.key] = value.json;
}

function remove(at: Location): void {
  if (at.index === undefined) {
    delete at.parent[at.key];
    delete at.parent['_' + at.key];
    return;
  }
  const list = at.parent[at.key] as unknown[];
  list.splice(at.index, 1);
  spliceCompanion(at.parent, at.key, at.index, 1, false);
  if (list.length === 0) {
    delete at.parent[at.key];
    delete at.parent['_' + at.key];
  }
}

/** Keeps a primitive list's `_key` extensions array aligned with the list. */
function spliceCompanion(parent: Record<string, unknown>, key: string, index: number, deleteCount: number, insert: boolean): void {
  const companion = parent['_' + key];
  if (!Array.isArray(companion)) return;
  if (insert) companion.splice(index, deleteCount, null);
  else companion.splice(index, deleteCount);
}

/** The JSON key for a value: `name`, or `name` + type for a choice element (`valueQuantity`). */
function jsonKey(name: string, choice: boolean, value: PatchValue, allowed: string[]): string {
  if (!choice) return name;
  if (!value.type) throw unprocessable(`"${name}" is a choice element: give the value as value[x] (e.g. valueQuantity) so its type is known`);
  const type = allowed.find((t) => t.toLowerCase() === value.type?.toLowerCase());
  if (!type) throw unprocessable(`"${name}" cannot hold a ${value.type} (allowed: ${allowed.join(', ')})`);
  return name + type.charAt(0).toUpperCase() + type.slice(1);
}

function choiceKey(name: string, path: string, type: string): string {
  return path.endsWith('[x]') ? name + type.charAt(0).toUpperCase() + type.slice(1) : name;
}

