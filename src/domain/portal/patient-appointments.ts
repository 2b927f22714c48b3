/**
 * What a patient or proxy may do with appointments from the portal, by the practice's
 * `patient-self-scheduling` setting (decision 0004, docs/scheduling.md "Patients booking"):
 * - **request or book**: only when the practice lets patients book; a new appointment is for their
 *   own record, with one of the practice's clinicians who takes appointments, in the future and
 *   within working hours; `proposed` when staff approve first, else `booked` (or `proposed`);
 * - **reschedule**: only when allowed, only a future appointment not yet held or cancelled; the
 *   new time is held to the same rules, and needs approval again when the practice approves;
 * - **cancel**: only a future appointment, when allowed (withdrawing one's own request that the
 *   practice has not confirmed is always allowed while booking is), with a reason;
 * - nothing else: not the clinician-only parts (who else takes part, the practice's comments,
 *   slots, priority), no other status, no deletion.
 * Which appointments are theirs the compartment decides before this rule runs (another patient's
 * is absent); the double-booking rule still applies after it. Staff writes are not touched.
 */
import type { Appointment, AppointmentParticipant } from '@medplum/fhirtypes';
import { errors, FhirError, issue } from '../../fhir/outcome.ts';
import { parseSearch } from '../../fhir/search/parse.ts';
import { nowOf } from '../context.ts';
import { findPracticeOrganization } from '../practice-settings/practice-organization.ts';
import { readSettings } from '../practice-settings/practice-settings.ts';
import { bookedInterval } from '../scheduling/booked-time.ts';
import { readWorkingHours, withinHours, type WorkingHours } from '../scheduling/working-hours.ts';
import type { ProposedWrite, WriteRule } from '../write-rules/write-rules.ts';

/** What a patient's request may say; anything else on an Appointment is the practice's to write. */
const REQUEST_FIELDS = new Set([
  'resourceType', 'id', 'meta', 'text', 'status', 'cancelationReason', 'appointmentType', 'reasonCode', 'description',
  'start', 'end', 'minutesDuration', 'created', 'comment', 'participant',
]);
/** Statuses a patient may still move or cancel: not yet under way, ended or cancelled. */
const CHANGEABLE: readonly Appointment['status'][] = ['proposed', 'pending', 'booked'];
const PHONE = 'Please phone the practice';

function patientBound(proposed: ProposedWrite): readonly string[] | undefined {
  const p = proposed.ctx.principal;
  return p.kind === 'user' && p.patients !== undefined ? p.patients : undefined;
}

const refused = (message: string) => errors.forbidden(message);
const rule = (message: string, expression: string) => errors.businessRule(message, expression);

export const patientAppointmentRule: WriteRule = async (proposed) => {
  const patients = patientBound(proposed);
  if (patients === undefined) return;
  if (proposed.write.method === 'DELETE' || proposed.write.resource === undefined) throw refused('An appointment is cancelled, not deleted');
  const wanted = proposed.write.resource as Appointment;
  const practice = await findPracticeOrganization(proposed.tx);
  const settings = readSettings(practice).selfScheduling;
  const hours = readWorkingHours(practice);
  const current = (await proposed.current())?.resource as Appointment | undefined;
  const now = nowOf(proposed.ctx);

  if (current === undefined) {
    if (!settings.book) throw refused(`This practice does not take appointment requests online. ${PHONE} to make an appointment.`);
    await checkRequest(proposed, wanted, patients, settings.needsApproval, hours, now);
    return;
  }

  const start = bookedInterval(current)?.start;
  if (wanted.status === 'cancelled' && current.status !== 'cancelled') {
    const mayCancel = settings.cancel || (settings.book && current.status === 'proposed');
    if (!mayCancel) throw refused(`This practice does not take cancellations online. ${PHONE} to cancel.`);
    if (!CHANGEABLE.includes(current.status) || start === undefined || start <= now) throw rule('Only an upcoming appointment can be cancelled', 'Appointment.status');
    if (!wanted.cancelationReason?.text?.trim() && !wanted.cancelationReason?.coding?.length) throw rule('Say why you are cancelling (cancelationReason)', 'Appointment.cancelationReason');
    const unchanged = (a: Appointment) => canonical({ ...a, meta: undefined, text: undefined, status: undefined, cancelationReason: undefined });
    if (unchanged(wanted) !== unchanged(current)) throw rule('Cancelling changes only the status and the reason', 'Appointment');
    return;
  }

  // Anything else is a reschedule (or a resend of the same request).
  if (!settings.reschedule) throw refused(`This practice does not take changes to appointments online. ${PHONE} to change your appointment.`);
  if (!CHANGEABLE.includes(current.status) || start === undefined || start <= now) throw rule('Only an upcoming appointment can be moved', 'Appointment.status');
  if (canonical(wanted.appointmentType ?? null) !== canonical(current.appointmentType ?? null)) throw rule('Moving an appointment keeps its visit type; request a new one for another type', 'Appointment.appointmentType');
  await checkRequest(proposed, wanted, patients, settings.needsApproval, hours, now);
};

