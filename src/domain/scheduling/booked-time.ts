/**
 * When an appointment keeps a clinician busy: the pure half of the double-booking rule
 * (`write-rules/double-booking.ts`). Times are half-open intervals [start, end), so a visit that
 * ends at 09:20 and one that starts at 09:20 do not overlap.
 * @see https://hl7.org/fhir/R4/appointment.html
 */
import type { Appointment } from '@medplum/fhirtypes';

/**
 * Statuses that hold the clinician's time. The others free it: `cancelled`, `noshow` and
 * `entered-in-error` never (or no longer) take place, and `waitlist` is a wish for a time not yet
 * given.
 */
export const HOLDING_STATUSES: readonly Appointment['status'][] = ['proposed', 'pending', 'booked', 'arrived', 'fulfilled', 'checked-in'];

/**
 * The longest booking the rule accepts. The overlap search looks this far back for appointments
 * that started earlier and may still be running, so no longer booking may exist: a clinician's
 * day off is not an appointment.
 */
export const MAX_BOOKING_MS = 24 * 60 * 60 * 1000;

export interface Interval {
  start: number;
  end: number;
}

/** The epoch-ms interval an appointment occupies: start to end, or start plus minutesDuration; undefined without a start. */
export function bookedInterval(appointment: Pick<Appointment, 'start' | 'end' | 'minutesDuration'>): Interval | undefined {
  if (appointment.start === undefined) return undefined;
  const start = Date.parse(appointment.start);
  if (Number.isNaN(start)) return undefined;
  if (appointment.end !== undefined) {
    const end = Date.parse(appointment.end);
    return Number.isNaN(end) ? undefined : { start, end };
  }
  if (appointment.minutesDuration !== undefined) return { start, end: start + appointment.minutesDuration * 60_000 };
  return undefined;
}

/** Whether two half-open intervals share an instant. */
export function overlaps(a: Interval, b: Interval): boolean {
  return a.start < b.end && b.start < a.end;
}

/** Whether the appointment holds its clinicians' time (by status). */
export function holdsTime(appointment: Pick<Appointment, 'status'>): boolean {
  return HOLDING_STATUSES.includes(appointment.status);
}

/**
 * The Practitioners an appointment books, as `Practitioner/<id>`, sorted (so locks are always
 * taken in the same order and two bookings cannot deadlock). A participant who declined is not
 * booked.
 */
export function bookedPractitioners(appointment: Pick<Appointment, 'participant'>): string[] {
  const refs = new Set<string>();
  for (const p of appointment.participant ?? []) {
    const ref = p.actor?.reference;
    if (p.status === 'declined' || ref === undefined) continue;
    if (/^Practitioner\/[A-Za-z0-9\-.]{1,64}$/.test(ref)) refs.add(ref);
  }
  return [...refs].sort();
}

/**
 * "09:00–09:20 on 2026-12-05" from the times as they were written (the booking's own offset),
 * so the message reads in the clinic's time without the server knowing its zone.
 */
export function timeRangeText(appointment: Pick<Appointment, 'start' | 'end'>): string {
  const start = appointment.start ?? '';
  const day = start.slice(0, 10);
  const hm = (t: string | undefined) => (t && t.length >= 16 ? t.slice(11, 16) : '?');
  const endDay = appointment.end?.slice(0, 10);
  const zone = /(Z|[+-]\d{2}:\d{2})$/.exec(start)?.[1];
  const zoneText = zone === undefined ? '' : zone === 'Z' ? ' UTC' : ` (UTC${zone})`;
  return endDay !== undefined && endDay !== day
    ? `${hm(start)} on ${day} to ${hm(appointment.end)} on ${endDay}${zoneText}`
    : `${hm(start)}–${hm(appointment.end)} on ${day}${zoneText}`;
}
