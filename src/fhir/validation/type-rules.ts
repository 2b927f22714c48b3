/**
 * Per FHIR type, everything the validator needs to check an object of that type, derived once
 * from the R4 StructureDefinitions: the JSON keys it may carry (choice elements expanded), each
 * key's cardinality, type, invariants and required binding, and which elements are required.
 *
 * Why precompiled: validation runs on every write, and looking these up per object (as a
 * general-purpose validator does) costs more than the checks themselves.
 */
import type { Constraint, InternalSchemaElement } from '@medplum/core';
import { isPrimitiveType } from '@medplum/core';
import { isResourceType, typeSchema } from '../definitions.ts';
import { elementKeys } from '../element-keys.ts';
import { valueSetCodes } from '../value-sets.ts';
import type { ValueSetCodes } from '../value-sets.ts';
import { metWhenAbsent } from './invariant-shortcut.ts';
import type { AbsentKeySets } from './invariant-shortcut.ts';

/** Invariants that are not checked: `ele-1` is covered by the empty-value checks; the others
 * need whole-resource context or are known to be wrong in R4 (the same list as medplum's). */
const SKIPPED_CONSTRAINTS = new Set(['ele-1', 'dom-3', 'org-1', 'sdf-19']);

export interface KeyRule {
  /** The element name without `[x]` (for messages and required checks). */
  name: string;
  element: InternalSchemaElement;
  /** Concrete type of this key (`Quantity` for `valueQuantity`); `Resource` for any resource. */
  type: string;
  primitive: boolean;
  isArray: boolean;
  max: number;
  /** Error-level invariants to evaluate on each value. */
  constraints: Invariant[];
  /** For choice elements: the element name, to detect two types given at once. */
  choice?: string;
  /** Required binding to an enumerable value set (code and CodeableConcept only). */
  binding?: { codes: ValueSetCodes; valueSet: string };
  /** For Reference keys: the resource types allowed, undefined when any is. */
  targets?: ReadonlySet<string>;
}

export interface TypeRules {
  keys: ReadonlyMap<string, KeyRule>;
  /** Elements with min > 0, each with the JSON keys that satisfy it (`value[x]`: all its choices). */
  required: { name: string; keys: string[] }[];
  /** Type-level invariants, checked on the root resource. */
  constraints: Invariant[];
}

/** An invariant to check, with when it is certainly met without evaluating it. */
export interface Invariant {
  key: string;
  description: string;
  expression: string;
  /** See `invariant-shortcut.ts`; computed for the type of the values it is checked on. */
  metWhenAbsent: AbsentKeySets;
}

const cache = new Map<string, TypeRules | undefined>();

/** The compiled rules of a type, or undefined if the type is unknown. */
export function typeRules(typeName: string): TypeRules | undefined {
  if (cache.has(typeName)) return cache.get(typeName);
  const schema = typeSchema(typeName);
  let rules: TypeRules | undefined;
  if (schema) {
    const keys = new Map<string, KeyRule>();
    for (const [key, ek] of elementKeys(typeName)) keys.set(key, keyRule(ek.element, ek.type));
    const required = Object.entries(schema.elements)
      .filter(([, element]) => element.min > 0)
      .map(([name, element]) => {
        const base = name.endsWith('[x]') ? name.slice(0, -3) : name;
        const jsonKeys = name.endsWith('[x]') ? element.type.map((t) => base + capitalise(t.code)) : [name];
        return { name: base, keys: jsonKeys };
      });
    rules = { keys, required, constraints: checked(schema.constraints, typeName) };
  }
  cache.set(typeName, rules);
  return rules;
}

function keyRule(element: InternalSchemaElement, elementType: string): KeyRule {
  // Elements that hold a resource are `Resource` in R4 (contained, Bundle.entry.resource,
  // Parameters.parameter.resource, Bundle.entry.response.outcome); medplum's definitions type the
  // last as OperationOutcome, which R4 only suggests. Each is walked with its own resourceType.
  const type = isResourceType(elementType) ? 'Resource' : elementType;
  const last = element.path.slice(element.path.lastIndexOf('.') + 1);
  const choice = last.endsWith('[x]');
  const rule: KeyRule = {
    name: choice ? last.slice(0, -3) : last,
    element,
    type,
    primitive: isPrimitiveType(type),
    isArray: element.isArray === true,
    max: element.max,
    constraints: checked(element.constraints, type),
  };
  if (choice) rule.choice = last;
  const binding = element.binding;
  if (binding?.strength === 'required' && binding.valueSet && (type === 'code' || type === 'CodeableConcept')) {
    const codes = valueSetCodes(binding.valueSet);
    if (codes) rule.binding = { codes, valueSet: binding.valueSet.split('|')[0] };
  }
  if (type === 'Reference') {
    const profiles = element.type.find((t) => t.code === 'Reference')?.targetProfile ?? [];
    const prefix = 'http://hl7.org/fhir/StructureDefinition/';
    const names = profiles.map((p) => (p.startsWith(prefix) ? p.slice(prefix.length) : undefined));
    // Unknown profile URLs (not base types) or `Resource` mean any type may be referenced.
    if (names.length > 0 && names.every((n) => n !== undefined && n !== 'Resource')) rule.targets = new Set(names as string[]);
  }
  return rule;
}

/** The error-level invariants that are checked, for values of type `contextType`. */
function checked(constraints: Constraint[] | undefined, contextType: string): Invariant[] {
  return (constraints ?? [])
    .filter((c) => c.severity === 'error' && !SKIPPED_CONSTRAINTS.has(c.key))
    .map((c) => ({
      key: c.key,
      description: c.description,
      expression: c.expression,
      metWhenAbsent: isPrimitiveType(contextType) ? [] : metWhenAbsent(c.expression, (element) => jsonKeysOf(contextType, element)),
    }));
}

/** The JSON keys carrying an element of a type (`value` -> `valueQuantity`, `valueString`...). */
function jsonKeysOf(typeName: string, element: string): string[] | undefined {
  const keys: string[] = [];
  for (const [key, ek] of elementKeys(typeName)) {
    const last = ek.element.path.slice(ek.element.path.lastIndexOf('.') + 1);
    if (last === element || last === element + '[x]') keys.push(key);
  }
  return keys.length > 0 ? keys : undefined;
}

function capitalise(code: string): string {
  return code.charAt(0).toUpperCase() + code.slice(1);
}
