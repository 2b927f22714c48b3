/**
 * The practice's answer to a patient's correction request (HIPAA right to amend, 45 CFR 164.526;
 * the request itself is `patientCorrectionRule` in patient-writes.ts). The answer is the request
 * Task moved to its end:
 * - **accepted**: `completed`, `statusReason` saying what was changed, and `output` naming the
 *   amended version of the item (`Condition/1/_history/3`) when the item was edited;
 * - **denied**: `rejected`, with the reason in `statusReason` — the patient must be told why
 *   (164.526(d)), so a denial without one is refused.
 * The request's own words (what, for whom, by whom, about which item) never change, an answer is
 * final (a new request starts over), and only someone who may change the item itself answers:
 * deciding that a problem list is wrong is a clinical act, not a clerical one. The outcome stays
 * with the record through the Task's `focus` (docs/portal.md, "Corrections").
 */
import type { Task } from '@medplum/fhirtypes';
import { errors } from '../../fhir/outcome.ts';
import { roleAllows } from '../access/roles.ts';
import type { ProposedWrite, WriteRule } from '../write-rules/write-rules.ts';
import { AMENDMENT_CODE, TASK_CODE_SYSTEM } from './patient-writes.ts';

/** Whether a Task is a correction request (task-code `change`). */
export function isCorrectionRequest(task: Task | undefined): boolean {
  return task?.code?.coding?.some((c) => c.system === TASK_CODE_SYSTEM && c.code === AMENDMENT_CODE) ?? false;
}

/** A request waits for the practice while requested, received, accepted or in progress. */
const DECIDED = new Set(['completed', 'rejected', 'cancelled', 'failed', 'entered-in-error']);

function reasonOf(task: Task): string {
  return (task.statusReason?.text ?? task.statusReason?.coding?.find((c) => c.display)?.display ?? '').trim();
}

/** The parts of the request the patient wrote, which the practice's answer keeps as they were. */
function requestOf(task: Task): string {
  return JSON.stringify([task.code, task.for, task.focus?.reference, task.requester, task.description, task.authoredOn, task.input]);
}

function unversioned(reference: string | undefined): string | undefined {
  return reference?.replace(/\/_history\/[^/]+$/, '');
}

export const correctionDecisionRule: WriteRule = async (proposed) => {
  const p = proposed.ctx.principal;
  // Patients and proxies only ever create requests (patientCorrectionRule); the system (import) is trusted.
  if (p.kind === 'user' && p.patients !== undefined) return;
  if (proposed.write.method === 'POST') return;
  const current = (await proposed.current())?.resource as Task | undefined;
  const task = proposed.write.resource as Task | undefined;
  if (!isCorrectionRequest(current) && !isCorrectionRequest(task)) return;
  if (current === undefined || task === undefined) return;
  if (!isCorrectionRequest(task) || requestOf(task) !== requestOf(current)) {
    throw errors.businessRule('A correction request keeps what the patient asked (code, for, focus, requester, description, input); answer it in status, statusReason, note and output', 'Task');
  }
  if (DECIDED.has(current.status ?? '')) {
    if (task.status !== current.status || reasonOf(task) !== reasonOf(current)) throw errors.businessRule(`This correction request was already answered (${current.status}); a new request starts over`, 'Task.status');
    return;
  }
  if (!DECIDED.has(task.status ?? '')) return;
  const focusType = task.focus?.reference?.split('/')[0] ?? '';
  if (p.kind === 'user' && !roleAllows(p.role, focusType, 'u')) throw errors.forbidden(`Only staff who may change the ${focusType} itself answer a request to correct it`);
  if (task.status === 'rejected' && reasonOf(task) === '') {
    throw errors.businessRule('A denied correction request needs the reason, which the patient is told (statusReason)', 'Task.statusReason');
  }
  if (task.status === 'completed') {
    if (reasonOf(task) === '') throw errors.businessRule('An accepted correction request says what was changed, which the patient is told (statusReason)', 'Task.statusReason');
    const focus = unversioned(task.focus?.reference);
    for (const output of task.output ?? []) {
      if (output.valueReference !== undefined && unversioned(output.valueReference.reference) !== focus) {
        throw errors.businessRule(`The amended item (output) is the item the patient asked to correct (${focus})`, 'Task.output');
      }
    }
  }
};