/** A new or moved appointment as a patient may ask for it. */
async function checkRequest(proposed: ProposedWrite, wanted: Appointment, patients: readonly string[], needsApproval: boolean, hours: WorkingHours, now: number): Promise<void> {
  for (const field of Object.keys(wanted)) {
    if (!REQUEST_FIELDS.has(field)) throw rule(`${field} is set by the practice, not in a request`, `Appointment.${field}`);
  }
  if (needsApproval ? wanted.status !== 'proposed' : wanted.status !== 'proposed' && wanted.status !== 'booked') {
    throw rule(needsApproval ? 'The practice confirms appointments itself: a request is proposed' : 'A request is booked (or proposed)', 'Appointment.status');
  }
  if (wanted.cancelationReason !== undefined) throw rule('Only a cancelled appointment has a cancellation reason', 'Appointment.cancelationReason');
  const participants = wanted.participant ?? [];
  const of = (type: string) => participants.filter((p: AppointmentParticipant) => p.actor?.reference?.startsWith(`${type}/`));
  const own = of('Patient');
  if (own.length !== 1 || !patients.includes(own[0]!.actor!.reference!.slice('Patient/'.length))) throw rule('An appointment you ask for is for the patient this access is for, and only them', 'Appointment.participant');
  const clinicians = of('Practitioner');
  if (clinicians.length !== 1 || participants.length !== 2) throw rule('An appointment you ask for is with one of the practice\'s clinicians, and no one else', 'Appointment.participant');
  const clinician = clinicians[0]!.actor!.reference!;
  if (!(await takesAppointments(proposed, clinician))) throw rule(`${clinician} does not take appointments`, 'Appointment.participant');
  const interval = bookedInterval(wanted);
  if (interval === undefined) throw rule('An appointment you ask for has a start and an end', 'Appointment.start');
  if (interval.start <= now) throw rule('Choose a time in the future', 'Appointment.start');
  if (!withinHours(hours, interval.start, interval.end)) {
    throw new FhirError('unprocessable', [issue('business-rule', `That time is outside the practice's hours (${hours.opens}–${hours.closes}, ${hours.timeZone}). Choose one of the free times offered.`, 'Appointment.start')]);
  }
}

/** Whether the clinician has an active Schedule (takes appointments). */
async function takesAppointments(proposed: ProposedWrite, practitioner: string): Promise<boolean> {
  const { request } = parseSearch(['Schedule'], new URLSearchParams({ actor: practitioner, active: 'true' }), { strict: true, defaultCount: 1, maxCount: 1 });
  request.total = 'none';
  return (await proposed.tx.search(request)).resources.length > 0;
}

/** JSON with object keys sorted and absent values left out: the same content compares equal whatever order a client wrote it in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}
