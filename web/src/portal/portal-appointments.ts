/**
 * The portal's appointments in the patient's words: which are still to come, what each status
 * means to them, what they may do with one under the practice's self-scheduling setting, and the
 * Appointment a request writes (the server holds it to the same rules:
 * src/domain/portal/patient-appointments.ts, docs/scheduling.md "Patients booking").
 */
import type { Appointment } from '@medplum/fhirtypes';
import type { BadgeTone } from '../design/index.ts';
import type { PracticeSettings } from '../practice/practice-settings.ts';
import type { VisitType } from '../schedule/visit-types.ts';
import type { CalendarEvent } from './appointment-ics.ts';

type SelfScheduling = PracticeSettings['selfScheduling'];

/** Statuses of a visit still ahead that the patient may move or cancel (as the server allows). */
const CHANGEABLE: readonly Appointment['status'][] = ['proposed', 'pending', 'booked'];
const AHEAD: readonly Appointment['status'][] = ['proposed', 'pending', 'booked', 'arrived', 'checked-in', 'waitlist'];

const startOf = (a: Appointment) => (a.start ? Date.parse(a.start) : Number.NaN);

/** Upcoming (soonest first) and past or cancelled (newest first). */
export function splitAppointments(all: readonly Appointment[], now: number): { upcoming: Appointment[]; past: Appointment[] } {
  const upcoming = all.filter((a) => AHEAD.includes(a.status) && startOf(a) >= now).sort((a, b) => startOf(a) - startOf(b));
  const past = all.filter((a) => !upcoming.includes(a)).sort((a, b) => startOf(b) - startOf(a));
  return { upcoming, past };
}

export function statusWords(a: Appointment): { text: string; tone: BadgeTone } {
  switch (a.status) {
    case 'proposed':
    case 'pending':
      return { text: 'Waiting for the practice to confirm', tone: 'warning' };
    case 'booked':
      return { text: 'Confirmed', tone: 'success' };
    case 'arrived':
    case 'checked-in':
      return { text: 'Checked in', tone: 'info' };
    case 'fulfilled':
      return { text: 'Seen', tone: 'neutral' };
    case 'cancelled':
      return { text: 'Cancelled', tone: 'danger' };
    case 'noshow':
      return { text: 'Missed', tone: 'neutral' };
    default:
      return { text: a.status, tone: 'neutral' };
  }
}

export function clinicianOf(a: Appointment): string | undefined {
  return a.participant?.find((p) => p.actor?.reference?.startsWith('Practitioner/'))?.actor?.display;
}

/** What the patient may do with one appointment now. Withdrawing a request not yet confirmed is allowed whenever booking is. */
export function allowedChanges(a: Appointment, s: SelfScheduling, now: number): { cancel: boolean; reschedule: boolean } {
  const changeable = CHANGEABLE.includes(a.status) && startOf(a) > now;
  return { cancel: changeable && (s.cancel || (s.book && a.status === 'proposed')), reschedule: changeable && s.reschedule };
}

/** Whether the portal offers any self-service at all (else it says to phone). */
export function offersSelfService(s: SelfScheduling): boolean {
  return s.book || s.cancel || s.reschedule;
}

/** The status a patient's new or moved appointment gets: proposed when staff approve first. */
export function requestStatus(s: SelfScheduling): 'proposed' | 'booked' {
  return s.needsApproval ? 'proposed' : 'booked';
}

export interface ChosenTime {
  start: string;
  end: string;
  practitioner: string;
  display?: string;
}

/** A new appointment as the patient asks for it: only what a request needs. */
export function requestedAppointment(patientId: string, type: VisitType, time: ChosenTime, reason: string, s: SelfScheduling, today: string): Appointment {
  const text = reason.trim();
  return {
    resourceType: 'Appointment',
    status: requestStatus(s),
    created: today,
    appointmentType: type.concept,
    ...(text ? { description: text, reasonCode: [{ text }] } : {}),
    start: time.start,
    end: time.end,
    minutesDuration: Math.round((Date.parse(time.end) - Date.parse(time.start)) / 60_000),
    participant: [
      { actor: { reference: `Patient/${patientId}` }, required: 'required', status: 'accepted' },
      { actor: { reference: time.practitioner, ...(time.display ? { display: time.display } : {}) }, required: 'required', status: 'needs-action' },
    ],
  };
}

/** The same appointment at another time (and perhaps with another clinician), to be confirmed again if the practice approves. */
export function movedAppointment(a: Appointment, time: ChosenTime, s: SelfScheduling): Appointment {
  const participant = (a.participant ?? []).map((p) =>
    p.actor?.reference?.startsWith('Practitioner/') ? { ...p, actor: { reference: time.practitioner, ...(time.display ? { display: time.display } : {}) }, status: 'needs-action' as const } : p,
  );
  return { ...a, status: requestStatus(s), start: time.start, end: time.end, minutesDuration: Math.round((Date.parse(time.end) - Date.parse(time.start)) / 60_000), participant };
}

export function cancelledAppointment(a: Appointment, reason: string): Appointment {
  return { ...a, status: 'cancelled', cancelationReason: { text: reason.trim() } };
}

/** The calendar entry of an appointment (`appointment-ics.ts`). */
export function calendarEvent(a: Appointment & { id: string }, practice: { name: string; address?: string; phone?: string }, host: string, stamp: Date): CalendarEvent {
  const start = new Date(a.start!);
  const end = a.end ? new Date(a.end) : new Date(start.getTime() + (a.minutesDuration ?? 20) * 60_000);
  const type = a.appointmentType?.text ?? a.appointmentType?.coding?.[0]?.display ?? 'Appointment';
  const who = clinicianOf(a);
  const lines = [a.description ? `Reason: ${a.description}` : undefined, a.status === 'proposed' ? 'Waiting for the practice to confirm.' : undefined, practice.phone ? `Practice phone: ${practice.phone}` : undefined].filter(Boolean);
  return {
    uid: `appointment-${a.id}@${host}`,
    start,
    end,
    summary: `${type}${who ? ` with ${who}` : ''} at ${practice.name}`,
    ...(lines.length ? { description: lines.join('\n') } : {}),
    ...(practice.address ? { location: `${practice.name}, ${practice.address}` } : { location: practice.name }),
    status: a.status === 'cancelled' ? 'CANCELLED' : a.status === 'proposed' || a.status === 'pending' ? 'TENTATIVE' : 'CONFIRMED',
    stamp,
  };
}
