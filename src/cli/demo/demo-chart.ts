/**
 * Loads the demo's complex patient (`complex-patient.ts`) once per database, with the demo
 * physician as her doctor, through the FHIR API like any other demo data (validated, indexed,
 * audited). The `demo-complex-patient` setting records it; her dates are those of the first load.
 */
import type { Ctx } from '../../domain/context.ts';
import type { FhirStore } from '../../store/store.ts';
import { complexPatientBundle } from './complex-patient.ts';
import { demoRequest } from './demo-accounts.ts';

export const COMPLEX_PATIENT_SETTING = 'demo-complex-patient';

/** @returns whether she was loaded now. */
export async function ensureComplexPatient(ctx: Ctx, store: FhirStore, physician: { id: string; name: string } | undefined, now = new Date()): Promise<boolean> {
  if ((await store.admin.getSetting(COMPLEX_PATIENT_SETTING)) !== undefined) return false;
  const response = await demoRequest(ctx, 'POST', '', complexPatientBundle(now, physician));
  if (response.status !== 200) throw new Error(`Could not load the demo's complex patient: HTTP ${response.status}`);
  await store.admin.putSettingIfAbsent(COMPLEX_PATIENT_SETTING, JSON.stringify({ at: now.toISOString() }));
  return true;
}
