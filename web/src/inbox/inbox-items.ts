/**
 * The inbox as data: what is waiting for a clinician (or a pool they belong to), in one list —
 * results to review, patient messages, refill requests and other tasks — built from the FHIR the
 * server holds (docs/subscriptions.md, "The inbox"):
 *
 * - results, refills and tasks are `Task`s whose `owner` is the person (`Practitioner/…`) or a pool
 *   (`CareTeam/…` without a patient, whose participants are Practitioners, e.g. "Nurses"), open while `status` is requested, received,
 *   accepted or in progress; the kind is the Task's code in `urn:heron:inbox-task` (`review-result`,
 *   `refill-request`; anything else is a task). A result's Task has the result as `focus`.
 * - patient messages are `Communication`s whose `recipient` is the person or a pool, open while
 *   `status` is in-progress.
 * - a patient's correction request (Task, task-code `change`, web/src/corrections) is the practice's
 *   to answer: listed for its owner, and while it has none for every clinician, until one answers
 *   or assigns it.
 *
 * Acknowledging completes the Task (or the Communication): it leaves the inbox.
 */
import type { Bundle, CareTeam, Communication, DiagnosticReport, Observation, Patient, Resource, Task } from '@medplum/fhirtypes';
import { familyFirst, mrn } from '../fhir-format/patient.ts';
import { conceptText, quantityText } from '../fhir-format/values.ts';
import { CORRECTION_TOKEN, isCorrectionRequest, proposedWording } from '../corrections/correction-requests.ts';

export const INBOX_TASK_SYSTEM = 'urn:heron:inbox-task';
export const OPEN_TASK_STATUSES = ['requested', 'received', 'accepted', 'in-progress'] as const;
export const OPEN_MESSAGE_STATUS = 'in-progress';

export type InboxKind = 'result' | 'message' | 'refill' | 'task' | 'correction';
export const INBOX_KINDS: readonly InboxKind[] = ['result', 'message', 'refill', 'task', 'correction'];
export const KIND_LABELS: Record<InboxKind, { one: string; many: string }> = {
  result: { one: 'Result', many: 'Results' },
  message: { one: 'Message', many: 'Messages' },
  refill: { one: 'Refill', many: 'Refills' },
  task: { one: 'Task', many: 'Tasks' },
  correction: { one: 'Correction', many: 'Corrections' },
};

export interface InboxItem {
  key: string;
  kind: InboxKind;
  /** The Task or Communication this item is. */
  resource: Task | Communication;
  title: string;
  /** A result's value and flag, a message's first words, a task's note. */
  detail: string;
  patientId?: string;
  patientName: string;
  patientMrn?: string;
  /** ISO date: authored, sent or due. */
  date?: string;
  due?: string;
  /** `Practitioner/…` or `CareTeam/…` (a pool) it is assigned to. */
  owner?: string;
  /** Results only: every interpretation says normal, so it may be signed in bulk. */
  normal: boolean;
  urgent: boolean;
}

/** Searches that fill the inbox of `me` (`Practitioner/…`) and the pools they belong to. */
export function inboxSearches(owners: readonly string[]): { tasks: Record<string, string | readonly string[]>; messages: Record<string, string>; corrections: Record<string, string | readonly string[]> } {
  const who = owners.join(',');
  return {
    tasks: { owner: who, status: OPEN_TASK_STATUSES.join(','), _include: ['Task:focus', 'Task:patient'], _sort: '-authored-on', _count: '200' },
    messages: { recipient: who, status: OPEN_MESSAGE_STATUS, _include: 'Communication:subject', _sort: '-sent', _count: '100' },
    // Patients' correction requests nobody has taken yet (an owned one is in `tasks`).
    corrections: { code: CORRECTION_TOKEN, 'owner:missing': 'true', status: OPEN_TASK_STATUSES.join(','), _include: ['Task:focus', 'Task:patient'], _sort: '-authored-on', _count: '100' },
  };
}

