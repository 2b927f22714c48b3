/**
 * Restricted records: resources labelled restricted or very restricted (`meta.security`
 * v3-Confidentiality `R`/`V`, e.g. behavioural health notes), and whole charts whose Patient is
 * so labelled (e.g. a staff member's own chart). Staff see them only with a care relationship
 * (they are the patient's general practitioner, or a member of an active CareTeam for the
 * patient) or through break-the-glass: an emergency grant
 * for that patient, with a stated reason, limited in time, audited and listed for review.
 *
 * Applies to staff users, also through an app bound to one patient. Patients see their own
 * record whole; proxies do not see labelled resources (compartment-access.ts); backend services
 * and the system act under their own agreements and are not restricted here.
 * - Searches get criteria that exclude what is hidden, so counts and pages do not reveal it.
 * - Reads and writes of a hidden resource answer 403 with issue code `suppressed`, which tells a
 *   clinician that break-the-glass can open it (FHIR's break-the-glass pattern).
 * @see https://hl7.org/fhir/R4/security-labels.html
 */
import type { Patient, Resource } from '@medplum/fhirtypes';
import { FhirError, issue } from '../../fhir/outcome.ts';
import { compartmentCriterion, compartmentMemberTypes, compartmentOwnerCriterion } from '../../fhir/search/compartment.ts';
import type { SearchCriterion } from '../../fhir/search/types.ts';
import { patientsOf } from '../audit/patients-of.ts';
import { nowOf, type Ctx } from '../context.ts';
import { compartmentRestriction } from './compartment-access.ts';
import { releaseRestriction } from './results-release.ts';
import { isLabelledRestricted, restrictedLabelCriterion } from './security-labels.ts';

/** A newly restricted chart is hidden from searches within this time. */
const CACHE_MS = 5_000;

export interface RecordAccess {
  /** Restricted charts this user may not open. */
  hidden: Set<string>;
  /** Patients opened by an emergency grant: accesses to them are audited as emergency treatment. */
  emergency: Set<string>;
  /** `Practitioner/…` when the user is one: the patients they care for (`careRelationship`) are open to them. */
  practitioner?: string;
}

const perRequest = new WeakMap<Ctx, Promise<RecordAccess | undefined>>();
/**
 * Per practice, for CACHE_MS: its restricted charts and, per practitioner asked about, which of
 * them that practitioner cares for — so a staff request costs no query for either while the
 * entry lasts (a new care relationship, like a newly restricted chart, counts within CACHE_MS).
 */
interface ChartsEntry {
  at: number;
  patients: Patient[];
  caredBy: Map<string, Promise<Set<string>>>;
}
const restrictedCharts = new Map<string, ChartsEntry>();

/**
 * Whether restricted records are hidden from this principal unless opened: staff users, also
 * when an app they launched is bound to one patient (its patient/ scopes do not open labels).
 */
export function restrictionsApply(ctx: Ctx): boolean {
  return ctx.principal.kind === 'user' && ctx.principal.role !== 'patient' && ctx.principal.role !== 'proxy';
}

/** What this request's user may open; undefined when restrictions do not apply. Computed once per request. */
export function recordAccess(ctx: Ctx): Promise<RecordAccess | undefined> {
  if (!restrictionsApply(ctx)) return Promise.resolve(undefined);
  let access = perRequest.get(ctx);
  if (access === undefined) {
    access = loadAccess(ctx);
    perRequest.set(ctx, access);
  }
  return access;
}

async function loadAccess(ctx: Ctx): Promise<RecordAccess> {
  const principal = ctx.principal as Extract<Ctx['principal'], { kind: 'user' }>;
  const now = nowOf(ctx);
  const [charts, emergency] = await Promise.all([restrictedChartsOf(ctx, now), ctx.store.emergencyAccess.activePatients(ctx.tenant, principal.id, now)]);
  const practitioner = principal.fhirUser?.startsWith('Practitioner/') ? principal.fhirUser : undefined;
  const closed = charts.patients.map((chart) => chart.id as string).filter((id) => !emergency.includes(id));
  const cared = practitioner === undefined || closed.length === 0 ? new Set<string>() : await chartsCaredFor(ctx, charts, practitioner);
  const hidden = new Set(closed.filter((id) => !cared.has(id)));
  return { hidden, emergency: new Set(emergency), ...(practitioner ? { practitioner } : {}) };
}

/** Of the patients `ids`, those `practitioner` has a care relationship with: one search, however many. */
async function caredFor(ctx: Ctx, practitioner: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const page = await ctx.store.reader(ctx.tenant).search({
    resourceTypes: ['Patient'],
    criteria: [{ param: '_id', type: 'token', values: ids.map((code) => ({ kind: 'token', code })) }, careRelationship(practitioner)],
    sort: [],
    count: ids.length,
    total: 'none',
    include: [],
    revinclude: [],
  });
  return new Set(page.resources.map((r) => r.id as string));
}

/** Which of the practice's restricted charts `practitioner` cares for: one search per cache entry. */
function chartsCaredFor(ctx: Ctx, charts: ChartsEntry, practitioner: string): Promise<Set<string>> {
  let cared = charts.caredBy.get(practitioner);
  if (cared === undefined) {
    cared = caredFor(ctx, practitioner, charts.patients.map((chart) => chart.id as string));
    charts.caredBy.set(practitioner, cared);
    // A failed search is not remembered: the next request asks again.
    cared.catch(() => charts.caredBy.delete(practitioner));
  }
  return cared;
}

