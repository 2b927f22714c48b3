/**
 * The structural walk of validation: every key of every object is checked against the rules of
 * its FHIR type (`type-rules.ts`): known element, single value or list, cardinality, no nulls or
 * empty values, one type per choice element, primitive formats, required bindings, reference
 * target types and the element invariants; each object is then checked for its required
 * elements. Contained and bundled resources are walked with their own type.
 *
 * Why a walk over present keys: a resource uses few of its type's elements, so visiting only
 * what is there is several times faster than visiting every element the type defines.
 */
import { isResourceType } from '../definitions.ts';
import type { TypedValue } from '../fhirpath.ts';
import { issue } from '../outcome.ts';
import type { Issue } from '../outcome.ts';
import { checkBinding } from './bindings.ts';
import { checkInvariants } from './invariants.ts';
import type { InvariantScope } from './invariants.ts';
import { checkPrimitive } from './primitives.ts';
import { typeRules } from './type-rules.ts';
import type { KeyRule } from './type-rules.ts';

/** Deeper than any real resource; stops runaway recursion on hostile input. */
const MAX_DEPTH = 64;
const ID = /^[A-Za-z0-9\-.]{1,64}$/;
const LOCAL_TYPE = /^([A-Z][A-Za-z]+)(?:\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$|\?)/;

interface Walk {
  issues: Issue[];
  scope: InvariantScope;
  depth: number;
}

/** Checks a resource of a known type; appends what is wrong to `issues`. */
export function checkStructure(resource: Record<string, unknown>, issues: Issue[]): void {
  const type = resource.resourceType as string;
  const root: TypedValue = { type, value: resource };
  const walk: Walk = { issues, scope: { resource: root, root }, depth: 0 };
  const rules = typeRules(type);
  if (rules) checkInvariants(root, rules.constraints, type, walk.scope, issues);
  walkObject(resource, type, type, true, walk);
}

function walkObject(obj: Record<string, unknown>, type: string, path: string, isResource: boolean, walk: Walk): void {
  const rules = typeRules(type);
  if (!rules) {
    walk.issues.push(issue('structure', `Unknown type ${type}`, path));
    return;
  }
  if (walk.depth >= MAX_DEPTH) {
    walk.issues.push(issue('structure', `Nested more than ${MAX_DEPTH} levels deep`, path));
    return;
  }
  let choices: Map<string, string> | undefined;
  for (const key in obj) {
    if (key === 'resourceType' && isResource) continue;
    const extension = key.charCodeAt(0) === 95; // `_birthDate`: extensions of a primitive
    const rule = rules.keys.get(extension ? key.slice(1) : key);
    if (!rule || (extension && !rule.primitive)) {
      walk.issues.push(issue('structure', `Invalid additional property "${key}"`, `${path}.${key}`));
      continue;
    }
    if (rule.choice) {
      const jsonKey = extension ? key.slice(1) : key;
      choices ??= new Map();
      const previous = choices.get(rule.choice);
      if (previous !== undefined && previous !== jsonKey) {
        walk.issues.push(issue('structure', `Conflicting choice of type properties: "${previous}", "${jsonKey}"`, `${path}.${key}`));
      }
      choices.set(rule.choice, jsonKey);
    }
    if (extension) checkPrimitiveExtensions(obj[key], rule, `${path}.${key}`, walk);
    else checkProperty(obj, key, rule, path, walk);
  }
  // R4 types Resource.id as a plain string, but the id rules apply to resource ids.
  if (isResource && typeof obj.id === 'string' && !ID.test(obj.id)) {
    walk.issues.push(issue('value', 'Invalid id format: 1-64 characters from A-Z a-z 0-9 - .', `${path}.id`));
  }
  for (const required of rules.required) {
    if (!required.keys.some((k) => obj[k] !== undefined || obj['_' + k] !== undefined)) {
      walk.issues.push(issue('required', 'Missing required property', `${path}.${required.name}`));
    }
  }
}

