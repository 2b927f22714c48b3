/**
 * Patient-bound access: a patient, a proxy, or an app launched for one patient sees only the
 * resources in those patients' compartments (plus directory types outside any compartment:
 * practitioners, organizations, medications…). Applied on top of `authorize`:
 * - searches get a compartment criterion, so nothing else is ever matched, counted or paged;
 * - one resource addressed (read, history, write, operation) outside the compartment is absent:
 *   answered exactly like an id never used, so existence does not leak; a written body must
 *   belong to the compartment;
 * - included resources outside the compartment are dropped.
 * A proxy sees less than the patient: no resource labelled restricted (an adolescent's
 * confidential care), and for a patient it acts for with limited access only the types
 * `limitedProxyAllows`. What a proxy may not see is absent to it exactly like another patient's
 * record. Of the practice's Subscriptions, patient-bound access sees only those to a bare type of
 * the record (`SUBSCRIPTION`); the others are absent to it the same way.
 */
import type { Resource } from '@medplum/fhirtypes';
import { FhirError, errors, issue } from '../../fhir/outcome.ts';
import { compartmentCriterion, compartmentMemberTypes } from '../../fhir/search/compartment.ts';
import type { SearchCriterion } from '../../fhir/search/types.ts';
import { patientsInJson, patientsOf } from '../audit/patients-of.ts';
import { reader, type Ctx } from '../context.ts';
import { isUnreleased, RELEASE_GOVERNED } from './results-release.ts';
import { limitedProxyAllows } from './roles.ts';
import { isLabelledRestricted, restrictedLabelCriterion } from './security-labels.ts';

let members: Set<string> | undefined;

function isMember(resourceType: string): boolean {
  members ??= new Set(compartmentMemberTypes('Patient'));
  return members.has(resourceType);
}

/**
 * Binary is in no compartment in R4, yet holds documents' files: it belongs to the record its
 * `securityContext` names — a Patient, or a resource of a record (the DocumentReference that links
 * it) — and to no one's when it names nothing. Patient-bound access sees a Binary only through
 * that, reads it by id, and cannot search Binary (no search parameter reaches securityContext).
 */
const CONTEXT_BOUND = 'Binary';

/**
 * Subscription is in no compartment, yet staff's Subscriptions are the practice's own working
 * state, and their criteria can name a practitioner or a patient (`Task?owner=Practitioner/1`,
 * `Observation?subject=Patient/2`). Patient-bound access sees only Subscriptions to a bare type of
 * the record (`Communication`) — all a patient may make (`patientSubscriptionRule`), naming no one;
 * any other is absent to it. Searches get the criterion `bareSubscriptions`, so counts and pages
 * never include the others.
 */
const SUBSCRIPTION = 'Subscription';

/** Whether a Subscription's criteria is a bare type of the patient record, with no search parameters. */
export function isBareRecordCriteria(criteria: string | undefined): boolean {
  return criteria !== undefined && isMember(criteria);
}

/** Subscriptions whose criteria is exactly a bare record type (`criteria:exact`, as stored). */
function bareSubscriptions(): SearchCriterion {
  return { param: 'criteria', type: 'string', modifier: 'exact', values: compartmentMemberTypes('Patient').map((type) => ({ kind: 'string', value: type })) };
}

/** Whether `type` belongs to patients' records for patient-bound access: compartment members and Binary. */
function isRecordType(type: string): boolean {
  return type === CONTEXT_BOUND || isMember(type);
}

/** Whether stored resources of `type` can be absent to patient-bound access. */
function mayBeAbsent(type: string): boolean {
  return isRecordType(type) || type === SUBSCRIPTION;
}

/** The `Type/id` a Binary's securityContext names, if it is a local reference. */
function securityContextOf(resource: Resource | undefined): { type: string; id: string } | undefined {
  const reference = (resource as { securityContext?: { reference?: string } } | undefined)?.securityContext?.reference;
  const m = reference === undefined ? null : /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(reference);
  return m === null ? undefined : { type: m[1], id: m[2] };
}

/**
 * The patients whose record a stored Binary is part of, through its securityContext: the Patient
 * it names, or the patients of the resource it names when the caller may see that resource.
 */
async function binaryPatients(ctx: Ctx, binary: Resource | undefined): Promise<string[]> {
  const context = securityContextOf(binary);
  if (context === undefined || context.type === CONTEXT_BOUND) return [];
  if (context.type === 'Patient') return [`Patient/${context.id}`];
  if (!isMember(context.type) || (await hiddenFromPatientBound(ctx, context.type, context.id))) return [];
  const linked = await reader(ctx).readCurrent(context.type, context.id);
  const json = linked?.json ?? (linked?.resource === undefined ? undefined : JSON.stringify(linked.resource));
  return json === undefined || linked?.deleted ? [] : patientsInJson(context.type, context.id, json);
}

/** The patient ids bounding this ctx's access, or undefined when it is not patient-bound. */
export function boundPatients(ctx: Ctx): readonly string[] | undefined {
  return ctx.principal.kind === 'user' ? ctx.principal.patients : undefined;
}

/**
 * The criterion restricting a search of `types` to the bound patients' compartments (and, for a
 * proxy, to what it may see of them), or undefined when unrestricted. A search mixing
 * compartment and directory types is refused: one criterion cannot bound the first and leave the
 * second open.
 */
