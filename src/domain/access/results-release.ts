/**
 * Results release (decision 0004): a patient, a proxy and any app acting for them see a lab
 * result only once the practice's rule releases it — immediately, after N days or sooner once a
 * clinician reviewed it, or only after review. Until then the result is absent to them exactly
 * like another patient's record (`absent-resources.ts`): reads, vreads and history answer as for an
 * id never used, and searches ($everything, $summary, compartment searches, Bundle entries, chains,
 * `_has`) carry a criterion that leaves it out in SQL, so counts and pages do not reveal it.
 * Staff, backend services and the system are not affected.
 *
 * - A lab result is an Observation with category `laboratory` or a DiagnosticReport with category
 *   `LAB` — the results that get a review Task (`inbox/result-review.ts`).
 * - It is never released while registered, preliminary, cancelled or entered in error: patients
 *   see final results (and their amendments).
 * - Reviewed means no review Task for it is still open. Results that never had one (history
 *   loaded by the system, results from before the inbox) are not waiting on anyone.
 * - The delay counts from when the result was issued (a report's `issued`, else when it was taken;
 *   an Observation's effective time, since R4 has no search parameter on `Observation.issued`).
 * - The review Tasks themselves are the practice's work items and name the result they are about;
 *   they are absent to patient-bound access too. So are the review Tasks of a form the patient
 *   sent (`portal/form-review.ts`): a clinician's inbox item, whose priority and wording ("urgent:
 *   positive answer to item 9") are triage for the practice, not a message to the patient (who
 *   has their own answers, and hears from the practice in their own words); docs/access.md.
 *
 * The rule is read from the practice's Organization once per request (never cached across
 * requests), so a changed setting applies to the next request.
 */
import type { DiagnosticReport, Observation, Resource, Task } from '@medplum/fhirtypes';
import type { SearchCriterion } from '../../fhir/search/types.ts';
import { nowOf, reader, type Ctx } from '../context.ts';
import { INBOX_TASK_SYSTEM, REVIEW_RESULT } from '../inbox/result-review.ts';
import { REVIEW_FORM } from '../portal/form-review.ts';
import { findPracticeOrganization } from '../practice-settings/practice-organization.ts';
import { readSettings, type PracticeSettings } from '../practice-settings/practice-settings.ts';

type ReleaseRule = PracticeSettings['resultsRelease'];

const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const REPORT_SECTION = 'http://terminology.hl7.org/CodeSystem/v2-0074';
/** Statuses a patient never sees a result in. */
const UNRELEASED_STATUSES = ['registered', 'preliminary', 'cancelled', 'entered-in-error'];
/** A review Task in one of these states is no longer open. */
const CLOSED_TASK_STATUSES = ['completed', 'cancelled', 'rejected', 'failed', 'entered-in-error'];
const DAY_MS = 86_400_000;
/** The types whose resources the rule can hide. */
const GOVERNED = ['Observation', 'DiagnosticReport', 'Task'];
export const RELEASE_GOVERNED: ReadonlySet<string> = new Set(GOVERNED);

/** Whether the rule applies to this caller: patients and proxies, directly or through an app. */
export function releaseApplies(ctx: Ctx): boolean {
  return ctx.principal.kind === 'user' && ctx.principal.patients !== undefined && (ctx.principal.role === 'patient' || ctx.principal.role === 'proxy');
}

const perRequest = new WeakMap<Ctx, Promise<ReleaseRule>>();

/** The practice's rule, read once per request. */
function ruleOf(ctx: Ctx): Promise<ReleaseRule> {
  let rule = perRequest.get(ctx);
  if (rule === undefined) {
    rule = findPracticeOrganization(reader(ctx)).then((org) => readSettings(org).resultsRelease);
    perRequest.set(ctx, rule);
  }
  return rule;
}

const token = (param: string, system: string | undefined, codes: readonly string[]): SearchCriterion => ({
  param,
  type: 'token',
  values: codes.map((code) => ({ kind: 'token' as const, ...(system === undefined ? {} : { system }), code })),
});
const all = (param: string, criteria: SearchCriterion[]): SearchCriterion => ({ param, type: 'token', values: [], allOf: criteria });
const any = (param: string, criteria: SearchCriterion[]): SearchCriterion => ({ param, type: 'token', values: [], anyOf: criteria });
const not = (criterion: SearchCriterion): SearchCriterion => ({ ...criterion, not: true });
const reviewTaskCode = () => token('code', INBOX_TASK_SYSTEM, [REVIEW_RESULT]);
/** The practice's review Tasks that patient-bound access never sees: of results, and of forms the patient sent. */
// A function, not a constant, so that an import cycle through form-review.ts can never leave it undefined.
const hiddenTaskCodes = (): string[] => [REVIEW_RESULT, REVIEW_FORM];
const hiddenTaskCode = () => token('code', INBOX_TASK_SYSTEM, hiddenTaskCodes());

/** "No review Task of this result is open". */
function reviewed(): SearchCriterion {
  const openReview = all('_open-review', [reviewTaskCode(), not(token('status', undefined, CLOSED_TASK_STATUSES))]);
  return not({ param: '_has', type: 'reference', values: [], has: { sourceType: 'Task', referenceParam: 'focus', criterion: openReview } });
}