function checkProperty(obj: Record<string, unknown>, key: string, rule: KeyRule, parentPath: string, walk: Walk): void {
  const value = obj[key];
  const path = `${parentPath}.${key}`;
  if (value === null) {
    walk.issues.push(issue('structure', 'Invalid null value', path));
    return;
  }
  if (!rule.isArray) {
    if (Array.isArray(value)) walk.issues.push(issue('structure', 'Expected single value for property', path));
    else checkValue(value, rule, path, walk);
    return;
  }
  if (!Array.isArray(value)) {
    walk.issues.push(issue('structure', 'Expected array of values for property', path));
    return;
  }
  if (value.length === 0) {
    walk.issues.push(issue('structure', 'Invalid empty array', path));
    return;
  }
  if (value.length > rule.max) {
    walk.issues.push(issue('structure', `Invalid number of values: expected at most ${rule.max}, but found ${value.length}`, path));
  }
  const companion = obj['_' + key];
  for (let i = 0; i < value.length; i++) {
    const item = value[i];
    if (item === null) {
      // The one place JSON FHIR allows null: a primitive list item whose extensions are in `_key`.
      if (!(rule.primitive && Array.isArray(companion) && companion[i])) walk.issues.push(issue('structure', 'Invalid null value', `${path}[${i}]`));
      continue;
    }
    checkValue(item, rule, `${path}[${i}]`, walk);
  }
}

function checkValue(value: unknown, rule: KeyRule, path: string, walk: Walk): void {
  const issues = walk.issues;
  if (rule.primitive) {
    const before = issues.length;
    checkPrimitive(value, rule.type, path, issues);
    if (issues.length !== before) return;
    if (rule.binding) checkBinding(value, rule, path, issues);
    if (rule.constraints.length > 0) checkInvariants({ type: rule.type, value }, rule.constraints, path, walk.scope, issues);
    return;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    issues.push(issue('structure', `Invalid JSON type: expected an object (${rule.type})`, path));
    return;
  }
  const obj = value as Record<string, unknown>;
  if (isEmptyObject(obj)) {
    issues.push(issue('structure', 'Invalid empty object', path));
    return;
  }
  let type = rule.type;
  const isResource = type === 'Resource';
  if (isResource) {
    if (typeof obj.resourceType !== 'string' || !isResourceType(obj.resourceType)) {
      issues.push(issue('structure', `Unknown or missing resourceType ${JSON.stringify(obj.resourceType)}`, path));
      return;
    }
    type = obj.resourceType;
  }
  if (rule.binding) checkBinding(obj, rule, path, issues);
  if (rule.targets) checkTarget(obj, rule.targets, path, issues);
  const typed: TypedValue = { type, value: obj };
  if (rule.constraints.length > 0) checkInvariants(typed, rule.constraints, path, walk.scope, issues);
  const outer = walk.scope;
  if (isResource) walk.scope = { resource: typed, root: outer.root };
  walk.depth++;
  walkObject(obj, type, path, isResource, walk);
  walk.depth--;
  walk.scope = outer;
}

/** `_given: [null, {extension: [...]}]` or `_birthDate: {extension: [...]}`: walked as Element. */
function checkPrimitiveExtensions(value: unknown, rule: KeyRule, path: string, walk: Walk): void {
  const items = rule.isArray ? value : [value];
  if (!Array.isArray(items)) {
    walk.issues.push(issue('structure', 'Expected array of values for property', path));
    return;
  }
  items.forEach((item, i) => {
    const itemPath = rule.isArray ? `${path}[${i}]` : path;
    if (item === null && rule.isArray) return;
    if (typeof item !== 'object' || item === null || Array.isArray(item) || isEmptyObject(item as Record<string, unknown>)) {
      walk.issues.push(issue('structure', 'Expected an object with id or extension', itemPath));
      return;
    }
    walk.depth++;
    walkObject(item as Record<string, unknown>, 'Element', itemPath, false, walk);
    walk.depth--;
  });
}

/** `Patient/1` in an element that only allows Practitioner is an error (urn:uuid, URLs pass). */
function checkTarget(reference: Record<string, unknown>, targets: ReadonlySet<string>, path: string, issues: Issue[]): void {
  const ref = reference.reference;
  if (typeof ref !== 'string') return;
  const type = LOCAL_TYPE.exec(ref)?.[1];
  if (type && isResourceType(type) && !targets.has(type)) {
    issues.push(issue('structure', `Invalid reference: got "${type}", expected ${[...targets].join(', ')}`, path));
  }
}

function isEmptyObject(obj: Record<string, unknown>): boolean {
  for (const _ in obj) return false;
  return true;
}
