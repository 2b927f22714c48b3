/**
 * Free times to offer a patient: the pure half of `Appointment/$find` (docs/scheduling.md "Free
 * times"). Candidate starts fall every `STEP_MINUTES` from opening; one is free for a clinician
 * when the whole visit fits in the day's open hours, starts at or after `notBefore`, and overlaps
 * none of that clinician's time-holding appointments (half-open intervals, as the double-booking
 * rule counts them, so what is offered is what that rule will accept).
 */
import { daysBetween, openPeriod, type WorkingHours } from './working-hours.ts';
import { overlaps, type Interval } from './booked-time.ts';

/** Offered starts are on a quarter-hour grid from opening: fine enough to fill a day, few enough to read. */
export const STEP_MINUTES = 15;

export interface FreeTime {
  start: number;
  end: number;
  practitioner: string;
}

export interface FreeTimeQuery {
  hours: WorkingHours;
  /** Local dates, inclusive. */
  from: string;
  to: string;
  minutes: number;
  /** No time before this (epoch ms): now, so nothing in the past is offered. */
  notBefore: number;
  /** Busy intervals per clinician (`Practitioner/<id>`), in the order to offer them. */
  busy: ReadonlyMap<string, readonly Interval[]>;
  /** At most this many times. */
  limit: number;
}

/** Free times, earliest first (clinicians in `busy`'s order at equal starts). */
export function freeTimes(q: FreeTimeQuery): FreeTime[] {
  const out: FreeTime[] = [];
  const length = q.minutes * 60_000;
  for (const date of daysBetween(q.from, q.to)) {
    const open = openPeriod(q.hours, date);
    if (open === undefined) continue;
    for (let start = open.start; start + length <= open.end; start += STEP_MINUTES * 60_000) {
      if (start < q.notBefore) continue;
      const visit: Interval = { start, end: start + length };
      for (const [practitioner, busy] of q.busy) {
        if (busy.some((b) => overlaps(visit, b))) continue;
        out.push({ practitioner, ...visit });
        if (out.length >= q.limit) return out;
      }
    }
  }
  return out;
}
