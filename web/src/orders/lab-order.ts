/**
 * Lab orders: one `ServiceRequest` per test chosen from the practice's catalogue
 * (`ActivityDefinition`s of kind ServiceRequest), all sharing one requisition number so they
 * print on one requisition and are collected together; saved in one transaction, so an order of
 * three tests is three orders or none. An order's result is the `DiagnosticReport` whose
 * `basedOn` names it.
 */
import type { ActivityDefinition, Bundle, DiagnosticReport, MedicationRequest, ServiceRequest } from '@medplum/fhirtypes';
import { patientReference, type EntryContext } from '../clinical-lists/entry-context.ts';

export const REQUISITION_SYSTEM = 'urn:heron:requisition';
/** US Core's category for lab orders. */
export const LAB_CATEGORY = { system: 'http://snomed.info/sct', code: '108252007', display: 'Laboratory procedure' };

/** Lab tests of the catalogue, by title. */
export function labTests(catalogue: readonly ActivityDefinition[]): ActivityDefinition[] {
  return catalogue.filter((a) => a.kind === 'ServiceRequest' && a.status === 'active' && a.code?.coding?.length).sort((a, b) => (a.title ?? '').localeCompare(b.title ?? ''));
}

/** "R-20261205-7K3F": the day and four random letters or digits, readable over the phone. */
export function newRequisitionNumber(now: Date, random: () => number = Math.random): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  let tail = '';
  for (let i = 0; i < 4; i++) tail += alphabet[Math.floor(random() * alphabet.length)];
  return `R-${now.toISOString().slice(0, 10).replaceAll('-', '')}-${tail}`;
}

export interface LabOrderForm {
  /** ActivityDefinition ids chosen. */
  tests: string[];
  priority: 'routine' | 'urgent' | 'stat';
  /** For the lab, printed on the requisition. */
  note: string;
  status: 'active' | 'draft';
}

export const EMPTY_LAB_ORDER: LabOrderForm = { tests: [], priority: 'routine', note: '', status: 'active' };

export function labOrderFrom(test: ActivityDefinition, form: LabOrderForm, requisition: string, ctx: EntryContext): ServiceRequest {
  return {
    resourceType: 'ServiceRequest',
    status: form.status,
    intent: 'order',
    priority: form.priority,
    category: [{ coding: [LAB_CATEGORY], text: 'Laboratory' }],
    code: test.code!,
    subject: patientReference(ctx.patientId),
    authoredOn: ctx.now.toISOString(),
    ...(ctx.fhirUser ? { requester: { reference: ctx.fhirUser } } : {}),
    requisition: { system: REQUISITION_SYSTEM, value: requisition },
    ...(test.url ? { instantiatesCanonical: [test.version ? `${test.url}|${test.version}` : test.url] } : {}),
    ...(test.usage ? { patientInstruction: test.usage } : {}),
    ...(form.note.trim() ? { note: [{ text: form.note.trim() }] } : {}),
  };
}

/** The transaction that places the chosen tests: all or none. */
export function labOrderBundle(catalogue: readonly ActivityDefinition[], form: LabOrderForm, requisition: string, ctx: EntryContext): Bundle {
  const chosen = form.tests.map((id) => catalogue.find((a) => a.id === id)).filter((a): a is ActivityDefinition => a !== undefined);
  return { resourceType: 'Bundle', type: 'transaction', entry: chosen.map((test) => ({ resource: labOrderFrom(test, form, requisition, ctx), request: { method: 'POST' as const, url: 'ServiceRequest' } })) };
}

export type OrderStatus = ServiceRequest['status'] | MedicationRequest['status'];

export const ORDER_STATUS_TEXT: Record<string, string> = {
  draft: 'Draft (not signed)',
  active: 'Active',
  'on-hold': 'On hold',
  completed: 'Completed',
  revoked: 'Cancelled',
  cancelled: 'Cancelled',
  stopped: 'Stopped',
  'entered-in-error': 'Entered in error',
  unknown: 'Unknown',
};

/** What can be done to an order in a status: sign a draft, cancel what is not done, complete what is active. */
export function orderActions(status: string): Array<'sign' | 'cancel' | 'complete'> {
  if (status === 'draft') return ['sign', 'cancel'];
  if (status === 'active' || status === 'on-hold') return ['complete', 'cancel'];
  return [];
}

/** The status a cancelled order takes: ServiceRequest says revoked, MedicationRequest cancelled. */
export function cancelledStatus(resourceType: 'ServiceRequest' | 'MedicationRequest'): 'revoked' | 'cancelled' {
  return resourceType === 'ServiceRequest' ? 'revoked' : 'cancelled';
}

/** The reports that answer each order (by `basedOn`), newest first. */
export function resultsByOrder(reports: readonly DiagnosticReport[]): Map<string, DiagnosticReport[]> {
  const map = new Map<string, DiagnosticReport[]>();
  for (const report of reports) {
    for (const based of report.basedOn ?? []) {
      const id = /(?:^|\/)ServiceRequest\/([^/]+)$/.exec(based.reference ?? '')?.[1];
      if (id) map.set(id, [...(map.get(id) ?? []), report]);
    }
  }
  for (const list of map.values()) list.sort((a, b) => (b.effectiveDateTime ?? b.issued ?? '').localeCompare(a.effectiveDateTime ?? a.issued ?? ''));
  return map;
}
