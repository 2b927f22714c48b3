/**
 * A day of appointments with the demo physician, so a clinician signing in to a demo server sees
 * today's patients rather than an empty home screen. Every start on a new day books that day
 * (once: the `demo-appointments:<date>` setting records it), in the server's local time.
 */
import type { Appointment, Patient } from '@medplum/fhirtypes';
import type { Ctx } from '../../domain/context.ts';
import type { FhirStore } from '../../store/store.ts';
import { demoRequest, displayName, livingPatients } from './demo-accounts.ts';

/** Start (hours, minutes), length in minutes, and what the visit is for. */
const DAY: ReadonlyArray<{ at: [number, number]; minutes: number; type: 'ROUTINE' | 'FOLLOWUP' | 'WALKIN' | 'CHECKUP'; reason: string }> = [
  { at: [8, 30], minutes: 20, type: 'FOLLOWUP', reason: 'Hypertension follow-up' },
  { at: [9, 0], minutes: 30, type: 'CHECKUP', reason: 'Annual physical' },
  { at: [9, 40], minutes: 20, type: 'FOLLOWUP', reason: 'Diabetes follow-up, review A1c' },
  { at: [10, 20], minutes: 20, type: 'ROUTINE', reason: 'Cough for two weeks' },
  { at: [11, 0], minutes: 40, type: 'CHECKUP', reason: 'New patient visit' },
  { at: [13, 30], minutes: 20, type: 'FOLLOWUP', reason: 'Medication review' },
  { at: [14, 10], minutes: 20, type: 'WALKIN', reason: 'Sore throat' },
  { at: [15, 0], minutes: 30, type: 'FOLLOWUP', reason: 'Follow-up after emergency visit' },
];

const TYPE_DISPLAY = { ROUTINE: 'Routine appointment', FOLLOWUP: 'A follow up visit from a previous appointment', WALKIN: 'A previously unscheduled walk-in visit', CHECKUP: 'A routine check-up, such as an annual physical' };

export function demoAppointmentsSetting(day: Date): string {
  return `demo-appointments:${localDate(day)}`;
}

/** Books today's appointments unless this day already has them. @returns how many were booked. */
export async function ensureTodaysAppointments(ctx: Ctx, store: FhirStore, physician: { id: string; name: string }, now = new Date()): Promise<number> {
  const setting = demoAppointmentsSetting(now);
  if ((await store.admin.getSetting(setting)) !== undefined) return 0;
  const patients = await livingPatients(ctx, DAY.length);
  let booked = 0;
  for (const [i, patient] of patients.entries()) {
    const response = await demoRequest(ctx, 'POST', 'Appointment', appointment(DAY[i]!, patient, physician, now));
    if (response.status !== 201) throw new Error(`Could not book a demo appointment: HTTP ${response.status}`);
    booked++;
  }
  await store.admin.putSettingIfAbsent(setting, JSON.stringify({ booked, at: now.toISOString() }));
  return booked;
}

function appointment(slot: (typeof DAY)[number], patient: Patient, physician: { id: string; name: string }, day: Date): Appointment {
  const start = new Date(day.getFullYear(), day.getMonth(), day.getDate(), slot.at[0], slot.at[1]);
  const end = new Date(start.getTime() + slot.minutes * 60_000);
  return {
    resourceType: 'Appointment',
    status: 'booked',
    appointmentType: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0276', code: slot.type, display: TYPE_DISPLAY[slot.type] }] },
    reasonCode: [{ text: slot.reason }],
    description: slot.reason,
    start: start.toISOString(),
    end: end.toISOString(),
    minutesDuration: slot.minutes,
    participant: [
      { actor: { reference: `Patient/${patient.id}`, display: displayName(patient) }, required: 'required', status: 'accepted' },
      { actor: { reference: `Practitioner/${physician.id}`, display: physician.name }, required: 'required', status: 'accepted' },
    ],
  };
}

function localDate(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
