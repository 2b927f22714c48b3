/**
 * `POST [base]/Patient/[id]/$break-the-glass`: emergency access to a patient's restricted records.
 * Only clinicians (physicians and nurses) may use it, with a stated reason; the grant lasts one
 * hour, is recorded in the audit trail first (with purpose ETREAT and the reason) and listed in
 * the review of emergency accesses. Every access it opens is audited as emergency treatment.
 *
 * Body: a Parameters resource with `reason` (valueString, at least 10 characters).
 */
import type { Parameters } from '@medplum/fhirtypes';
import type { Role } from '../../../domain/access/principal.ts';
import { nowOf, type Ctx } from '../../../domain/context.ts';
import { errors } from '../../../fhir/outcome.ts';
import type { FhirRequest, FhirResponse } from '../fhir-request.ts';

/** Roles trusted with emergency access, set before any emergency (ONC (d)(6)). */
export const EMERGENCY_ROLES: readonly Role[] = ['physician', 'nurse'];
export const EMERGENCY_ACCESS_MS = 60 * 60 * 1000;
const MIN_REASON = 10;
/** A reason is a sentence for the reviewer, not a document; it is stored in every audit copy. */
const MAX_REASON = 1000;

export async function breakTheGlass(ctx: Ctx, req: FhirRequest, patientId: string): Promise<FhirResponse> {
  const principal = ctx.principal;
  if (principal.kind !== 'user' || principal.patients !== undefined || !EMERGENCY_ROLES.includes(principal.role)) {
    throw errors.forbidden(`Break-the-glass is available to ${EMERGENCY_ROLES.join(' and ')} users`);
  }
  const body = req.body as Parameters | undefined;
  if (body?.resourceType !== 'Parameters') throw errors.invalid('Send a Parameters resource with a reason', 'Parameters');
  const reason = body.parameter?.find((p) => p.name === 'reason')?.valueString?.trim() ?? '';
  if (reason.length > MAX_REASON) throw errors.invalid(`A reason is at most ${MAX_REASON} characters`, 'Parameters.parameter.where(name = \'reason\')');
  if (reason.length < MIN_REASON) throw errors.invalid(`A reason of at least ${MIN_REASON} characters is required for emergency access`, 'Parameters.parameter.where(name = \'reason\')');
  const patient = await ctx.store.reader(ctx.tenant).readCurrent('Patient', patientId);
  if (patient === undefined || patient.deleted) throw errors.notFound(`Patient/${patientId} is not known`);
  const now = nowOf(ctx);
  // The audit entry comes first: an emergency access that cannot be recorded is not granted.
  await ctx.audit.record({
    tenant: ctx.tenant,
    principal,
    action: 'break-glass',
    outcome: 'success',
    resourceType: 'Patient',
    ids: [patientId],
    patients: [`Patient/${patientId}`],
    origin: ctx.origin,
    at: new Date(now).toISOString(),
    purpose: 'ETREAT',
    reason,
  });
  const expiresAt = now + EMERGENCY_ACCESS_MS;
  await ctx.store.emergencyAccess.grant({ tenant: ctx.tenant, userId: principal.id, patient: patientId, reason, grantedAt: now, expiresAt });
  const result: Parameters = {
    resourceType: 'Parameters',
    parameter: [
      { name: 'patient', valueReference: { reference: `Patient/${patientId}` } },
      { name: 'expires', valueInstant: new Date(expiresAt).toISOString() },
    ],
  };
  return { status: 200, body: result };
}
