/**
 * Restricted records: resources labelled restricted or very restricted (`meta.security`
 * v3-Confidentiality `R`/`V`, e.g. behavioural health notes), and whole charts whose Patient is
 * so labelled (e.g. a staff member's own chart). Staff see them only with a care relationship
 * (they are the patient's general practitioner) or through break-the-glass: an emergency grant
 * for that patient, with a stated reason, limited in time, audited and listed for review.
 *
 * Applies to staff users. Patients and proxies see their own record; backend services and the
 * system act under their own agreements and are not restricted here.
 * - Searches get criteria that exclude what is hidden, so counts and pages do not reveal it.
 * - Reads and writes of a hidden resource answer 403 with issue code `suppressed`, which tells a
 *   clinician that break-the-glass can open it (FHIR's break-the-glass pattern).
 * @see https://hl7.org/fhir/R4/security-labels.html
 */
import type { Patient, Resource } from '@medplum/fhirtypes';
import { FhirError, issue } from '../../fhir/outcome.ts';
import { compartmentCriterion, compartmentMemberTypes } from '../../fhir/search/compartment.ts';
import type { SearchCriterion } from '../../fhir/search/types.ts';
import { patientsOf } from '../audit/patients-of.ts';
import type { Ctx } from '../context.ts';

export const CONFIDENTIALITY = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
const RESTRICTED_CODES = ['R', 'V'];
/** A newly restricted chart is hidden from searches within this time. */
const CACHE_MS = 5_000;

export interface RecordAccess {
  /** Restricted charts this user may not open. */
  hidden: Set<string>;
  /** Patients whose restricted records this user may open (care relationship or emergency grant). */
  open: Set<string>;
  /** Patients opened by an emergency grant: accesses to them are audited as emergency treatment. */
  emergency: Set<string>;
}

const perRequest = new WeakMap<Ctx, Promise<RecordAccess | undefined>>();
const restrictedCharts = new Map<string, { at: number; patients: Patient[] }>();

/** Whether restricted records are hidden from this principal unless opened (staff users). */
function appliesTo(ctx: Ctx): boolean {
  return ctx.principal.kind === 'user' && ctx.principal.patients === undefined;
}

/** What this request's user may open; undefined when restrictions do not apply. Computed once per request. */
export function recordAccess(ctx: Ctx): Promise<RecordAccess | undefined> {
  if (!appliesTo(ctx)) return Promise.resolve(undefined);
  let access = perRequest.get(ctx);
  if (access === undefined) {
    access = loadAccess(ctx);
    perRequest.set(ctx, access);
  }
  return access;
}

async function loadAccess(ctx: Ctx): Promise<RecordAccess> {
  const principal = ctx.principal as Extract<Ctx['principal'], { kind: 'user' }>;
  const now = Date.now();
  const [charts, emergency] = await Promise.all([restrictedChartsOf(ctx, now), ctx.store.emergencyAccess.activePatients(ctx.tenant, principal.id, now)]);
  const open = new Set(emergency);
  for (const chart of charts) {
    const gp = (chart.generalPractitioner ?? []).map((r) => r.reference);
    if (principal.fhirUser !== undefined && gp.includes(principal.fhirUser)) open.add(chart.id as string);
  }
  const hidden = new Set(charts.map((c) => c.id as string).filter((id) => !open.has(id)));
  // A care relationship also opens the practitioner's patients' restricted resources.
  if (principal.fhirUser?.startsWith('Practitioner/')) {
    for (const id of await patientsCaredForBy(ctx, principal.fhirUser)) open.add(id);
  }
  return { hidden, open, emergency: new Set(emergency) };
}

