/**
 * The write rule of lab orders (`ServiceRequest`): a signed order is a record of what was asked
 * for, so its status only moves forward — draft → active (signed) → completed, or to revoked
 * (cancelled) — and once signed, what was ordered and for whom cannot change, nor can it be
 * deleted: it is cancelled, and ordered again if needed. Marking it entered-in-error is always
 * possible. Drafts change freely. See docs/orders.md.
 */
import type { ServiceRequest } from '@medplum/fhirtypes';
import { FhirError, issue } from '../../fhir/outcome.ts';
import type { WriteRule } from '../write-rules/write-rules.ts';

/** Where an order may go from each status (entered-in-error is allowed from any). */
const NEXT: Readonly<Record<string, readonly string[]>> = {
  draft: ['draft', 'active', 'on-hold', 'revoked', 'completed'],
  active: ['active', 'on-hold', 'completed', 'revoked'],
  'on-hold': ['on-hold', 'active', 'completed', 'revoked'],
  completed: ['completed'],
  revoked: ['revoked'],
  'entered-in-error': ['entered-in-error'],
};

function refuse(message: string, expression: string): FhirError {
  return new FhirError('unprocessable', [issue('business-rule', message, expression)]);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

export const signedOrdersStay: WriteRule = async ({ write, current: read }) => {
  const current = await read();
  if (!current?.resource || current.deleted) return;
  const before = current.resource as ServiceRequest;
  const after = write.resource as ServiceRequest | undefined;
  if (before.status === 'draft' || before.status === 'unknown') return;
  if (!after) throw refuse(`A signed order (${before.status}) is not deleted: cancel it (status revoked), or mark it entered-in-error.`, 'ServiceRequest');
  if (after.status === 'entered-in-error') return;
  const allowed = NEXT[before.status] ?? [];
  if (!allowed.includes(after.status)) throw refuse(`An order that is ${before.status} cannot become ${after.status}${before.status === 'active' && after.status === 'draft' ? ' (a signed order is not unsigned)' : ''}; order again instead.`, 'ServiceRequest.status');
  if (!same(after.code, before.code) || !same(after.subject, before.subject)) throw refuse('What a signed order asks for and for whom cannot change: cancel it and order again.', 'ServiceRequest.code');
};
