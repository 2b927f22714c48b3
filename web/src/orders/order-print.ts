/**
 * What a printed order holds and how it is filed: a lab requisition prints every ServiceRequest
 * sharing its requisition number; a prescription prints one MedicationRequest. Filed to the chart
 * as a DocumentReference of the type below, whose `context.related` names the orders.
 */
import type { CodeableConcept, MedicationRequest, ServiceRequest } from '@medplum/fhirtypes';
import { REQUISITION_SYSTEM } from './lab-order.ts';

export type OrderPrint = { kind: 'requisition'; orders: ServiceRequest[] } | { kind: 'prescription'; order: MedicationRequest };

export function requisitionNumberOf(order: ServiceRequest | MedicationRequest): string | undefined {
  return 'requisition' in order ? order.requisition?.value : undefined;
}

/** The orders printed on one requisition: those sharing its number (or the order alone, without one). */
export function requisitionOrders(all: readonly ServiceRequest[], order: ServiceRequest): ServiceRequest[] {
  const number = order.requisition?.system === REQUISITION_SYSTEM ? order.requisition.value : undefined;
  if (!number) return [order];
  return all.filter((o) => o.requisition?.system === REQUISITION_SYSTEM && o.requisition.value === number && o.status !== 'revoked' && o.status !== 'entered-in-error');
}

/** LOINC 57833-6 for a prescription; a requisition has no LOINC document code, so Heron's own. */
export function orderDocumentType(kind: OrderPrint['kind']): CodeableConcept {
  return kind === 'prescription'
    ? { coding: [{ system: 'http://loinc.org', code: '57833-6', display: 'Prescription for medication' }], text: 'Prescription' }
    : { coding: [{ system: 'https://heron.dev/fhir/CodeSystem/document-type', code: 'lab-requisition', display: 'Laboratory requisition' }], text: 'Laboratory requisition' };
}