/** The Subscriptions' criteria that tell the inbox of `owners` to refresh. */
export function inboxCriteria(owners: readonly string[]): string[] {
  const who = owners.join(',');
  return [`Task?owner=${who}`, `Communication?recipient=${who}`, `Task?code=${CORRECTION_TOKEN}`];
}

/**
 * Whether a CareTeam is a pool: active and about no one patient (a patient's care team is not a
 * work queue).
 */
export function isPool(team: CareTeam): boolean {
  return team.status === 'active' && team.subject === undefined;
}

/** The pools that list `practitioner` as a participant (whose participation has not ended). */
export function poolsOf(teams: readonly CareTeam[], practitioner: string, now = new Date().toISOString()): CareTeam[] {
  return teams.filter((t) => isPool(t) && (t.participant ?? []).some((p) => p.member?.reference === practitioner && (p.period?.end === undefined || p.period.end > now)));
}

function byReference(bundle: Bundle | undefined): Map<string, Resource> {
  const map = new Map<string, Resource>();
  for (const entry of bundle?.entry ?? []) if (entry.resource?.id) map.set(`${entry.resource.resourceType}/${entry.resource.id}`, entry.resource);
  return map;
}

function kindOf(task: Task): InboxKind {
  if (isCorrectionRequest(task)) return 'correction';
  const code = task.code?.coding?.find((c) => c.system === INBOX_TASK_SYSTEM)?.code;
  if (code === 'review-result') return 'result';
  if (code === 'refill-request') return 'refill';
  return 'task';
}

function isNormal(result: Observation | DiagnosticReport | undefined): boolean {
  if (result === undefined) return false;
  const concepts = result.resourceType === 'Observation' ? (result.interpretation ?? []) : (result.conclusionCode ?? []);
  const codes = concepts.flatMap((c) => (c.coding ?? []).map((coding) => coding.code));
  return codes.length > 0 && codes.every((code) => code === 'N');
}

function resultDetail(result: Observation | DiagnosticReport | undefined): string {
  if (result === undefined) return '';
  if (result.resourceType === 'DiagnosticReport') return result.conclusion ?? '';
  const value = result.valueQuantity ? quantityText(result.valueQuantity) : (result.valueString ?? conceptText(result.valueCodeableConcept));
  const flag = (result.interpretation ?? []).map((c) => conceptText(c) || c.coding?.[0]?.code).filter(Boolean).join(', ');
  return [value, flag && `(${flag})`].filter(Boolean).join(' ');
}

function patientOf(ref: string | undefined, resources: Map<string, Resource>): Pick<InboxItem, 'patientId' | 'patientName' | 'patientMrn'> {
  const patient = ref === undefined ? undefined : (resources.get(ref) as Patient | undefined);
  const patientId = ref?.startsWith('Patient/') ? ref.slice('Patient/'.length) : undefined;
  return { ...(patientId ? { patientId } : {}), patientName: patient ? familyFirst(patient.name) || 'Unnamed patient' : 'No patient', ...(patient && mrn(patient.identifier) ? { patientMrn: mrn(patient.identifier) } : {}) };
}

