/**
 * A patient's request to correct their record (HIPAA right to amend) and the practice's answer, as
 * FHIR (docs/portal.md, "Corrections"):
 * - the **request** is a Task, code task-code `change`, `requested`, `for` the patient, `focus`
 *   the item (with its words as `display`, so a list names it without reading it), `requester`
 *   the patient or proxy; `description` is what is wrong, `input` what it should say;
 * - the **answer** is the same Task: accepted → `completed`, `statusReason` what was changed,
 *   `output` the amended version of the item; denied → `rejected`, `statusReason` the reason;
 * - a **statement of disagreement** with a denial is a message from the patient (Communication,
 *   category `statement-of-disagreement`) `about` the Task.
 * The record keeps the outcome through the Task's `focus`: a chart finds an item's requests by
 * searching the patient's correction Tasks (`correctionsByItem`).
 */
import type { Communication, Resource, Task } from '@medplum/fhirtypes';
import { conceptText, quantityText } from '../fhir-format/values.ts';

export const TASK_CODE_SYSTEM = 'http://hl7.org/fhir/CodeSystem/task-code';
export const CORRECTION_CODE = 'change';
/** The search token of correction requests. */
export const CORRECTION_TOKEN = `${TASK_CODE_SYSTEM}|${CORRECTION_CODE}`;
/** Heron's codes for the parts of a correction that FHIR leaves to the implementer. */
export const CORRECTION_SYSTEM = 'urn:heron:correction';
export const PROPOSED_WORDING = 'proposed-wording';
export const AMENDED_ITEM = 'amended-item';
export const DISAGREEMENT = 'statement-of-disagreement';
export const DISAGREEMENT_TOKEN = `${CORRECTION_SYSTEM}|${DISAGREEMENT}`;
export const OPEN_CORRECTION_STATUSES = ['requested', 'received', 'accepted', 'in-progress'] as const;

export type CorrectionState = 'waiting' | 'accepted' | 'denied' | 'withdrawn';

/** The item a request may be about: its reference and the words the patient saw. */
export interface CorrectableItem {
  reference: string;
  display: string;
}

export function isCorrectionRequest(task: Task): boolean {
  return task.code?.coding?.some((c) => c.system === TASK_CODE_SYSTEM && c.code === CORRECTION_CODE) ?? false;
}

/** The new request, from `requester` (`Patient/…` or `RelatedPerson/…`) about `patientId`'s `item`. */
export function correctionRequest(item: CorrectableItem, patientId: string, requester: string, wrong: string, shouldSay: string, at: string): Task {
  const proposed = shouldSay.trim();
  return {
    resourceType: 'Task',
    status: 'requested',
    intent: 'proposal',
    code: { coding: [{ system: TASK_CODE_SYSTEM, code: CORRECTION_CODE, display: 'Change the focal resource' }], text: 'Correction request' },
    for: { reference: `Patient/${patientId}` },
    focus: { reference: item.reference, display: item.display },
    requester: { reference: requester },
    authoredOn: at,
    description: wrong.trim(),
    ...(proposed ? { input: [{ type: { coding: [{ system: CORRECTION_SYSTEM, code: PROPOSED_WORDING }], text: 'What it should say' }, valueString: proposed }] } : {}),
  };
}

export function stateOf(task: Task): CorrectionState {
  if (task.status === 'completed') return 'accepted';
  if (task.status === 'rejected') return 'denied';
  if (task.status === 'cancelled' || task.status === 'entered-in-error' || task.status === 'failed') return 'withdrawn';
  return 'waiting';
}

/** What the patient proposed it should say, if they said. */
export function proposedWording(task: Task): string {
  return task.input?.find((i) => i.type.coding?.some((c) => c.system === CORRECTION_SYSTEM && c.code === PROPOSED_WORDING))?.valueString ?? '';
}

/** The practice's answer in words: what changed, or why not. */
export function answerOf(task: Task): string {
  return task.statusReason?.text ?? '';
}

/** The amended version of the item (`Condition/1/_history/3`), when the practice named it. */
export function amendedVersion(task: Task): string | undefined {
  return task.output?.find((o) => o.valueReference?.reference)?.valueReference?.reference;
}

function unversioned(reference: string | undefined): string | undefined {
  return reference?.replace(/\/_history\/[^/]+$/, '');
}

/** The answer "accepted": the item was changed as `whatChanged` says; `amended` its new version, if edited. */
export function acceptedAnswer(task: Task, whatChanged: string, amended: string | undefined, me: string, at: string): Task {
  return {
    ...task,
    status: 'completed',
    statusReason: { text: whatChanged.trim() },
    owner: { reference: me },
    lastModified: at,
    executionPeriod: { ...task.executionPeriod, end: at },
    ...(amended ? { output: [{ type: { coding: [{ system: CORRECTION_SYSTEM, code: AMENDED_ITEM }], text: 'Amended item' }, valueReference: { reference: amended } }] } : {}),
  };
}

