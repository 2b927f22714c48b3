/**
 * Forms the practice sends a patient to fill in the portal (docs/questionnaires.md#forms-sent-to-the-patient):
 * the Task that asks (SDC's `complete-questionnaire`, `input` the Questionnaire's canonical,
 * `output` the answers), the questions a form shows (the screening questions plus free-text ones),
 * and the QuestionnaireResponse the answers make. The browser scores nothing: the server scores a
 * patient's completed PHQ-9 or GAD-7 when it is sent.
 */
import type { Patient, Questionnaire, QuestionnaireItem, QuestionnaireResponse, QuestionnaireResponseItem, Reference, Task, TaskOutput } from '@medplum/fhirtypes';
import type { Answers, ScreeningQuestion } from './screening.ts';

export const SDC_TEMP_SYSTEM = 'http://hl7.org/fhir/uv/sdc/CodeSystem/temp';
export const FORM_TASK_CODE = 'complete-questionnaire';
/** The search token of form Tasks. */
export const FORM_TASK_TOKEN = `${SDC_TEMP_SYSTEM}|${FORM_TASK_CODE}`;
const FORM_INPUT = 'questionnaire';
const FORM_OUTPUT = 'questionnaire-response';
/** A form still to fill (or being filled). */
export const OPEN_FORM_STATUSES = ['requested', 'received', 'accepted', 'ready', 'in-progress'] as const;

/** A question of a form: a choice (radio buttons) or free text (a line, or a box for `text`). */
export interface FormQuestion extends ScreeningQuestion {
  kind: 'choice' | 'string' | 'text';
  required: boolean;
}

function flatten(items: readonly QuestionnaireItem[] | undefined): QuestionnaireItem[] {
  return (items ?? []).flatMap((i) => [i, ...flatten(i.item)]);
}

/** The questions a person answers, in order: choices with options and free text; not a read-only total. */
export function formQuestionsOf(q: Questionnaire): FormQuestion[] {
  return flatten(q.item)
    .filter((i) => !i.readOnly && ((i.type === 'choice' && (i.answerOption?.length ?? 0) > 0) || i.type === 'string' || i.type === 'text'))
    .map((i, index) => ({
      linkId: i.linkId,
      number: index + 1,
      text: i.text ?? i.linkId,
      kind: i.type as FormQuestion['kind'],
      required: i.required === true,
      options: (i.answerOption ?? []).flatMap((o) => (o.valueCoding ? [o.valueCoding] : [])),
    }));
}

/** Required questions not answered yet (blank text counts as not answered). */
export function missingAnswers(questions: readonly FormQuestion[], answers: Answers): FormQuestion[] {
  return questions.filter((q) => q.required && !answers[q.linkId]?.trim());
}

/** The QuestionnaireResponse of `answers`: a choice's coding, a text's words; unanswered questions are left out. */
export function formResponse(
  q: Questionnaire,
  answers: Answers,
  o: { patientId: string; author: string; status: 'in-progress' | 'completed'; now: Date; id?: string },
): QuestionnaireResponse {
  const item: QuestionnaireResponseItem[] = formQuestionsOf(q).flatMap((question): QuestionnaireResponseItem[] => {
    const value = answers[question.linkId];
    if (!value?.trim()) return [];
    if (question.kind !== 'choice') return [{ linkId: question.linkId, text: question.text, answer: [{ valueString: value }] }];
    const coding = question.options.find((c) => c.code === value);
    return coding ? [{ linkId: question.linkId, text: question.text, answer: [{ valueCoding: coding }] }] : [];
  });
  return {
    resourceType: 'QuestionnaireResponse',
    ...(o.id ? { id: o.id } : {}),
    status: o.status,
    questionnaire: q.url!,
    subject: { reference: `Patient/${o.patientId}` },
    author: { reference: o.author },
    authored: o.now.toISOString(),
    item,
  };
}

/** The answers a stored response holds (to continue an in-progress form). */
export function answersOf(response: QuestionnaireResponse | undefined): Answers {
  const out: Answers = {};
  const walk = (items: readonly QuestionnaireResponseItem[] | undefined) => {
    for (const item of items ?? []) {
      const a = item.answer?.[0];
      const value = a?.valueCoding?.code ?? a?.valueString;
      if (value !== undefined) out[item.linkId] = value;
      walk(item.item);
    }
  };
  walk(response?.item);
  return out;
}

/** The canonical of the Questionnaire a form Task asks for. */
export function formCanonical(task: Task): string | undefined {
  return task.input?.find((i) => i.type?.coding?.some((c) => c.system === SDC_TEMP_SYSTEM && c.code === FORM_INPUT))?.valueCanonical;
}

/** The id of the answers a form Task points at (saved or sent). */
export function formResponseId(task: Task): string | undefined {
  const ref = task.output?.find((o) => o.type?.coding?.some((c) => c.code === FORM_OUTPUT))?.valueReference?.reference;
  return ref?.startsWith('QuestionnaireResponse/') ? ref.slice('QuestionnaireResponse/'.length) : undefined;
}

export function formOutput(responseRef: string): TaskOutput[] {
  return [{ type: { coding: [{ system: SDC_TEMP_SYSTEM, code: FORM_OUTPUT, display: 'Questionnaire response' }] }, valueReference: { reference: responseRef } }];
}

export function isOpenForm(task: Task): boolean {
  return (OPEN_FORM_STATUSES as readonly string[]).includes(task.status);
}

/** When the practice wants it by (a date), if it said. */
export function formDue(task: Task): string | undefined {
  return task.restriction?.period?.end;
}

/** The Task that sends `questionnaire` to a patient to fill, from `requester`. */
export function formTask(o: { questionnaire: Questionnaire; patientId: string; requester: string | undefined; due: string | undefined; now: Date }): Task {
  const title = o.questionnaire.title ?? o.questionnaire.name ?? 'a form';
  const patient: Reference<Patient> = { reference: `Patient/${o.patientId}` };
  return {
    resourceType: 'Task',
    status: 'requested',
    intent: 'order',
    code: { coding: [{ system: SDC_TEMP_SYSTEM, code: FORM_TASK_CODE, display: 'Complete Questionnaire' }], text: 'Fill in a form' },
    description: `Please fill in: ${title}`,
    for: patient,
    owner: patient,
    ...(o.requester ? { requester: { reference: o.requester } } : {}),
    authoredOn: o.now.toISOString(),
    ...(o.due ? { restriction: { period: { end: o.due } } } : {}),
    input: [{ type: { coding: [{ system: SDC_TEMP_SYSTEM, code: FORM_INPUT, display: 'Questionnaire' }] }, valueCanonical: o.questionnaire.version ? `${o.questionnaire.url}|${o.questionnaire.version}` : o.questionnaire.url! }],
  };
}

/** Whether answers or a score were entered by the patient or their proxy (not by staff). */
export function isPatientEntered(ref: Reference | undefined): boolean {
  const r = ref?.reference ?? '';
  return r.startsWith('Patient/') || r.startsWith('RelatedPerson/');
}
