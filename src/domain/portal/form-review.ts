/**
 * When a patient (or proxy) sends a form the practice asked for, whoever sent it is told: a
 * review Task in their inbox (code `review-form` in Heron's inbox code system, `focus` the
 * answers, `owner` the form's requester), urgent when the answers carry a flag (a PHQ-9's item 9
 * answered above "Not at all"), written in the same transaction as the form's completion — a
 * flagged answer must not wait until someone happens to open the chart. A form no Practitioner
 * sent gets no review Task.
 *
 * Runs after `patientFormTaskRule` (form-tasks.ts) has accepted the change.
 */
import type { QuestionnaireResponse, Task } from '@medplum/fhirtypes';
import { newResourceId } from '../../fhir/resource-id.ts';
import { nowOf } from '../context.ts';
import { INBOX_TASK_SYSTEM } from '../inbox/result-review.ts';
import { findQuestionnaire } from '../questionnaires/find-questionnaire.ts';
import { scoreDefinition } from '../questionnaires/score-definition.ts';
import { scoreResponse } from '../questionnaires/scoring.ts';
import type { ProposedWrite, WriteRule } from '../write-rules/write-rules.ts';
import { formQuestionnaireOf, isFormTask } from './form-tasks.ts';

export const REVIEW_FORM = 'review-form';

export const formSentReviewRule: WriteRule = async (proposed) => {
  const p = proposed.ctx.principal;
  if (p.kind !== 'user' || p.patients === undefined || proposed.write.method === 'POST') return;
  const task = proposed.write.resource as Task | undefined;
  const current = (await proposed.current())?.resource as Task | undefined;
  if (task?.status !== 'completed' || current === undefined || current.status === 'completed' || !isFormTask(current)) return;
  const answers = task.output?.[0]?.valueReference?.reference;
  if (answers !== undefined) await tellRequester(proposed, current, answers);
};

/** The review Task of a sent form, in the inbox of the staff member who sent it (none when no Practitioner sent it). */
async function tellRequester(proposed: ProposedWrite, form: Task, answersRef: string): Promise<void> {
  const requester = form.requester?.reference;
  if (!requester?.startsWith('Practitioner/')) return;
  const answers = (await proposed.tx.readCurrent('QuestionnaireResponse', answersRef.slice('QuestionnaireResponse/'.length)))?.resource as QuestionnaireResponse | undefined;
  const canonical = formQuestionnaireOf(form);
  const questionnaire = canonical === undefined ? undefined : await findQuestionnaire(proposed.tx, canonical);
  const definition = questionnaire && scoreDefinition(questionnaire);
  const result = definition && answers ? scoreResponse(definition, answers) : undefined;
  const flagged = result?.kind === 'scored' && result.flags.length > 0;
  const title = questionnaire?.title ?? questionnaire?.name ?? 'form';
  const ctx = proposed.ctx;
  const at = new Date(nowOf(ctx)).toISOString();
  const review: Task = {
    resourceType: 'Task',
    status: 'requested',
    intent: 'order',
    priority: flagged ? 'urgent' : 'routine',
    code: { coding: [{ system: INBOX_TASK_SYSTEM, code: REVIEW_FORM, display: 'Review form' }], text: 'Review form' },
    description: flagged ? `Review ${title} answers from the patient: ${result.flags.map((f) => f.text).join(' ')}` : `Review ${title} answers from the patient`,
    focus: { reference: answersRef },
    for: form.for!,
    owner: { reference: requester },
    authoredOn: at,
  };
  const id = newResourceId();
  await proposed.tx.writeVersion({ resourceType: 'Task', id, method: 'POST', resource: review, expectedVersion: 0 });
  await ctx.audit.record(
    { tenant: ctx.tenant, principal: ctx.principal, action: 'create', outcome: 'success', resourceType: 'Task', ids: [id], patients: [form.for!.reference!], origin: ctx.origin, at, detail: JSON.stringify({ rule: 'form-sent', form: `Task/${proposed.write.id}` }) },
    proposed.tx,
  );
}
