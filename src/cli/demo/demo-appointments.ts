/**
 * A day of appointments with the demo clinicians, so a clinician signing in to a demo server sees
 * today's patients rather than an empty home screen. Every start on a new day books that day
 * (once: the `demo-appointments:<date>` setting records it), in the server's local time. Each
 * visit has a type from the practice's catalogue (demo-scheduling.ts) and lasts as long as it says.
 */
import type { Appointment, Patient } from '@medplum/fhirtypes';
import type { Ctx } from '../../domain/context.ts';
import type { FhirStore } from '../../store/store.ts';
import { demoRequest, displayName, livingPatients } from './demo-accounts.ts';
import { appointmentTypeOf, DEMO_VISIT_TYPES } from './demo-scheduling.ts';

type VisitCode = (typeof DEMO_VISIT_TYPES)[number]['code'];

/** Start (hours, minutes), the visit type, and what the visit is for. */
const DAY: ReadonlyArray<{ at: [number, number]; type: VisitCode; reason: string }> = [
  { at: [8, 30], type: 'follow-up', reason: 'Hypertension follow-up' },
  { at: [9, 0], type: 'annual-wellness', reason: 'Annual physical' },
  { at: [9, 40], type: 'follow-up', reason: 'Diabetes follow-up, review A1c' },
  { at: [10, 20], type: 'sick-visit', reason: 'Cough for two weeks' },
  { at: [11, 0], type: 'new-patient', reason: 'New patient visit' },
  { at: [13, 30], type: 'follow-up', reason: 'Medication review' },
  { at: [14, 10], type: 'sick-visit', reason: 'Sore throat' },
  { at: [15, 0], type: 'procedure', reason: 'Skin lesion removal' },
];

/** The second clinician's (fewer) visits, with the patients after the first clinician's. */
const SECOND_DAY: ReadonlyArray<{ at: [number, number]; type: VisitCode; reason: string }> = [
  { at: [9, 0], type: 'follow-up', reason: 'Asthma check' },
  { at: [10, 0], type: 'sick-visit', reason: 'Ear pain' },
  { at: [14, 0], type: 'annual-wellness', reason: 'Well visit' },
];

export function demoAppointmentsSetting(day: Date): string {
  return `demo-appointments:${localDate(day)}`;
}

/**
 * Books today's appointments unless this day already has them. A time already taken (the complex
 * patient's follow-up may fall on it) is left out rather than double-booked. @returns how many were booked.
 */
export async function ensureTodaysAppointments(
  ctx: Ctx,
  store: FhirStore,
  physician: { id: string; name: string },
  now = new Date(),
  second?: { id: string; name: string },
): Promise<number> {
  const setting = demoAppointmentsSetting(now);
  if ((await store.admin.getSetting(setting)) !== undefined) return 0;
  const patients = await livingPatients(ctx, DAY.length + (second ? SECOND_DAY.length : 0));
  const plan = [
    ...DAY.map((slot) => ({ slot, clinician: physician })),
    ...(second ? SECOND_DAY.map((slot) => ({ slot, clinician: second })) : []),
  ];
  let booked = 0;
  for (const [i, patient] of patients.entries()) {
    const { slot, clinician } = plan[i]!;
    const response = await demoRequest(ctx, 'POST', 'Appointment', appointment(slot, patient, clinician, now)).catch((error: unknown) => {
      if ((error as { category?: string }).category === 'conflict') return undefined;
      throw error;
    });
    if (response === undefined) continue;
    if (response.status !== 201) throw new Error(`Could not book a demo appointment: HTTP ${response.status}`);
    booked++;
  }
  await store.admin.putSettingIfAbsent(setting, JSON.stringify({ booked, at: now.toISOString() }));
  return booked;
}

function appointment(slot: (typeof DAY)[number], patient: Patient, clinician: { id: string; name: string }, day: Date): Appointment {
  const type = DEMO_VISIT_TYPES.find((v) => v.code === slot.type)!;
  const start = new Date(day.getFullYear(), day.getMonth(), day.getDate(), slot.at[0], slot.at[1]);
  const end = new Date(start.getTime() + type.minutes * 60_000);
  return {
    resourceType: 'Appointment',
    status: 'booked',
    appointmentType: appointmentTypeOf(type),
    reasonCode: [{ text: slot.reason }],
    description: slot.reason,
    start: start.toISOString(),
    end: end.toISOString(),
    minutesDuration: type.minutes,
    participant: [
      { actor: { reference: `Patient/${patient.id}`, display: displayName(patient) }, required: 'required', status: 'accepted' },
      { actor: { reference: `Practitioner/${clinician.id}`, display: clinician.name }, required: 'required', status: 'accepted' },
    ],
  };
}

function localDate(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
