/**
 * SMART scopes an app (authorization code flow) may be registered for and ask for: resource
 * scopes in the user's or a patient's context (`user/Observation.rs`, `patient/*.read`, v1 and v2
 * syntax, v2 optionally with a query: SMART 2 granular scopes, `patient/Observation.rs?category=…`,
 * enforced by `domain/access/scope-access.ts`; a query Heron cannot enforce is refused, never
 * granted as the whole type) and the launch and identity scopes. `system/` scopes belong to
 * backend services, not to apps a person signs in to.
 * @see https://build.fhir.org/ig/HL7/smart-app-launch/scopes-and-launch-context.html
 */
import { FhirError, issue, type Issue } from '../../fhir/outcome.ts';
import { resourceScope, resourceScopeProblem } from '../access/scope-query.ts';
import { scopeCovered, splitScopes, type Permission } from './system-scopes.ts';

/**
 * Heron's own scope for its practice-admin API (`/admin/v1`: users, apps, sign-in policy). It
 * grants nothing by itself: the user must also be a practice administrator, so an app registered
 * for it is offered it only at a practice administrator's consent.
 */
export const ADMIN_SCOPE = 'heron/admin';

/** Scopes that grant no FHIR data themselves: identity, launch context, refresh, administration. */
export const NON_RESOURCE_SCOPES = ['openid', 'fhirUser', 'launch', 'launch/patient', 'offline_access', 'online_access', ADMIN_SCOPE] as const;
export type NonResourceScope = (typeof NON_RESOURCE_SCOPES)[number];

export interface ResourceScope {
  kind: 'resource';
  text: string;
  context: 'user' | 'patient';
  resourceType: string;
  permissions: ReadonlySet<Permission>;
  /** A granular scope's query, its parameters in a fixed order (see `ResourceScope.query` in scope-query.ts). */
  query?: string;
}

export type AppScope = ResourceScope | { kind: 'other'; text: NonResourceScope };

export function parseAppScope(text: string): AppScope | undefined {
  if ((NON_RESOURCE_SCOPES as readonly string[]).includes(text)) return { kind: 'other', text: text as NonResourceScope };
  const scope = resourceScope(text);
  if (scope === undefined || scope.context === 'system') return undefined;
  const parsed: ResourceScope = { kind: 'resource', text, context: scope.context, resourceType: scope.resourceType, permissions: new Set(scope.letters.split('') as Permission[]) };
  if (scope.query !== undefined) parsed.query = scope.query;
  return parsed;
}

/**
 * Parses an app's registered scopes.
 * @throws FhirError `invalid` naming every scope that is not supported.
 */
export function parseAppScopes(scopes: string, expression = 'scopes'): AppScope[] {
  const words = splitScopes(scopes);
  if (words.length === 0) throw new FhirError('invalid', [issue('invalid', 'At least one scope is required', expression)]);
  const problems: Issue[] = [];
  const parsed: AppScope[] = [];
  for (const word of words) {
    const scope = parseAppScope(word);
    if (scope) parsed.push(scope);
    else if (resourceScopeProblem(word) !== undefined) problems.push(issue('invalid', `Not a supported app scope: ${resourceScopeProblem(word)}`, expression));
    else
      problems.push(
        issue('invalid', `Not a supported app scope: "${word}" (expected e.g. user/Patient.rs, patient/*.read, openid, fhirUser, launch, launch/patient, offline_access, online_access, heron/admin)`, expression),
      );
  }
  if (problems.length) throw new FhirError('invalid', problems);
  return parsed;
}

/** True when the registered scopes allow what `requested` asks. */
export function appScopeCovered(requested: AppScope, registered: readonly AppScope[]): boolean {
  if (requested.kind === 'other') return registered.some((s) => s.kind === 'other' && s.text === requested.text);
  const sameContext = registered.filter((s): s is ResourceScope => s.kind === 'resource' && s.context === requested.context);
  return scopeCovered(requested, sameContext);
}

const VERBS: Record<Permission, string> = { c: 'create', r: 'read', u: 'update', d: 'delete', s: 'search' };

/** The scope in words, for the consent page. */
export function describeScope(scope: AppScope, patientFacing: boolean): string {
  if (scope.kind === 'other') {
    switch (scope.text) {
      case 'openid':
        return 'Confirm who you are (your account id)';
      case 'fhirUser':
        return patientFacing ? 'Know which person record is yours' : 'Know which practitioner record is yours';
      case 'launch':
        return 'Know which patient (and visit) you opened it for';
      case 'launch/patient':
        return 'Know which patient record is open';
      case 'offline_access':
        return 'Keep access when you are not using the app, until you revoke it (up to 12 months)';
      case 'online_access':
        return 'Stay signed in while you use the app (until you are idle or at most a working day)';
      case ADMIN_SCOPE:
        return 'Administer the practice: create, invite and disable user accounts, register and disable apps, and set the sign-in policy';
    }
  }
  const verbs = (['r', 's', 'c', 'u', 'd'] as Permission[]).filter((p) => scope.permissions.has(p)).map((p) => VERBS[p]);
  const list = verbs.length > 1 ? `${verbs.slice(0, -1).join(', ')} and ${verbs[verbs.length - 1]}` : verbs[0];
  const what = scope.resourceType === '*' ? 'all kinds of records' : `${scope.resourceType} records`;
  const whose = scope.context === 'patient' ? (patientFacing ? 'in your health record' : "in the selected patient's record") : 'you have access to';
  const which = scope.query === undefined ? '' : ` matching ${scope.query}`;
  return `${list[0].toUpperCase()}${list.slice(1)} ${what}${which} ${whose}`;
}
