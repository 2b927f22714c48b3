/**
 * What a patient or proxy may write (roles.ts `PATIENT_AUTHORED`), decided on the resource:
 * - a **message** (Communication) is from them (`sender` is their own Patient or RelatedPerson),
 *   sent (`in-progress` or `completed`), about their record, to the care team only, answering
 *   (`inResponseTo`) only messages of that record, with files only of that record and within the
 *   practice's attachment limits;
 * - a **file** (Binary) they attach is of a type and size the practice accepts (its settings);
 * - **answers** (QuestionnaireResponse) are authored by them, `in-progress` or `completed`, and
 *   change only while in progress and theirs (a completed form is filed);
 * - a **correction request** (Task, code `change`) is `requested`, from them, and names the
 *   item of their record to correct (`focus`); the practice decides it (docs/portal.md);
 * - a **form** the practice sent (Task, code `complete-questionnaire`) is marked filled in
 *   (`form-tasks.ts`).
 * Staff writes are not touched by these rules.
 */
import type { Binary, Communication, QuestionnaireResponse, Reference, Resource, Task } from '@medplum/fhirtypes';
import { errors, FhirError, issue } from '../../fhir/outcome.ts';
import type { StoreReader } from '../../store/store.ts';
import { patientsOf } from '../audit/patients-of.ts';
import { mediaTypeOf } from '../documents/binary-content.ts';
import { findPracticeOrganization } from '../practice-settings/practice-organization.ts';
import { readSettings, type PracticeSettings } from '../practice-settings/practice-settings.ts';
import type { ProposedWrite, WriteRule } from '../write-rules/write-rules.ts';
import { isFormTask } from './form-tasks.ts';

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

/**
 * Whom a patient's message may go to: the care team. Never a Patient or RelatedPerson: a
 * Communication is in the Patient compartment of its recipients too, so a message "to" another
 * patient would land in that patient's record.
 */
export const CARE_TEAM_TYPES: readonly string[] = ['Practitioner', 'PractitionerRole', 'CareTeam', 'Organization'];

/** The practice's settings as this transaction sees them (a settings change and a message in one Bundle agree). */
async function settingsOf(reader: StoreReader): Promise<PracticeSettings> {
  return readSettings(await findPracticeOrganization(reader));
}

const MB = 1024 * 1024;

/** Why a file is outside the practice's attachment limits, or undefined when it is within them. */
export function attachmentProblem(contentType: string | undefined, bytes: number, limits: PracticeSettings['attachments']): { code: 'type' | 'size'; message: string } | undefined {
  const type = mediaTypeOf(contentType ?? '');
  if (!limits.types.includes(type)) return { code: 'type', message: `The practice accepts attachments of these types: ${limits.types.join(', ')} (not ${type || 'an unknown type'})` };
  if (bytes > limits.maxMegabytes * MB) return { code: 'size', message: `An attachment may be at most ${limits.maxMegabytes} MB (this one is ${(bytes / MB).toFixed(1)} MB)` };
  return undefined;
}

/** The decoded size of a Binary's base64 data, without decoding it. */
function dataBytes(data: string | undefined): number {
  const text = (data ?? '').replace(/\s/g, '');
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((text.length * 3) / 4) - padding);
}

export const patientMessageRule: WriteRule = async (proposed) => {
  const author = patientAuthor(proposed);
  if (author === undefined) return;
  if (proposed.write.method !== 'POST') throw errors.forbidden('A message, once sent, is not changed');
  const message = written<Communication>(proposed)!;
  if (!refersTo(message.sender, author.fhirUser)) throw errors.businessRule(`A message you send must have you as its sender (${author.fhirUser})`, 'Communication.sender');
  if (message.status !== 'in-progress' && message.status !== 'completed') throw errors.businessRule('A message you send has the status completed (or in-progress)', 'Communication.status');
  ownRecord(author, message.subject, 'Communication.subject');
  const subject = message.subject!.reference!;
  for (const recipient of message.recipient ?? []) {
    if (!CARE_TEAM_TYPES.includes(recipient.reference?.split('/')[0] ?? '')) throw errors.businessRule(`A message goes to the care team (${CARE_TEAM_TYPES.join(', ')}), not ${recipient.reference ?? 'an unnamed recipient'}`, 'Communication.recipient');
  }
  // A thread is the chain of inResponseTo: an answer to a message of another record (or to
  // something that is not a stored message) is refused as one that does not exist.
  for (const earlier of message.inResponseTo ?? []) {
    const [type, id, ...rest] = earlier.reference?.split('/') ?? [];
    const stored = type === 'Communication' && id !== undefined && rest.length === 0 ? await proposed.tx.readCurrent(type, id) : undefined;
    const answered = stored === undefined || stored.deleted ? undefined : (stored.resource as Communication | undefined);
    if (answered?.subject?.reference !== subject) throw errors.businessRule(`${earlier.reference ?? 'The message answered'} is not a message of this record`, 'Communication.inResponseTo');
  }
  const attachments = (message.payload ?? []).flatMap((p, i) => (p.contentAttachment ? [{ attachment: p.contentAttachment, i }] : []));
  if (attachments.length === 0) return;
  const limits = (await settingsOf(proposed.tx)).attachments;
  for (const { attachment, i } of attachments) {
    const at = `Communication.payload[${i}].contentAttachment`;
    // Files travel as their own Binary, checked as one when uploaded (type, size, bytes).
    if (attachment.data !== undefined) throw errors.businessRule('Upload the file as a Binary first and give its address (url Binary/…), not its data', `${at}.data`);
    const [type, id, ...rest] = attachment.url?.split('/') ?? [];
    const stored = type === 'Binary' && id !== undefined && rest.length === 0 ? await proposed.tx.readCurrent(type, id) : undefined;
    const file = stored === undefined || stored.deleted ? undefined : (stored.resource as Binary | undefined);
    if (file?.securityContext?.reference !== subject) throw errors.businessRule(`${attachment.url ?? 'The attachment'} is not a file of this record (upload it with X-Security-Context: ${subject})`, `${at}.url`);
    const problem = attachmentProblem(file.contentType, dataBytes(file.data), limits);
    if (problem) throw errors.businessRule(problem.message, at);
  }
};

/**
 * A file a patient or proxy uploads (to attach to a message) is within the practice's limits:
 * refused as the HTTP upload would be, 415 for a type and 413 for a size, naming the limit. Its
 * bytes are checked against its declared type for every Binary (documents/binary-content.ts).
 */
export const patientFileRule: WriteRule = async (proposed) => {
  const author = patientAuthor(proposed);
  if (author === undefined) return;
  const file = written<Binary>(proposed);
  if (proposed.write.method !== 'POST' || file === undefined) throw errors.forbidden('A file, once sent, is not changed');
  ownRecord(author, file.securityContext, 'Binary.securityContext');
  const problem = attachmentProblem(file.contentType, dataBytes(file.data), (await settingsOf(proposed.tx)).attachments);
  if (problem?.code === 'type') throw new FhirError('unsupported-media-type', [issue('not-supported', problem.message, 'Binary.contentType')]);
  if (problem?.code === 'size') throw new FhirError('too-large', [issue('too-long', problem.message, 'Binary.data')]);
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
  if (proposed.write.method !== 'POST') {
    // Marking a form the practice sent as filled in is form-tasks.ts's to decide.
    if (isFormTask((await proposed.current())?.resource as Task | undefined)) return;
    throw errors.forbidden('The practice answers a correction request; it is not changed by the patient');
  }
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
