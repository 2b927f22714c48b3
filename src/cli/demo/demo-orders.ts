/**
 * The demo's orders and screening history for the complex patient (loaded once, recorded by the
 * `demo-orders-screening` setting): three PHQ-9s over the past year, each scored by the same code
 * `$extract` uses and saved with its answers in one transaction (so the trend has points and the
 * score rule checks them as it checks any); a completed HbA1c order whose latest report is
 * `basedOn` it; and a lipid panel ordered and awaiting its result.
 */
import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, DiagnosticReport, QuestionnaireResponse, ServiceRequest } from '@medplum/fhirtypes';
import type { Ctx } from '../../domain/context.ts';
import { scoreDefinition } from '../../domain/questionnaires/score-definition.ts';
import { scoreObservation } from '../../domain/questionnaires/score-observation.ts';
import { scoreResponse } from '../../domain/questionnaires/scoring.ts';
import { PHQ9 } from '../../domain/questionnaires/screening-questionnaires.ts';
import type { FhirStore } from '../../store/store.ts';
import { COMPLEX_PATIENT_ID } from './complex-patient.ts';
import { demoRequest } from './demo-accounts.ts';

export const DEMO_ORDERS_SETTING = 'demo-orders-screening';
const LOINC = 'http://loinc.org';
const ANSWERS = ['LA6568-5', 'LA6569-3', 'LA6570-1', 'LA6571-9'];
const DAY = 86_400_000;

function phq9(weights: readonly number[], authored: Date, author: string | undefined): Bundle {
  const definition = scoreDefinition(PHQ9)!;
  const response: QuestionnaireResponse = {
    resourceType: 'QuestionnaireResponse',
    status: 'completed',
    questionnaire: PHQ9.url!,
    subject: { reference: `Patient/${COMPLEX_PATIENT_ID}` },
    authored: authored.toISOString(),
    ...(author ? { author: { reference: author } } : {}),
    item: definition.questions.map((q, i) => ({ linkId: q.linkId, text: q.text, answer: [{ valueCoding: q.options.find((o) => o.coding.code === ANSWERS[weights[i]!])!.coding }] })),
  };
  const result = scoreResponse(definition, response);
  if (result.kind !== 'scored') throw new Error('demo PHQ-9 answers must be complete');
  const url = `urn:uuid:${randomUUID()}`;
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { fullUrl: url, resource: response, request: { method: 'POST', url: 'QuestionnaireResponse' } },
      { resource: scoreObservation(definition, response, { reference: url }, result), request: { method: 'POST', url: 'Observation' } },
    ],
  };
}

function labOrder(id: string, code: string, display: string, title: string, status: ServiceRequest['status'], authored: Date, requisition: string, requester: string | undefined): ServiceRequest {
  return {
    resourceType: 'ServiceRequest',
    id,
    status,
    intent: 'order',
    priority: 'routine',
    category: [{ coding: [{ system: 'http://snomed.info/sct', code: '108252007', display: 'Laboratory procedure' }], text: 'Laboratory' }],
    code: { coding: [{ system: LOINC, code, display }], text: title },
    subject: { reference: `Patient/${COMPLEX_PATIENT_ID}` },
    authoredOn: authored.toISOString(),
    ...(requester ? { requester: { reference: requester } } : {}),
    requisition: { system: 'urn:heron:requisition', value: requisition },
  };
}

/** @returns whether they were loaded now. */
export async function ensureDemoOrders(ctx: Ctx, store: FhirStore, physicianId: string | undefined, now = new Date()): Promise<boolean> {
  if ((await store.admin.getSetting(DEMO_ORDERS_SETTING)) !== undefined) return false;
  const author = physicianId ? `Practitioner/${physicianId}` : undefined;
  for (const [days, weights] of [
    [360, [2, 2, 2, 1, 2, 1, 2, 1, 0]],
    [180, [1, 2, 1, 1, 1, 1, 1, 0, 0]],
    [30, [1, 1, 1, 1, 1, 0, 1, 0, 0]],
  ] as const) {
    const response = await demoRequest(ctx, 'POST', '', phq9(weights, new Date(now.getTime() - days * DAY), author));
    if (response.status !== 200) throw new Error(`Could not load the demo PHQ-9: HTTP ${response.status}`);
  }

  // The newest HbA1c report answers an order placed the day before it.
  const reports = await demoRequest(ctx, 'GET', 'DiagnosticReport', undefined, new URLSearchParams({ patient: COMPLEX_PATIENT_ID, code: `${LOINC}|4548-4`, _sort: '-date', _count: '1' }));
  const report = (reports.body as Bundle<DiagnosticReport> | undefined)?.entry?.[0]?.resource;
  const orders: ServiceRequest[] = [labOrder('eleanor-order-lipid', '57698-3', 'Lipid panel with direct LDL - Serum or Plasma', 'Lipid panel', 'active', new Date(now.getTime() - 2 * DAY), 'R-DEMO-0002', author)];
  if (report?.effectiveDateTime) {
    orders.push(labOrder('eleanor-order-a1c', '4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood', 'Hemoglobin A1c', 'completed', new Date(Date.parse(report.effectiveDateTime) - DAY), 'R-DEMO-0001', author));
  }
  const entries: BundleEntry[] = orders.map((resource) => ({ resource, request: { method: 'PUT' as const, url: `ServiceRequest/${resource.id}` } }));
  if (report?.id && report.effectiveDateTime) entries.push({ resource: { ...report, basedOn: [{ reference: 'ServiceRequest/eleanor-order-a1c' }] }, request: { method: 'PUT', url: `DiagnosticReport/${report.id}` } });
  const saved = await demoRequest(ctx, 'POST', '', { resourceType: 'Bundle', type: 'transaction', entry: entries });
  if (saved.status !== 200) throw new Error(`Could not load the demo orders: HTTP ${saved.status}`);
  await store.admin.putSettingIfAbsent(DEMO_ORDERS_SETTING, JSON.stringify({ at: now.toISOString() }));
  return true;
}
