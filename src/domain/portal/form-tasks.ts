/**
 * A form the practice sends a patient to fill before a visit, the FHIR way (SDC's Task for
 * questionnaire completion): a `Task` with code `complete-questionnaire` (SDC's temporary code
 * system), `for` and `owner` the patient, `requester` who sent it, `input` of type
 * `questionnaire` holding the Questionnaire's canonical, `restriction.period.end` the date it is
 * wanted by, status `requested`. The patient (or their proxy) fills it in the portal; their
 * answers are a QuestionnaireResponse, and the Task then points at them (`output` of type
 * `questionnaire-response`) and moves to `in-progress` (saved, not sent) or `completed` (sent).
 *
 * That last move is the only Task change a patient may make, so the rule here is narrow: a
 * patient-bound user may update a form Task for a record they hold, changing nothing but its
 * status (to in-progress or completed) and its output, which must be answers of that record to
 * that questionnaire. Staff writes are not touched.
 *
 * When the patient sends a form, whoever sent it is told (`form-review.ts`).
 */
import type { QuestionnaireResponse, Task, TaskOutput } from '@medplum/fhirtypes';
import { errors } from '../../fhir/outcome.ts';
import type { ProposedWrite, WriteRule } from '../write-rules/write-rules.ts';

/** SDC's code for "complete a questionnaire" (the SDC IG's temporary code system until THO has one). */
export const SDC_TEMP_SYSTEM = 'http://hl7.org/fhir/uv/sdc/CodeSystem/temp';
export const FORM_TASK_CODE = 'complete-questionnaire';
/** `input.type` carrying the Questionnaire canonical, and `output.type` carrying the answers. */
export const FORM_INPUT = 'questionnaire';
export const FORM_OUTPUT = 'questionnaire-response';

export function isFormTask(task: Task | undefined): boolean {
  return task?.code?.coding?.some((c) => c.system === SDC_TEMP_SYSTEM && c.code === FORM_TASK_CODE) === true;
}

/** The canonical of the Questionnaire a form Task asks for. */
export function formQuestionnaireOf(task: Task): string | undefined {
  return task.input?.find((i) => i.type?.coding?.some((c) => c.system === SDC_TEMP_SYSTEM && c.code === FORM_INPUT))?.valueCanonical;
}

/** Statuses a patient may move their form to, and from which. */
const PATIENT_TARGET = new Set(['in-progress', 'completed']);
const OPEN = new Set(['requested', 'received', 'accepted', 'ready', 'in-progress']);

/** Whether two versions differ only in what a patient may change: status, output and bookkeeping (meta, text, lastModified). */
function sameFixedPart(a: Task, b: Task): boolean {
  // Key order does not matter: the client sends back what it read, reshaped.
  const norm = (t: Task) => JSON.parse(JSON.stringify({ ...t, status: undefined, output: undefined, meta: undefined, text: undefined, lastModified: undefined })) as object;
  return JSON.stringify(sortKeys(norm(a))) === JSON.stringify(sortKeys(norm(b)));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).sort(([x], [y]) => x.localeCompare(y)).map(([k, v]) => [k, sortKeys(v)]));
}

async function checkOutput(proposed: ProposedWrite, task: Task, output: TaskOutput, index: number, patients: readonly string[]): Promise<void> {
  const expression = `Task.output[${index}]`;
  if (!output.type?.coding?.some((c) => c.system === SDC_TEMP_SYSTEM && c.code === FORM_OUTPUT)) throw errors.businessRule(`A form's output is its answers (type ${SDC_TEMP_SYSTEM}|${FORM_OUTPUT})`, expression);
  const match = /^QuestionnaireResponse\/([A-Za-z0-9\-.]{1,64})$/.exec(output.valueReference?.reference ?? '');
  if (match === null) throw errors.businessRule('A form’s output refers to its answers (QuestionnaireResponse/…)', expression);
  const stored = await proposed.tx.readCurrent('QuestionnaireResponse', match[1]!);
  const answers = stored === undefined || stored.deleted ? undefined : (stored.resource as QuestionnaireResponse);
  const subject = answers?.subject?.reference ?? '';
  // Answers that are not of this record read as answers that do not exist.
  if (answers === undefined || subject !== task.for?.reference || !patients.includes(subject.slice('Patient/'.length))) throw errors.businessRule(`${output.valueReference!.reference} is not answers in this record`, expression);
  if (answers.questionnaire?.split('|')[0] !== formQuestionnaireOf(task)?.split('|')[0]) throw errors.businessRule('These answers are to another questionnaire than the form asks for', expression);
}

export const patientFormTaskRule: WriteRule = async (proposed) => {
  const p = proposed.ctx.principal;
  if (p.kind !== 'user' || p.patients === undefined) return;
  const task = proposed.write.resource as Task | undefined;
  // A patient's new Task is a correction request (patient-writes.ts): its rule decides it.
  if (proposed.write.method === 'POST') return;
  if (task === undefined) throw errors.forbidden('A form the practice sent is not deleted');
  const current = (await proposed.current())?.resource as Task | undefined;
  if (current === undefined || !isFormTask(current)) throw errors.forbidden('Only a form the practice sent you can be updated, to say it is filled in');
  const forId = current.for?.reference?.startsWith('Patient/') ? current.for.reference.slice('Patient/'.length) : undefined;
  if (forId === undefined || !p.patients.includes(forId)) throw errors.forbidden('This form is not for the patient this access is for');
  if (!OPEN.has(current.status)) throw errors.businessRule(`This form is ${current.status}; it can no longer be filled in`, 'Task.status');
  if (!PATIENT_TARGET.has(task.status)) throw errors.businessRule('A form you fill in is in-progress (saved) or completed (sent)', 'Task.status');
  if (!sameFixedPart(current, task)) throw errors.businessRule('Only the status of a form and its answers (output) can change', 'Task');
  const outputs = task.output ?? [];
  for (const [index, output] of outputs.entries()) await checkOutput(proposed, current, output, index, p.patients);
  if (task.status === 'completed' && outputs.length === 0) throw errors.businessRule('A completed form refers to its answers (output)', 'Task.output');
};

