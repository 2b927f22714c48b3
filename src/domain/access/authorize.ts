/**
 * The one place every FHIR interaction is authorised (dispatch, Bundles and search call it), so
 * no route can forget it. Deny by default:
 * - the principal's practice must be the request's practice;
 * - a user's role must allow the interaction on the type's category (`roles.ts`), and the SMART
 *   scopes the user granted the app must allow it too — scopes narrow, never widen, a role;
 * - an OAuth client acting for itself (backend services) is limited by its `system/` scopes;
 * - users bound to patients (patients, proxies, patient-context apps) are further limited to
 *   those patients' compartments (`compartment-access.ts`);
 * - a type granted only by scopes with a query (SMART 2 granular scopes) is further limited to
 *   the resources those queries match (`scope-access.ts`, using `scopeQueries`).
 * @see https://build.fhir.org/ig/HL7/smart-app-launch/scopes-and-launch-context.html
 */
import type { Ctx } from '../context.ts';
import { errors } from '../../fhir/outcome.ts';
import type { SearchCriterion } from '../../fhir/search/types.ts';
import { CATEGORIES, ROLE_PERMISSIONS, roleAllows } from './roles.ts';
import type { Principal } from './principal.ts';
import { resourceScope } from './scope-query.ts';

export type Interaction =
  | 'read'
  | 'vread'
  | 'update'
  | 'patch'
  | 'delete'
  | 'history-instance'
  | 'history-type'
  | 'history-system'
  | 'create'
  | 'search-type'
  | 'search-system'
  | 'batch'
  | 'transaction'
  | 'operation';

export interface AccessRequest {
  interaction: Interaction;
  resourceType?: string;
  id?: string;
}

/** The SMART permission letter each interaction needs. */
const LETTERS: Record<Interaction, string> = {
  read: 'r',
  vread: 'r',
  'history-instance': 'r',
  'history-type': 's',
  'history-system': 's',
  'search-type': 's',
  'search-system': 's',
  create: 'c',
  update: 'u',
  patch: 'u',
  delete: 'd',
  operation: 'r',
  batch: '',
  transaction: '',
};

/** The SMART permission letter `interaction` needs (empty for Bundles, whose entries are authorised each). */
export function letterOf(interaction: Interaction): string {
  return LETTERS[interaction];
}

/** Throws `forbidden` unless the principal may perform the interaction. */
export function authorize(ctx: Ctx, request: AccessRequest): void {
  if (ctx.principal.tenant !== ctx.tenant) throw errors.forbidden('Access to this practice is not allowed');
  if (request.interaction === 'batch' || request.interaction === 'transaction') return; // each entry is authorised itself
  const refusal = refusalOf(ctx.principal, request);
  if (refusal !== undefined) throw errors.forbidden(refusal);
}

/** The same decision as `authorize`, as a value: for filtering what a search returns. */
export function isAllowed(ctx: Ctx, request: AccessRequest): boolean {
  return ctx.principal.tenant === ctx.tenant && refusalOf(ctx.principal, request) === undefined;
}

/** Why the principal may not do this, or undefined when it may. */
function refusalOf(principal: Principal, request: AccessRequest): string | undefined {
  const letter = LETTERS[request.interaction];
  const what = `${request.interaction}${request.resourceType ? ' on ' + request.resourceType : ''}`;
  if (principal.kind !== 'user') {
    return principal.scopes.some((scope) => scopeAllows(scope, request.resourceType ?? '*', letter)) ? undefined : `The granted scopes do not allow ${what}`;
  }
  if (request.resourceType === undefined) {
    // Across all types: only a role allowed on every category, and never for patient-bound users.
    if (principal.patients !== undefined || CATEGORIES.some((c) => !(ROLE_PERMISSIONS[principal.role][c] ?? '').includes(letter))) {
      return `A ${principal.role} must name the resource types (use _type)`;
    }
  } else if (!roleAllows(principal.role, request.resourceType, letter)) {
    return `The role ${principal.role} does not allow ${what}`;
  }
  // History across resources returns every version of everything, which neither the patient
  // compartment nor restricted-record criteria can bound: users read one resource's history.
  if (request.interaction === 'history-type' || request.interaction === 'history-system') {
    return 'History across resources is not available to signed-in users; read the history of one resource instead';
  }
  const type = request.resourceType ?? '*';
  const granted = principal.scopes.some((scope) => scopeAllows(scope, type, letter, principal.patients !== undefined));
  return granted ? undefined : `The scopes granted to this app do not allow ${what}`;
}

/**
 * SMART v1 (`read`/`write`/`*`) and v2 (`cruds` letters) scopes. `system/` and `user/` scopes
 * apply as written; `patient/` scopes only where a patient context bounds the access
 * (`patientBound`). A v2 scope with a query allows the interaction on its type here; which
 * resources it reaches is bounded by `scopeQueries`. A scope Heron cannot parse or enforce
 * (`scope-query.ts`) allows nothing.
 */
export function scopeAllows(scope: string, resourceType: string, letter: string, patientBound = false): boolean {
  const parsed = resourceScope(scope);
  if (parsed === undefined) return false;
  if (parsed.context === 'patient' && !patientBound) return false;
  if (parsed.resourceType !== '*' && parsed.resourceType !== resourceType) return false;
  return letter !== '' && parsed.letters.includes(letter);
}

/**
 * The queries bounding `letter` on `resourceType` for this principal (SMART 2: the scopes that
 * allow it are a union). Undefined when one of them has no query: the whole type is open, as far
 * as scopes go. Otherwise one list of criteria per allowing scope; a resource is within the scopes
 * when it matches every criterion of at least one list. Callers must not change the criteria.
 */
export function scopeQueries(principal: Principal, resourceType: string, letter: string): (readonly SearchCriterion[])[] | undefined {
  const patientBound = principal.kind === 'user' && principal.patients !== undefined;
  const queries: (readonly SearchCriterion[])[] = [];
  for (const scope of principal.scopes) {
    if (!scopeAllows(scope, resourceType, letter, patientBound)) continue;
    const criteria = resourceScope(scope)?.criteria;
    if (criteria === undefined) return undefined;
    queries.push(criteria);
  }
  return queries;
}
