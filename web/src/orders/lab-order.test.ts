import type { ActivityDefinition, DiagnosticReport } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { cancelledStatus, EMPTY_LAB_ORDER, labOrderBundle, labTests, newRequisitionNumber, orderActions, REQUISITION_SYSTEM, resultsByOrder } from './lab-order.ts';
import { orderDocumentType, requisitionOrders } from './order-print.ts';

const cbc: ActivityDefinition = { resourceType: 'ActivityDefinition', id: 'ad-cbc', url: 'https://heron.dev/fhir/ActivityDefinition/lab-cbc', version: '1', status: 'active', kind: 'ServiceRequest', title: 'Complete blood count (CBC)', code: { coding: [{ system: 'http://loinc.org', code: '58410-2' }] } };
const lipid: ActivityDefinition = { ...cbc, id: 'ad-lipid', title: 'Lipid panel', code: { coding: [{ system: 'http://loinc.org', code: '57698-3' }] }, usage: 'Fast for 9 to 12 hours.' };
const retired: ActivityDefinition = { ...cbc, id: 'ad-old', status: 'retired', title: 'Old test' };
const rx: ActivityDefinition = { resourceType: 'ActivityDefinition', id: 'ad-rx', status: 'active', kind: 'MedicationRequest', title: 'Rx' };
const ctx = { patientId: 'p1', fhirUser: 'Practitioner/dr', now: new Date('2026-12-05T12:00:00Z') };

describe('lab orders', () => {
  it('offers the active lab tests of the catalogue, by title', () => {
    expect(labTests([lipid, rx, retired, cbc]).map((t) => t.id)).toEqual(['ad-cbc', 'ad-lipid']);
  });

  it('places the chosen tests as ServiceRequests under one requisition, in one transaction', () => {
    const bundle = labOrderBundle([cbc, lipid], { ...EMPTY_LAB_ORDER, tests: ['ad-cbc', 'ad-lipid'], priority: 'urgent', note: ' after 8 am ' }, 'R-20261205-ABCD', ctx);
    expect(bundle.type).toBe('transaction');
    expect(bundle.entry?.map((e) => e.request?.method)).toEqual(['POST', 'POST']);
    expect(bundle.entry?.[1]?.resource).toMatchObject({
      resourceType: 'ServiceRequest',
      status: 'active',
      intent: 'order',
      priority: 'urgent',
      category: [{ coding: [{ code: '108252007' }] }],
      code: { coding: [{ code: '57698-3' }] },
      subject: { reference: 'Patient/p1' },
      requester: { reference: 'Practitioner/dr' },
      requisition: { system: REQUISITION_SYSTEM, value: 'R-20261205-ABCD' },
      instantiatesCanonical: ['https://heron.dev/fhir/ActivityDefinition/lab-cbc|1'],
      patientInstruction: 'Fast for 9 to 12 hours.',
      note: [{ text: 'after 8 am' }],
    });
  });

  it('requisition numbers carry the day and four unambiguous characters', () => {
    expect(newRequisitionNumber(ctx.now, () => 0)).toBe('R-20261205-AAAA');
    expect(newRequisitionNumber(ctx.now)).toMatch(/^R-20261205-[A-HJ-NP-Z2-9]{4}$/);
  });

  it('says what can be done in each status, and how an order is cancelled', () => {
    expect(orderActions('draft')).toEqual(['sign', 'cancel']);
    expect(orderActions('active')).toEqual(['complete', 'cancel']);
    expect(orderActions('completed')).toEqual([]);
    expect(orderActions('revoked')).toEqual([]);
    expect(cancelledStatus('ServiceRequest')).toBe('revoked');
    expect(cancelledStatus('MedicationRequest')).toBe('cancelled');
  });

  it('links results to their orders by basedOn, newest first', () => {
    const report = (id: string, when: string, order: string): DiagnosticReport => ({ resourceType: 'DiagnosticReport', id, status: 'final', code: {}, effectiveDateTime: when, basedOn: [{ reference: order }] });
    const map = resultsByOrder([report('r1', '2026-01-01', 'ServiceRequest/a'), report('r2', '2026-02-01', 'ServiceRequest/a'), report('r3', '2026-01-15', 'https://x/fhir/ServiceRequest/b')]);
    expect(map.get('a')?.map((r) => r.id)).toEqual(['r2', 'r1']);
    expect(map.get('b')?.map((r) => r.id)).toEqual(['r3']);
  });

  it('a requisition prints the orders that share its number, not cancelled ones', () => {
    const order = (id: string, value: string | undefined, status = 'active') => ({ resourceType: 'ServiceRequest' as const, id, status: status as 'active', intent: 'order' as const, subject: {}, ...(value ? { requisition: { system: REQUISITION_SYSTEM, value } } : {}) });
    const all = [order('a', 'R1'), order('b', 'R1'), order('c', 'R2'), order('d', 'R1', 'revoked'), order('e', undefined)];
    expect(requisitionOrders(all, all[0]!).map((o) => o.id)).toEqual(['a', 'b']);
    expect(requisitionOrders(all, all[4]!).map((o) => o.id)).toEqual(['e']);
    expect(orderDocumentType('prescription').coding?.[0]?.code).toBe('57833-6');
  });
});
