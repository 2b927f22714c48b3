/**
 * `GET AuditEvent/$verify`: the check `heron audit verify --practice` runs (`store.audit.verify`),
 * for the practice of the caller's token, answered as Parameters: intact, or the first broken
 * entry and what is wrong with it. For practice administrators' screens and monitoring services.
 *
 * It reads the whole chain (about 11 s per million entries on the development VM, docs/audit.md),
 * so one verification per practice runs at a time in each server: a request arriving while one
 * runs waits for that one and gets its answer, so repeated presses or several administrators cost
 * one pass, not many.
 */
import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { scopeQueries } from '../../../domain/access/authorize.ts';
import { boundPatients } from '../../../domain/access/compartment-access.ts';
import type { Ctx } from '../../../domain/context.ts';
import { errors } from '../../../fhir/outcome.ts';
import type { AuditLog, AuditVerification } from '../../../store/audit-log.ts';
import type { FhirResponse } from '../fhir-request.ts';

/** The verification running for each practice, per audit log (tests open many stores in one process). */
const running = new WeakMap<AuditLog, Map<string, Promise<AuditVerification>>>();

export async function verifyAuditTrail(ctx: Ctx): Promise<FhirResponse> {
  // The chain is the whole practice's: its length and any break say something about every record.
  // A caller held to some patients, or to a scope's query, may read only part of the trail.
  if (boundPatients(ctx) !== undefined || scopeQueries(ctx.principal, 'AuditEvent', 's') !== undefined) {
    throw errors.forbidden('Verifying the audit trail needs access to the whole trail: ask a practice administrator');
  }
  const started = Date.now();
  const result = await verifyOnce(ctx.store.audit, ctx.tenant);
  return { status: 200, body: verificationParameters(result, started) };
}

function verifyOnce(log: AuditLog, tenant: string): Promise<AuditVerification> {
  let byTenant = running.get(log);
  if (byTenant === undefined) running.set(log, (byTenant = new Map()));
  const current = byTenant.get(tenant);
  if (current !== undefined) return current;
  const verification = log.verify(tenant).finally(() => byTenant.delete(tenant));
  byTenant.set(tenant, verification);
  return verification;
}

/** The answer: `intact`, `checked` (entries found intact), and for a broken chain `broken-entry` and `problem`. */
export function verificationParameters(result: AuditVerification, started: number): Parameters {
  const parameter: ParametersParameter[] = [
    { name: 'intact', valueBoolean: result.broken === undefined },
    { name: 'checked', valueInteger: result.checked },
  ];
  if (result.broken !== undefined) {
    parameter.push({ name: 'broken-entry', valueReference: { reference: `AuditEvent/${result.broken.seq}` } }, { name: 'problem', valueString: result.broken.problem });
  }
  parameter.push({ name: 'verified', valueInstant: new Date().toISOString() }, { name: 'seconds', valueDecimal: Math.round((Date.now() - started) / 100) / 10 });
  return { resourceType: 'Parameters', parameter };
}