async function restrictedChartsOf(ctx: Ctx, now: number): Promise<ChartsEntry> {
  const cached = restrictedCharts.get(ctx.tenant);
  // An entry from the future (a clock set back) is stale too.
  if (cached !== undefined && now >= cached.at && now - cached.at < CACHE_MS) return cached;
  const page = await ctx.store.reader(ctx.tenant).search({
    resourceTypes: ['Patient'],
    criteria: [restrictedLabelCriterion()],
    sort: [],
    count: 10_000,
    total: 'none',
    include: [],
    revinclude: [],
  });
  const entry: ChartsEntry = { at: now, patients: page.resources as Patient[], caredBy: new Map() };
  restrictedCharts.set(ctx.tenant, entry);
  return entry;
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
  // Labelled resources: only those of patients this user may open — emergency grants by id (few),
  // care relationships as one criterion on the patient (however many patients).
  const opened: SearchCriterion[] = [];
  if (memberTypes.length > 0) {
    for (const id of access.emergency) opened.push(compartmentCriterion('Patient', id, memberTypes));
    if (access.practitioner !== undefined) opened.push(compartmentOwnerCriterion('Patient', careRelationship(access.practitioner), memberTypes));
  }
  out.push({ param: '_restricted-resources', type: 'token', values: [], anyOf: [restrictedLabelCriterion('not'), ...opened] });
  return out;
}

/**
 * The criteria with every chain and `_has` target narrowed to what the user may see — the bound
 * patients' compartments, unhidden records and released results — so a predicate cannot tell whether something the
 * user may not see matches it.
 */
export async function restrictPredicates(ctx: Ctx, criteria: SearchCriterion[]): Promise<SearchCriterion[]> {
  // Backend services and the system are bound by neither compartments nor labels.
  if (ctx.principal.kind !== 'user') return criteria;
  const visible = async (type: string): Promise<SearchCriterion[]> => {
    const bound = compartmentRestriction(ctx, [type]);
    const release = await releaseRestriction(ctx, [type]);
    return [...(bound ? [bound] : []), ...(await restrictionCriteria(ctx, [type])), ...(release ? [release] : [])];
  };
  const narrow = async (c: SearchCriterion): Promise<SearchCriterion> => {
    if (c.chain) {
      const inner = await narrow(c.chain.criterion);
      return { ...c, chain: { ...c.chain, criterion: { param: '_visible', type: c.type, values: [], allOf: [inner, ...(await visible(c.chain.targetType))] } } };
    }
    if (c.has) {
      const inner = await narrow(c.has.criterion);
      return { ...c, has: { ...c.has, criterion: { param: '_visible', type: c.type, values: [], allOf: [inner, ...(await visible(c.has.sourceType))] } } };
    }
    if (c.anyOf) return { ...c, anyOf: await Promise.all(c.anyOf.map(narrow)) };
    return c;
  };
  return Promise.all(criteria.map(narrow));
}

/** Throws 403 `suppressed` when `resource` is hidden from this user. */
export async function checkRecordAccess(ctx: Ctx, resource: Resource | undefined): Promise<void> {
  if (resource === undefined) return;
  const access = await recordAccess(ctx);
  if (access === undefined) return;
  const patients = patientsOf([resource]).map((ref) => ref.slice('Patient/'.length));
  const inHiddenChart = patients.some((p) => access.hidden.has(p));
  const labelled = isLabelledRestricted(resource);
  if (inHiddenChart || (labelled && !(await allOpened(ctx, access, patients)))) {
    throw new FhirError('forbidden', [
      issue('suppressed', `${resource.resourceType}/${resource.id} is a restricted record. A clinician may open it with break-the-glass (POST Patient/[id]/$break-the-glass with a reason); the access is recorded and reviewed.`),
    ]);
  }
}

/** Whether every patient of a labelled resource is open to the user (read only for labelled resources, which are rare). */
async function allOpened(ctx: Ctx, access: RecordAccess, patients: string[]): Promise<boolean> {
  if (patients.length === 0) return false;
  const closed = patients.filter((id) => !access.emergency.has(id));
  if (closed.length === 0) return true;
  if (access.practitioner === undefined) return false;
  return (await caredFor(ctx, access.practitioner, closed)).size === new Set(closed).size;
}

/**
 * "`practitioner` cares for this Patient": they are its general practitioner, or a participant of
 * an active CareTeam whose subject it is.
 */
function careRelationship(practitioner: string): SearchCriterion {
  const ref = { kind: 'reference' as const, targetType: 'Practitioner', targetId: practitioner.slice('Practitioner/'.length) };
  const activeTeam: SearchCriterion = {
    param: '_care-team',
    type: 'reference',
    values: [],
    allOf: [
      { param: 'participant', type: 'reference', values: [ref] },
      { param: 'status', type: 'token', values: [{ kind: 'token', code: 'active' }] },
    ],
  };
  return {
    param: '_care-relationship',
    type: 'reference',
    values: [],
    anyOf: [
      { param: 'general-practitioner', type: 'reference', values: [ref] },
      { param: '_has', type: 'reference', values: [], has: { sourceType: 'CareTeam', referenceParam: 'subject', criterion: activeTeam } },
    ],
  };
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
