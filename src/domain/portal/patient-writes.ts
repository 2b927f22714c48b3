/**
 * What a patient or proxy may write (roles.ts `PATIENT_AUTHORED`), decided on the resource:
 * - a **message** (Communication) is from them (`sender` is their own Patient or RelatedPerson),
 *   sent (`in-progress` or `completed`), about their record;
 * - **answers** (QuestionnaireResponse) are authored by them, `in-progress` or `completed`, and
 *   change only while in progress and theirs (a completed form is filed);
 * - a **correction request** (Task, code `change`) is `requested`, from them, and names the
 *   item of their record to correct (`focus`); the practice decides it (docs/portal.md).
 * Staff writes are not touched by these rules.
 */
import type { Communication, QuestionnaireResponse, Reference, Resource, Task } from '@medplum/fhirtypes';
import { errors } from '../../fhir/outcome.ts';
import { patientsOf } from '../audit/patients-of.ts';
import type { ProposedWrite, WriteRule } from '../write-rules/write-rules.ts';

export const TASK_CODE_SYSTEM = 'http://hl7.org/fhir/CodeSystem/task-code';
/** A patient's request to correct their record (HIPAA right to amend): task-code `change`. */
export const AMENDMENT_CODE = 'change';

/** The patient-bound user making the write, or undefined for anyone else. */
function patientAuthor(proposed: ProposedWrite): { fhirUser: string; patients: readonly string[] } | undefined {
  const p = proposed.ctx.principal;
  if (p.kind !== 'user' || p.patients === undefined) return undefined;
  if (p.fhirUser === undefined) throw errors.forbidden('This account is not linked to a Patient or RelatedPerson, so it cannot write');
  return { fhirUser: p.fhirUser, patients: p.patients };
}

function refersTo(ref: Reference | undefined, target: string): boolean {
  return ref?.reference === target;
}

/**
 * The record written to is one this access is for. (The compartment check passes a resource any
 * of whose patients is theirs, and a message names its sender too: this one names the record.)
 */
function ownRecord(author: { patients: readonly string[] }, ref: Reference | undefined, expression: string): void {
  const id = ref?.reference?.startsWith('Patient/') ? ref.reference.slice('Patient/'.length) : undefined;
  if (id === undefined || !author.patients.includes(id)) throw errors.forbidden(`${expression} must be the patient this access is for`);
}

function written<T extends Resource>(proposed: ProposedWrite): T | undefined {
  return proposed.write.resource as T | undefined;
}

export const patientMessageRule: WriteRule = async (proposed) => {
  const author = patientAuthor(proposed);
  if (author === undefined) return;
  if (proposed.write.method !== 'POST') throw errors.forbidden('A message, once sent, is not changed');
  const message = written<Communication>(proposed)!;
  if (!refersTo(message.sender, author.fhirUser)) throw errors.businessRule(`A message you send must have you as its sender (${author.fhirUser})`, 'Communication.sender');
  if (message.status !== 'in-progress' && message.status !== 'completed') throw errors.businessRule('A message you send has the status completed (or in-progress)', 'Communication.status');
  ownRecord(author, message.subject, 'Communication.subject');
};

export const patientAnswersRule: WriteRule = async (proposed) => {
  const author = patientAuthor(proposed);
  if (author === undefined) return;
  const answers = written<QuestionnaireResponse>(proposed);
  if (answers === undefined) throw errors.forbidden('Answers are not deleted');
  if (!refersTo(answers.author, author.fhirUser)) throw errors.businessRule(`Answers you give have you as their author (${author.fhirUser})`, 'QuestionnaireResponse.author');
  ownRecord(author, answers.subject, 'QuestionnaireResponse.subject');
  if (answers.status !== 'in-progress' && answers.status !== 'completed') throw errors.businessRule('Answers are in-progress or completed', 'QuestionnaireResponse.status');
  const current = (await proposed.current())?.resource as QuestionnaireResponse | undefined;
  if (current !== undefined && (current.status !== 'in-progress' || !refersTo(current.author, author.fhirUser))) {
    throw errors.businessRule('Only your own answers still in progress can change; completed answers are filed in your record', 'QuestionnaireResponse.status');
  }
};

export const patientCorrectionRule: WriteRule = async (proposed) => {
  const author = patientAuthor(proposed);
  if (author === undefined) return;
  if (proposed.write.method !== 'POST') throw errors.forbidden('The practice answers a correction request; it is not changed by the patient');
  const task = written<Task>(proposed)!;
  if (!task.code?.coding?.some((c) => c.system === TASK_CODE_SYSTEM && c.code === AMENDMENT_CODE)) throw errors.businessRule(`A request to the practice is a correction request (code ${TASK_CODE_SYSTEM}|${AMENDMENT_CODE})`, 'Task.code');
  ownRecord(author, task.for, 'Task.for');
  if (task.status !== 'requested') throw errors.businessRule('A correction request starts as requested', 'Task.status');
  if (!refersTo(task.requester, author.fhirUser)) throw errors.businessRule(`A correction request has you as its requester (${author.fhirUser})`, 'Task.requester');
  if (!task.description?.trim()) throw errors.businessRule('Say what should be corrected and why (description)', 'Task.description');
  const focus = task.focus?.reference?.split('/');
  if (focus === undefined || focus.length !== 2) throw errors.businessRule('Name the item of your record to correct (focus)', 'Task.focus');
  const item = await proposed.tx.readCurrent(focus[0]!, focus[1]!);
  const owners = item?.resource === undefined || item.deleted ? [] : patientsOf([item.resource]);
  // An item not in the record of a patient this access is for is answered as one that does not exist.
  if (!owners.some((o) => author.patients.includes(o.slice('Patient/'.length)))) throw errors.businessRule(`${task.focus!.reference} is not an item of your record`, 'Task.focus');
};