async function restrictedChartsOf(ctx: Ctx, now: number): Promise<Patient[]> {
  const cached = restrictedCharts.get(ctx.tenant);
  if (cached !== undefined && now - cached.at < CACHE_MS) return cached.patients;
  const page = await ctx.store.reader(ctx.tenant).search({
    resourceTypes: ['Patient'],
    criteria: [securityLabel()],
    sort: [],
    count: 10_000,
    total: 'none',
    include: [],
    revinclude: [],
  });
  const patients = page.resources as Patient[];
  restrictedCharts.set(ctx.tenant, { at: now, patients });
  return patients;
}

async function patientsCaredForBy(ctx: Ctx, practitioner: string): Promise<string[]> {
  const page = await ctx.store.reader(ctx.tenant).search({
    resourceTypes: ['Patient'],
    criteria: [{ param: 'general-practitioner', type: 'reference', values: [{ kind: 'reference', targetType: 'Practitioner', targetId: practitioner.slice('Practitioner/'.length) }] }],
    sort: [],
    count: 10_000,
    total: 'none',
    include: [],
    revinclude: [],
  });
  return page.resources.map((r) => r.id as string);
}

function securityLabel(modifier?: 'not'): SearchCriterion {
  const criterion: SearchCriterion = { param: '_security', type: 'token', values: RESTRICTED_CODES.map((code) => ({ kind: 'token', system: CONFIDENTIALITY, code })) };
  if (modifier) criterion.modifier = modifier;
  return criterion;
}

let members: string[] | undefined;

/** Criteria that keep hidden records out of a search of `types`. */
export async function restrictionCriteria(ctx: Ctx, types: readonly string[]): Promise<SearchCriterion[]> {
  const access = await recordAccess(ctx);
  if (access === undefined) return [];
  members ??= compartmentMemberTypes('Patient');
  const memberTypes = types.filter((t) => members!.includes(t));
  const out: SearchCriterion[] = [];
  if (access.hidden.size > 0 && memberTypes.length > 0) {
    out.push({ param: '_restricted-charts', type: 'reference', values: [], not: true, anyOf: [...access.hidden].map((id) => compartmentCriterion('Patient', id, memberTypes)) });
  }
  // Labelled resources: only those of patients this user may open.
  const opened = memberTypes.length === 0 ? [] : [...access.open].map((id) => compartmentCriterion('Patient', id, memberTypes));
  out.push({ param: '_restricted-resources', type: 'token', values: [], anyOf: [securityLabel('not'), ...opened] });
  return out;
}

/** Throws 403 `suppressed` when `resource` is hidden from this user. */
export async function checkRecordAccess(ctx: Ctx, resource: Resource | undefined): Promise<void> {
  if (resource === undefined) return;
  const access = await recordAccess(ctx);
  if (access === undefined) return;
  const patients = patientsOf([resource]).map((ref) => ref.slice('Patient/'.length));
  const inHiddenChart = patients.some((p) => access.hidden.has(p));
  const labelled = (resource.meta?.security ?? []).some((s) => s.system === CONFIDENTIALITY && RESTRICTED_CODES.includes(s.code ?? ''));
  const opened = patients.length > 0 && patients.every((p) => access.open.has(p));
  if (inHiddenChart || (labelled && !opened)) {
    throw new FhirError('forbidden', [
      issue('suppressed', `${resource.resourceType}/${resource.id} is a restricted record. A clinician may open it with break-the-glass (POST Patient/[id]/$break-the-glass with a reason); the access is recorded and reviewed.`),
    ]);
  }
}

/** Drops hidden resources from a list (included resources). */
export async function withoutHidden(ctx: Ctx, resources: Resource[]): Promise<Resource[]> {
  if ((await recordAccess(ctx)) === undefined) return resources;
  const kept: Resource[] = [];
  for (const r of resources) {
    try {
      await checkRecordAccess(ctx, r);
      kept.push(r);
    } catch (err) {
      if (!(err instanceof FhirError)) throw err;
    }
  }
  return kept;
}

/** Forgets cached restricted charts (after a chart's labels change in this process). */
export function forgetRestrictedCharts(tenant: string): void {
  restrictedCharts.delete(tenant);
}