/** The inbox items of a Task search (with its included focus and patients), a Communication search and the unowned correction requests. */
export function inboxItems(tasks: Bundle | undefined, messages: Bundle | undefined, corrections?: Bundle): InboxItem[] {
  const resources = new Map([...byReference(tasks), ...byReference(messages), ...byReference(corrections)]);
  const items: InboxItem[] = [];
  const seen = new Set<string>();
  for (const entry of [...(tasks?.entry ?? []), ...(corrections?.entry ?? [])]) {
    const task = entry.resource;
    if (task?.resourceType !== 'Task' || entry.search?.mode === 'include' || seen.has(task.id ?? '')) continue;
    seen.add(task.id ?? '');
    const kind = kindOf(task);
    const focus = task.focus?.reference ? resources.get(task.focus.reference) : undefined;
    const result = focus?.resourceType === 'Observation' || focus?.resourceType === 'DiagnosticReport' ? focus : undefined;
    const title =
      kind === 'result' && result ? conceptText(result.code) || task.description || 'Result' : kind === 'correction' ? `Correction request: ${task.focus?.display ?? task.focus?.reference ?? 'an item'}` : task.description || conceptText(task.code) || 'Task';
    const detail = kind === 'result' ? resultDetail(result) : kind === 'correction' ? correctionDetail(task) : (task.note?.[0]?.text ?? '');
    const normal = kind === 'result' && isNormal(result);
    const due = task.restriction?.period?.end;
    items.push({
      key: `Task/${task.id}`,
      kind,
      resource: task,
      title,
      detail,
      ...patientOf(task.for?.reference, resources),
      ...(task.authoredOn ? { date: task.authoredOn } : {}),
      ...(due ? { due } : {}),
      ...(task.owner?.reference ? { owner: task.owner.reference } : {}),
      normal,
      urgent: task.priority === 'urgent' || task.priority === 'asap' || task.priority === 'stat',
    });
  }
  for (const entry of messages?.entry ?? []) {
    const message = entry.resource;
    if (message?.resourceType !== 'Communication' || entry.search?.mode === 'include') continue;
    const text = message.payload?.find((p) => p.contentString)?.contentString ?? '';
    items.push({
      key: `Communication/${message.id}`,
      kind: 'message',
      resource: message,
      title: conceptText(message.topic) || 'Message from patient',
      detail: text.length > 120 ? `${text.slice(0, 119)}…` : text,
      ...patientOf(message.subject?.reference, resources),
      ...(message.sent ? { date: message.sent } : {}),
      ...(message.recipient?.[0]?.reference ? { owner: message.recipient[0].reference } : {}),
      normal: false,
      urgent: message.priority === 'urgent' || message.priority === 'asap' || message.priority === 'stat',
    });
  }
  // Urgent first, then newest first.
  return items.sort((a, b) => Number(b.urgent) - Number(a.urgent) || (b.date ?? '').localeCompare(a.date ?? ''));
}

/** What the patient says is wrong, and what it should say. */
function correctionDetail(task: Task): string {
  const proposed = proposedWording(task);
  const text = `“${task.description ?? ''}”${proposed ? ` Should say: “${proposed}”` : ''}`;
  return text.length > 160 ? `${text.slice(0, 159)}…` : text;
}

export type InboxCounts = Record<InboxKind, number> & { total: number };

export function inboxCounts(items: readonly InboxItem[]): InboxCounts {
  const counts: InboxCounts = { result: 0, message: 0, refill: 0, task: 0, correction: 0, total: items.length };
  for (const item of items) counts[item.kind]++;
  return counts;
}

/** Results that may be signed together: normal ones. */
export function normalResults(items: readonly InboxItem[]): InboxItem[] {
  return items.filter((i) => i.kind === 'result' && i.normal);
}

/** The item acknowledged (a result signed, a task or message done): completed, so it leaves the inbox. */
export function acknowledged(item: InboxItem, at: string): Task | Communication {
  if (item.resource.resourceType === 'Communication') return { ...item.resource, status: 'completed' };
  return { ...item.resource, status: 'completed', lastModified: at, executionPeriod: { ...item.resource.executionPeriod, end: at } };
}

/** The item's Task given to `owner` (a person or a pool); back to requested, so the new owner sees it as new. */
export function assigned(task: Task, owner: { reference: string; display?: string }, at: string): Task {
  return { ...task, owner, status: 'requested', lastModified: at };
}

/**
 * The answer to a patient's message, from `me`: to whoever sent it (else the patient), linked to it
 * (`inResponseTo`), on the same topic. Saved with the message completed, so it leaves the inbox.
 */
export function replyTo(message: Communication, text: string, me: string, at: string): Communication {
  const to = message.sender?.reference ?? message.subject?.reference;
  return {
    resourceType: 'Communication',
    status: 'completed',
    ...(message.subject ? { subject: message.subject } : {}),
    ...(message.topic ? { topic: message.topic } : {}),
    inResponseTo: [{ reference: `Communication/${message.id}` }],
    sender: { reference: me },
    ...(to ? { recipient: [{ reference: to }] } : {}),
    sent: at,
    payload: [{ contentString: text.trim() }],
  };
}
