/**
 * How a lab result reaches a clinician's inbox: when a new laboratory result (an Observation with
 * category `laboratory`, or a DiagnosticReport with category `LAB`) is written for a patient, a
 * review Task is written with it, in the same transaction — so a result can never be stored
 * without its review, however it arrives (REST, Bundle, another server). Its owner is the
 * clinician responsible for the result: the requester of the order it answers (`basedOn`
 * ServiceRequest), else the practitioner named as performer or results interpreter, else the
 * patient's general practitioner; with none, the Task has no owner (docs/subscriptions.md says
 * where unowned reviews show). Acknowledging the result is completing the Task.
 *
 * Results loaded by the system itself (`heron import`, the demo loader) are history, not news:
 * they get no review Task.
 */
import type { DiagnosticReport, Observation, Patient, Reference, ServiceRequest, Task } from '@medplum/fhirtypes';
import { newResourceId } from '../../fhir/resource-id.ts';
import type { StoreReader } from '../../store/store.ts';
import { nowOf } from '../context.ts';
import type { WriteRule } from '../write-rules/write-rules.ts';

/** The code of review Tasks (and of the other kinds of inbox Task), in Heron's own code system. */
export const INBOX_TASK_SYSTEM = 'urn:heron:inbox-task';
export const REVIEW_RESULT = 'review-result';

const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const REPORT_SECTION = 'http://terminology.hl7.org/CodeSystem/v2-0074';
/** Statuses of a result a clinician should look at; registered, cancelled and entered-in-error are not. */
const REVIEWABLE = new Set(['preliminary', 'final', 'amended', 'corrected', 'appended', 'partial']);
const NORMAL_INTERPRETATIONS = new Set(['N']);

type Result = Observation | DiagnosticReport;

/** Whether this resource is a lab result that asks for review. */
export function isReviewableLabResult(resource: Result): boolean {
  if (!REVIEWABLE.has(resource.status ?? '')) return false;
  if (!resource.subject?.reference?.startsWith('Patient/')) return false;
  return (resource.category ?? []).some((c) =>
    (c.coding ?? []).some((coding) => (resource.resourceType === 'Observation' ? coding.system === OBSERVATION_CATEGORY && coding.code === 'laboratory' : coding.system === REPORT_SECTION && coding.code === 'LAB')),
  );
}

/**
 * Normal when every interpretation says so (`N`); a result without one is not called normal, so
 * it is never signed in bulk unseen. A report is normal when its conclusion codes are all normal.
 */
export function isNormalResult(resource: Result): boolean {
  const interpretations = resource.resourceType === 'Observation' ? (resource.interpretation ?? []) : (resource.conclusionCode ?? []);
  const codes = interpretations.flatMap((c) => (c.coding ?? []).map((coding) => coding.code ?? ''));
  return codes.length > 0 && codes.every((code) => NORMAL_INTERPRETATIONS.has(code));
}

/** The first `Practitioner/…` reference among `refs`. */
function practitionerOf(refs: readonly (Reference | undefined)[] | undefined): string | undefined {
  return refs?.map((r) => r?.reference).find((ref): ref is string => ref !== undefined && /^Practitioner\/[A-Za-z0-9\-.]{1,64}$/.test(ref));
}

/** Who reviews the result: the ordering clinician, the performer or interpreter, or the patient's general practitioner. */
export async function reviewerOf(store: StoreReader, result: Result): Promise<string | undefined> {
  for (const basedOn of result.basedOn ?? []) {
    const match = /^ServiceRequest\/([A-Za-z0-9\-.]{1,64})$/.exec(basedOn.reference ?? '');
    if (match === null) continue;
    const order = (await store.readCurrent('ServiceRequest', match[1]))?.resource as ServiceRequest | undefined;
    const requester = practitionerOf([order?.requester]);
    if (requester !== undefined) return requester;
  }
  const named = practitionerOf(result.performer) ?? (result.resourceType === 'DiagnosticReport' ? practitionerOf(result.resultsInterpreter) : undefined);
  if (named !== undefined) return named;
  const patientId = (result.subject?.reference ?? '').slice('Patient/'.length);
  const patient = (await store.readCurrent('Patient', patientId))?.resource as Patient | undefined;
  return practitionerOf(patient?.generalPractitioner);
}

/** The review Task of a result. */
export function reviewTaskFor(result: Result, resultRef: string, owner: string | undefined, authoredOn: string): Task {
  const name = result.code?.text ?? result.code?.coding?.find((c) => c.display)?.display ?? 'lab result';
  return {
    resourceType: 'Task',
    status: 'requested',
    intent: 'order',
    priority: isNormalResult(result) ? 'routine' : 'urgent',
    code: { coding: [{ system: INBOX_TASK_SYSTEM, code: REVIEW_RESULT, display: 'Review result' }], text: 'Review result' },
    description: `Review ${name}`,
    focus: { reference: resultRef },
    for: { reference: result.subject?.reference as string },
    authoredOn,
    ...(owner !== undefined ? { owner: { reference: owner } } : {}),
    // The Task names the result (its description says what it is): a restricted result's review is restricted too.
    ...(result.meta?.security !== undefined && result.meta.security.length > 0 ? { meta: { security: result.meta.security } } : {}),
  };
}

/** The write rule: a new reviewable lab result is written with its review Task (and that Task's audit entry). */
export const resultReviewRule: WriteRule = async ({ ctx, tx, write, current: read }) => {
  const result = write.resource as Result | undefined;
  if (result === undefined || ctx.principal.kind === 'system' || !isReviewableLabResult(result)) return;
  // Only a new result is reviewed (or one written again after a delete), not each update of it.
  const current = await read();
  if (current !== undefined && !current.deleted) return;
  const owner = await reviewerOf(tx, result);
  const task = reviewTaskFor(result, `${write.resourceType}/${write.id}`, owner, new Date(nowOf(ctx)).toISOString());
  const id = newResourceId();
  await tx.writeVersion({ resourceType: 'Task', id, method: 'POST', resource: task, expectedVersion: 0 });
  await ctx.audit.record(
    {
      tenant: ctx.tenant,
      principal: ctx.principal,
      action: 'create',
      outcome: 'success',
      resourceType: 'Task',
      ids: [id],
      patients: [result.subject?.reference as string],
      origin: ctx.origin,
      at: new Date(nowOf(ctx)).toISOString(),
      detail: JSON.stringify({ rule: 'result-review', result: `${write.resourceType}/${write.id}` }),
    },
    tx,
  );
};