/** The answer "denied", with the reason the patient is told. */
export function deniedAnswer(task: Task, reason: string, me: string, at: string): Task {
  return { ...task, status: 'rejected', statusReason: { text: reason.trim() }, owner: { reference: me }, lastModified: at, executionPeriod: { ...task.executionPeriod, end: at } };
}

/**
 * The patient's statement of disagreement with a denied request: to whoever denied it (the Task's
 * owner), in progress, so it waits in their inbox like any patient message until they have read it.
 */
export function statementOfDisagreement(task: Task, sender: string, text: string, at: string): Communication {
  return {
    resourceType: 'Communication',
    status: 'in-progress',
    category: [{ coding: [{ system: CORRECTION_SYSTEM, code: DISAGREEMENT, display: 'Statement of disagreement' }], text: 'Statement of disagreement' }],
    ...(task.for?.reference ? { subject: { reference: task.for.reference } } : {}),
    sender: { reference: sender },
    ...(task.owner?.reference ? { recipient: [{ reference: task.owner.reference }] } : {}),
    about: [{ reference: `Task/${task.id}` }],
    topic: { text: `Statement of disagreement: ${task.focus?.display ?? 'correction request'}` },
    sent: at,
    payload: [{ contentString: text.trim() }],
  };
}

/** The statements filed about each request, by `Task/…`. */
export function statementsByRequest(statements: readonly Communication[]): Map<string, Communication[]> {
  const map = new Map<string, Communication[]>();
  for (const s of statements) {
    for (const about of s.about ?? []) {
      if (!about.reference?.startsWith('Task/')) continue;
      map.set(about.reference, [...(map.get(about.reference) ?? []), s]);
    }
  }
  return map;
}

/** A patient's correction requests by the item each is about (`Condition/1`, any version), newest first. */
export function correctionsByItem(tasks: readonly Task[]): Map<string, Task[]> {
  const map = new Map<string, Task[]>();
  const newestFirst = [...tasks].filter(isCorrectionRequest).sort((a, b) => (b.authoredOn ?? '').localeCompare(a.authoredOn ?? ''));
  for (const task of newestFirst) {
    const item = unversioned(task.focus?.reference);
    if (item === undefined) continue;
    map.set(item, [...(map.get(item) ?? []), task]);
  }
  return map;
}

/** The words of a marker on a chart item: "Patient requested a correction — accepted". */
export function markerText(task: Task): string {
  const state = stateOf(task);
  return `Patient requested a correction — ${state === 'waiting' ? 'waiting for an answer' : state}`;
}

/** Where in the chart the item lives, for `/patients/:id/<section>`. */
export function chartSectionOf(reference: string | undefined): string {
  const type = reference?.split('/')[0];
  switch (type) {
    case 'Condition':
      return 'problems';
    case 'AllergyIntolerance':
      return 'allergies';
    case 'MedicationRequest':
    case 'MedicationStatement':
      return 'medications';
    case 'Immunization':
      return 'immunizations';
    case 'Observation':
    case 'DiagnosticReport':
      return 'results';
    case 'DocumentReference':
      return 'notes';
    default:
      return '';
  }
}

/** What the item says now, in one line, for the clinician answering (any of the types the portal offers). */
export function itemText(item: Resource | undefined): string {
  if (item === undefined) return '';
  switch (item.resourceType) {
    case 'Condition':
      return [conceptText(item.code), item.clinicalStatus && conceptText(item.clinicalStatus), item.onsetDateTime && `since ${item.onsetDateTime.slice(0, 10)}`].filter(Boolean).join(' · ');
    case 'AllergyIntolerance':
      return [conceptText(item.code), item.reaction?.[0]?.manifestation?.[0] && `reaction ${conceptText(item.reaction[0].manifestation[0])}`, item.clinicalStatus && conceptText(item.clinicalStatus)].filter(Boolean).join(' · ');
    case 'MedicationRequest':
      return [conceptText(item.medicationCodeableConcept) || item.medicationReference?.display, item.dosageInstruction?.[0]?.text, item.status].filter(Boolean).join(' · ');
    case 'Immunization':
      return [conceptText(item.vaccineCode), item.occurrenceDateTime?.slice(0, 10), item.status].filter(Boolean).join(' · ');
    case 'Observation':
      return [conceptText(item.code), item.valueQuantity ? quantityText(item.valueQuantity) : (item.valueString ?? conceptText(item.valueCodeableConcept)), item.effectiveDateTime?.slice(0, 10)].filter(Boolean).join(' · ');
    case 'DocumentReference':
      return [conceptText(item.type) || 'Document', item.date?.slice(0, 10), item.docStatus].filter(Boolean).join(' · ');
    default:
      return `${item.resourceType}/${item.id}`;
  }
}
