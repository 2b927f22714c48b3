/**
 * No clinician is booked twice for the same time. Before an Appointment is written with a status
 * that holds time (`scheduling/booked-time.ts`), the transaction locks each Practitioner it books
 * (`tx.lock`, so two bookings of the same clinician wait for each other on every app server and
 * both databases), then looks for that clinician's other appointments holding an overlapping
 * time; one found refuses the write with 409. Cancelled, no-show and entered-in-error
 * appointments free their time; an appointment moved (update, patch) is not compared with itself.
 * Deleting never conflicts. See docs/scheduling.md.
 */
import type { Appointment } from '@medplum/fhirtypes';
import { FhirError, issue } from '../../fhir/outcome.ts';
import { parseSearch } from '../../fhir/search/parse.ts';
import type { StoreTransaction } from '../../store/store.ts';
import type { Ctx } from '../context.ts';
import { bookedInterval, bookedPractitioners, HOLDING_STATUSES, holdsTime, MAX_BOOKING_MS, overlaps, timeRangeText, type Interval } from '../scheduling/booked-time.ts';
import type { WriteRule } from './write-rules.ts';

const PAGE = 200;

export const noDoubleBooking: WriteRule = async ({ ctx, tx, write }) => {
  if (write.method === 'DELETE' || write.resource?.resourceType !== 'Appointment') return;
  const appointment = write.resource as Appointment;
  if (!holdsTime(appointment)) return;
  const practitioners = bookedPractitioners(appointment);
  const interval = bookedInterval(appointment);
  if (practitioners.length === 0 || interval === undefined) return;
  if (interval.end <= interval.start) {
    throw new FhirError('invalid', [issue('invalid', 'The appointment must end after it starts.', 'Appointment.end')]);
  }
  if (interval.end - interval.start > MAX_BOOKING_MS) {
    throw new FhirError('invalid', [issue('business-rule', 'An appointment with a clinician may last at most 24 hours.', 'Appointment.end')]);
  }
  for (const practitioner of practitioners) await tx.lock(`schedule:${practitioner}`);
  for (const practitioner of practitioners) {
    const taken = await firstOverlap(tx, practitioner, interval, write.id);
    if (taken) throw doubleBooked(ctx, appointment, practitioner, taken);
  }
};

/** The first other appointment of `practitioner` that holds time overlapping `interval`. */
async function firstOverlap(tx: StoreTransaction, practitioner: string, interval: Interval, ownId: string): Promise<Appointment | undefined> {
  // Appointment's `date` is its start: whatever overlaps started before our end and, being at
  // most MAX_BOOKING_MS long, not before our start minus that.
  const query = new URLSearchParams([
    ['actor', practitioner],
    ['status', HOLDING_STATUSES.join(',')],
    ['date', `ge${new Date(interval.start - MAX_BOOKING_MS).toISOString()}`],
    ['date', `lt${new Date(interval.end).toISOString()}`],
    ['_sort', 'date'],
  ]);
  const { request } = parseSearch(['Appointment'], query, { strict: true, defaultCount: PAGE, maxCount: PAGE });
  request.total = 'none';
  let cursor: string | undefined;
  do {
    const page = await tx.search(cursor === undefined ? request : { ...request, cursor });
    for (const found of page.resources as Appointment[]) {
      if (found.id === ownId || !holdsTime(found)) continue;
      if (!bookedPractitioners(found).includes(practitioner)) continue;
      const other = bookedInterval(found);
      if (other && overlaps(interval, other)) return found;
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return undefined;
}

function doubleBooked(ctx: Ctx, wanted: Appointment, practitioner: string, taken: Appointment): FhirError {
  const who = wanted.participant?.find((p) => p.actor?.reference === practitioner)?.actor?.display
    ?? taken.participant?.find((p) => p.actor?.reference === practitioner)?.actor?.display
    ?? practitioner;
  // Staff may see whose appointment it is; a patient booking for themselves may not.
  const patientBound = ctx.principal.kind === 'user' && ctx.principal.patients !== undefined;
  const patient = !patientBound ? taken.participant?.find((p) => p.actor?.reference?.startsWith('Patient/'))?.actor?.display : undefined;
  const holder = patient ? ` with ${patient}` : '';
  return new FhirError('conflict', [
    issue('conflict', `${who} is already booked ${timeRangeText(taken)}${holder} (Appointment/${taken.id}). Choose another time or another clinician.`, 'Appointment.start'),
  ]);
}