export function compartmentRestriction(ctx: Ctx, types: readonly string[]): SearchCriterion | undefined {
  const patients = boundPatients(ctx);
  if (patients === undefined) return undefined;
  if (types.includes(CONTEXT_BOUND)) {
    throw new FhirError('forbidden', [issue('forbidden', 'Binary is not searchable with patient-bound access; read a document\'s file by the id its DocumentReference gives (content.attachment.url)')]);
  }
  if (types.includes(SUBSCRIPTION)) {
    if (types.length > 1) throw new FhirError('forbidden', [issue('forbidden', 'Search Subscription on its own with patient-bound access')]);
    return bareSubscriptions();
  }
  const inCompartment = types.filter(isMember);
  if (inCompartment.length === 0) return undefined;
  if (inCompartment.length !== types.length) {
    throw new FhirError('forbidden', [issue('forbidden', 'Search patient-record types and directory types separately')]);
  }
  const branches: SearchCriterion[] = [];
  for (const id of patients) {
    const visible = isLimited(ctx, id) ? inCompartment.filter(limitedProxyAllows) : inCompartment;
    if (visible.length > 0) branches.push(compartmentCriterion('Patient', id, visible));
  }
  // No branch matches nothing: the search is empty, as for a record with no such resources.
  const bounded: SearchCriterion = { param: '_compartment', type: 'reference', values: [], anyOf: branches };
  return isProxy(ctx) ? { param: '_proxy-visible', type: 'reference', values: [], allOf: [bounded, restrictedLabelCriterion('not')] } : bounded;
}

/**
 * Whether the stored `type/id` is absent to this patient-bound access: it is not in a bound
 * patient's record that this access may see, or it is deleted (whose was it?). Such a resource is
 * answered exactly like an id never used (`absent-resources.ts`), so existence does not leak.
 * False for unbound access, types outside the compartment and ids never used.
 */
export async function hiddenFromPatientBound(ctx: Ctx, type: string, id: string): Promise<boolean> {
  const patients = boundPatients(ctx);
  if (patients === undefined || !mayBeAbsent(type)) return false;
  const current = await reader(ctx).readCurrent(type, id);
  if (current === undefined) return false;
  const json = current.json ?? (current.resource === undefined ? undefined : JSON.stringify(current.resource));
  if (json === undefined) return true;
  if (type === SUBSCRIPTION) return !isBareRecordCriteria(((current.resource ?? JSON.parse(json)) as { criteria?: string }).criteria);
  const owners = type === CONTEXT_BOUND ? await binaryPatients(ctx, current.resource) : patientsInJson(type, id, json);
  if (!visibleTo(ctx, type, owners, patients) || (isProxy(ctx) && labelled(current.resource, json))) return true;
  // A lab result the practice has not released yet (`results-release.ts`); parsed only for the types the rule governs.
  return RELEASE_GOVERNED.has(type) && (await isUnreleased(ctx, current.resource ?? (JSON.parse(json) as Resource)));
}

/**
 * Throws forbidden when a resource to be written (`body`, of a compartment type) does not belong
 * to a bound patient. Decided on the body alone, whatever is stored. A no-op for unbound access.
 */
export function checkWrittenBody(ctx: Ctx, type: string, body: unknown): void {
  const patients = boundPatients(ctx);
  if (patients === undefined || !isRecordType(type)) return;
  const written = body as Resource | undefined;
  // A Binary written with patient-bound access names its patient directly.
  const context = type === CONTEXT_BOUND ? securityContextOf(written) : undefined;
  const owners = type === CONTEXT_BOUND ? (context?.type === 'Patient' ? [`Patient/${context.id}`] : []) : written === undefined ? [] : patientsOf([written]);
  if (written?.resourceType === type && !visibleTo(ctx, type, owners, patients)) {
    throw errors.forbidden(`A ${type} written here must belong to the record of the patient this access is for`);
  }
}

/** Whether some stored resources of `type` may be absent to this access (it is patient-bound and `type` is in the compartment, or Subscription). */
export function compartmentHides(ctx: Ctx, type: string): boolean {
  return boundPatients(ctx) !== undefined && mayBeAbsent(type);
}

/** Drops included resources of compartment types that belong to none of the bound patients. */
export function withinCompartment(ctx: Ctx, resources: Resource[]): Resource[] {
  const patients = boundPatients(ctx);
  if (patients === undefined) return resources;
  return resources.filter((r) => {
    if (r.resourceType === SUBSCRIPTION) return isBareRecordCriteria((r as { criteria?: string }).criteria);
    // No search parameter includes a Binary; should one ever, it shows only with its patient named.
    if (r.resourceType === CONTEXT_BOUND) return securityContextOf(r)?.type === 'Patient' && visibleTo(ctx, r.resourceType, [`Patient/${securityContextOf(r)!.id}`], patients);
    return !isMember(r.resourceType) || (visibleTo(ctx, r.resourceType, patientsOf([r]), patients) && !(isProxy(ctx) && isLabelledRestricted(r)));
  });
}

/** Whether a `type` resource referring to `referenced` patients is in a bound patient's record that this access may see it of. */
function visibleTo(ctx: Ctx, type: string, referenced: readonly string[], patients: readonly string[]): boolean {
  return referenced.some((ref) => {
    const id = ref.slice('Patient/'.length);
    return patients.includes(id) && (!isLimited(ctx, id) || limitedProxyAllows(type));
  });
}

function isProxy(ctx: Ctx): boolean {
  return ctx.principal.kind === 'user' && ctx.principal.role === 'proxy';
}

function isLimited(ctx: Ctx, patient: string): boolean {
  return ctx.principal.kind === 'user' && ctx.principal.limitedPatients?.includes(patient) === true;
}

/** Labels are in the JSON; parse it only when it could hold one. */
function labelled(resource: Resource | undefined, json: string): boolean {
  if (resource !== undefined) return isLabelledRestricted(resource);
  return json.includes('"security"') && isLabelledRestricted(JSON.parse(json) as Resource);
}