/** "Issued on or before `cutoff`" for results of `type`. */
function issuedBy(type: 'Observation' | 'DiagnosticReport', cutoff: number): SearchCriterion {
  const le = (param: string): SearchCriterion => ({ param, type: 'date', values: [{ kind: 'date', prefix: 'le', start: cutoff, end: cutoff }] });
  if (type === 'Observation') return le('date');
  return any('_issued', [le('issued'), all('_taken', [{ param: 'issued', type: 'date', values: [{ kind: 'missing', missing: true }], modifier: 'missing' }, le('date')])]);
}

/** "Released" for lab results of `type` under `rule` at `now`. */
function released(type: 'Observation' | 'DiagnosticReport', rule: ReleaseRule, now: number): SearchCriterion {
  const final = not(token('status', undefined, UNRELEASED_STATUSES));
  if (rule.mode === 'immediate') return final;
  if (rule.mode === 'after-review') return all('_released', [final, reviewed()]);
  return all('_released', [final, any('_released', [reviewed(), issuedBy(type, now - (rule.delayDays ?? 0) * DAY_MS)])]);
}

function labCategory(type: 'Observation' | 'DiagnosticReport'): SearchCriterion {
  return type === 'Observation' ? token('category', OBSERVATION_CATEGORY, ['laboratory']) : token('category', REPORT_SECTION, ['LAB']);
}

/**
 * The criterion that leaves unreleased results (and review Tasks) out of a search of `types`, or
 * undefined when the rule does not apply to the caller or to these types.
 */
export async function releaseRestriction(ctx: Ctx, types: readonly string[]): Promise<SearchCriterion | undefined> {
  if (!releaseApplies(ctx)) return undefined;
  const governed = types.filter((t) => GOVERNED.includes(t));
  if (governed.length === 0) return undefined;
  const rule = await ruleOf(ctx);
  const now = nowOf(ctx);
  const branches: SearchCriterion[] = [];
  for (const type of governed) {
    const shown = type === 'Task' ? not(hiddenTaskCode()) : any('_released', [not(labCategory(type as 'Observation')), released(type as 'Observation', rule, now)]);
    // The type test wraps the negations, which would otherwise match every row of the other types.
    branches.push({ ...all('_released', [shown]), types: [type] });
  }
  const others = types.filter((t) => !GOVERNED.includes(t));
  if (others.length > 0) branches.push({ ...all('_released', []), types: others });
  return any('_released', branches);
}

/** Whether a resource is one the rule governs; others need no check. */
function governed(resource: Resource): boolean {
  if (resource.resourceType === 'Task') return (resource as Task).code?.coding?.some((c) => c.system === INBOX_TASK_SYSTEM && hiddenTaskCodes().includes(c.code ?? '')) === true;
  if (resource.resourceType !== 'Observation' && resource.resourceType !== 'DiagnosticReport') return false;
  const type = resource.resourceType;
  const [system, code] = type === 'Observation' ? [OBSERVATION_CATEGORY, 'laboratory'] : [REPORT_SECTION, 'LAB'];
  return ((resource as Observation | DiagnosticReport).category ?? []).some((c) => (c.coding ?? []).some((coding) => coding.system === system && coding.code === code));
}

/**
 * Of `resources` (current versions), the `Type/id`s the rule hides from the caller: each decided by
 * the store with the same criterion a search uses, so a read and a search never disagree.
 */
async function unreleased(ctx: Ctx, resources: readonly Resource[]): Promise<Set<string>> {
  const hidden = new Set<string>();
  if (!releaseApplies(ctx)) return hidden;
  const byType = new Map<string, string[]>();
  for (const r of resources) if (governed(r)) byType.set(r.resourceType, [...(byType.get(r.resourceType) ?? []), r.id as string]);
  for (const [type, ids] of byType) {
    const restriction = (await releaseRestriction(ctx, [type]))!;
    const page = await reader(ctx).search({
      resourceTypes: [type],
      criteria: [{ param: '_id', type: 'token', values: ids.map((code) => ({ kind: 'token', code })) }, restriction],
      sort: [],
      count: ids.length,
      total: 'none',
      include: [],
      revinclude: [],
    });
    const shown = new Set(page.resources.map((r) => r.id as string));
    for (const id of ids) if (!shown.has(id)) hidden.add(`${type}/${id}`);
  }
  return hidden;
}

/** Whether the stored, live `resource` is absent to the caller because the rule has not released it. */
export async function isUnreleased(ctx: Ctx, resource: Resource | undefined): Promise<boolean> {
  if (resource === undefined || !releaseApplies(ctx) || !governed(resource)) return false;
  return (await unreleased(ctx, [resource])).size > 0;
}

/** Drops unreleased results (and review Tasks) from included resources. */
export async function withoutUnreleased(ctx: Ctx, resources: Resource[]): Promise<Resource[]> {
  if (!releaseApplies(ctx) || !resources.some(governed)) return resources;
  const hidden = await unreleased(ctx, resources);
  return hidden.size === 0 ? resources : resources.filter((r) => !hidden.has(`${r.resourceType}/${r.id}`));
}
