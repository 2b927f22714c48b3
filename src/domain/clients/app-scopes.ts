/**
 * SMART scopes an app (authorization code flow) may be registered for and ask for: resource
 * scopes in the user's or a patient's context (`user/Observation.rs`, `patient/*.read`, v1 and v2
 * syntax) and the launch and identity scopes. As for system scopes, v2 query suffixes
 * (`?category=…`) are refused until `authorize` enforces them: accepting one would silently grant
 * the whole type. `system/` scopes belong to backend services, not to apps a person signs in to.
 * @see https://build.fhir.org/ig/HL7/smart-app-launch/scopes-and-launch-context.html
 */
import { isResourceType } from '../../fhir/definitions.ts';
import { FhirError, issue, type Issue } from '../../fhir/outcome.ts';
import { scopeCovered, splitScopes, type Permission } from './system-scopes.ts';

/** Scopes that grant no data themselves: identity, launch context, refresh. */
export const NON_RESOURCE_SCOPES = ['openid', 'fhirUser', 'launch', 'launch/patient', 'offline_access', 'online_access'] as const;
export type NonResourceScope = (typeof NON_RESOURCE_SCOPES)[number];

export interface ResourceScope {
  kind: 'resource';
  text: string;
  context: 'user' | 'patient';
  resourceType: string;
  permissions: ReadonlySet<Permission>;
}

export type AppScope = ResourceScope | { kind: 'other'; text: NonResourceScope };

const SCOPE = /^(user|patient)\/([A-Za-z]+|\*)\.([a-z]+|\*)$/;
const V1: Record<string, Permission[]> = { read: ['r', 's'], write: ['c', 'u', 'd'], '*': ['c', 'r', 'u', 'd', 's'] };
const V2 = /^c?r?u?d?s?$/;

export function parseAppScope(text: string): AppScope | undefined {
  if ((NON_RESOURCE_SCOPES as readonly string[]).includes(text)) return { kind: 'other', text: text as NonResourceScope };
  const match = SCOPE.exec(text);
  if (!match) return undefined;
  const [, context, resourceType, perms] = match;
  if (resourceType !== '*' && !isResourceType(resourceType)) return undefined;
  const letters = V1[perms] ?? (V2.test(perms) ? (perms.split('') as Permission[]) : undefined);
  if (!letters || letters.length === 0) return undefined;
  return { kind: 'resource', text, context: context as 'user' | 'patient', resourceType, permissions: new Set(letters) };
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
    else
      problems.push(
        issue('invalid', `Not a supported app scope: "${word}" (expected e.g. user/Patient.rs, patient/*.read, openid, fhirUser, launch, launch/patient, offline_access, online_access)`, expression),
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
    }
  }
  const verbs = (['r', 's', 'c', 'u', 'd'] as Permission[]).filter((p) => scope.permissions.has(p)).map((p) => VERBS[p]);
  const list = verbs.length > 1 ? `${verbs.slice(0, -1).join(', ')} and ${verbs[verbs.length - 1]}` : verbs[0];
  const what = scope.resourceType === '*' ? 'all kinds of records' : `${scope.resourceType} records`;
  const whose = scope.context === 'patient' ? (patientFacing ? 'in your health record' : "in the selected patient's record") : 'you have access to';
  return `${list[0].toUpperCase()}${list.slice(1)} ${what} ${whose}`;
}
