/**
 * Booking and rescheduling: the form's values, their checks, and the Appointment they make (in
 * local time with its offset, with the visit type and its length). A reschedule starts from the
 * stored appointment, so elements the form does not show are kept. Pure. Kept apart from
 * booking.ts so the home screens, which only check in and room, do not load date parsing.
 */
import type { Appointment } from '@medplum/fhirtypes';
import { addMinutes, format, isValid, parse } from 'date-fns';
import { localIso } from './calendar-layout.ts';
import type { VisitType } from './visit-types.ts';

export interface BookingForm {
  patient?: { id: string; name: string };
  /** `Practitioner/<id>`. */
  practitioner: string;
  practitionerName: string;
  visitType: string;
  /** `yyyy-MM-dd`, local. */
  date: string;
  /** `HH:mm`, local. */
  time: string;
  /** Minutes, as typed; the visit type's length unless changed. */
  minutes: string;
  reason: string;
}

export type BookingErrors = Partial<Record<keyof BookingForm, string>>;

export const MAX_MINUTES = 8 * 60;

/** The start the form names, or undefined when date or time are not valid. */
export function formStart(form: Pick<BookingForm, 'date' | 'time'>): Date | undefined {
  const d = parse(`${form.date} ${form.time}`, 'yyyy-MM-dd HH:mm', new Date(0));
  return isValid(d) ? d : undefined;
}

export function validateBooking(form: BookingForm, types: readonly VisitType[], opts: { allowPast?: boolean; now?: Date } = {}): BookingErrors {
  const errors: BookingErrors = {};
  if (!form.patient) errors.patient = 'Choose the patient.';
  if (!form.practitioner) errors.practitioner = 'Choose the clinician.';
  if (!types.some((t) => t.code === form.visitType)) errors.visitType = 'Choose the visit type.';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(form.date)) errors.date = 'Enter the day.';
  if (!/^\d{2}:\d{2}$/.test(form.time)) errors.time = 'Enter the time, e.g. 09:20.';
  const minutes = Number(form.minutes);
  if (!Number.isInteger(minutes) || minutes < 5 || minutes > MAX_MINUTES) errors.minutes = `Enter a length from 5 to ${MAX_MINUTES} minutes.`;
  const start = formStart(form);
  if (!errors.date && !errors.time && start === undefined) errors.time = 'That day and time do not exist.';
  if (start && !opts.allowPast && start.getTime() < (opts.now ?? new Date()).getTime() - 60 * 60_000) errors.date = 'That time has passed; choose a later one.';
  return errors;
}

function participantsFor(form: BookingForm, base: Appointment | undefined): Appointment['participant'] {
  const others = (base?.participant ?? []).filter((p) => !p.actor?.reference?.startsWith('Patient/') && !p.actor?.reference?.startsWith('Practitioner/'));
  return [
    { actor: { reference: `Patient/${form.patient!.id}`, display: form.patient!.name }, required: 'required', status: 'accepted' },
    { actor: { reference: form.practitioner, display: form.practitionerName }, required: 'required', status: 'accepted' },
    ...others,
  ];
}

/** A new appointment, or `base` moved/changed as the form says. */
export function appointmentFrom(form: BookingForm, types: readonly VisitType[], base?: Appointment): Appointment {
  const type = types.find((t) => t.code === form.visitType)!;
  const start = formStart(form)!;
  const minutes = Number(form.minutes);
  const reason = form.reason.trim();
  const appointment: Appointment = {
    ...(base ?? { resourceType: 'Appointment' }),
    resourceType: 'Appointment',
    status: base?.status ?? 'booked',
    appointmentType: type.concept,
    start: localIso(start),
    end: localIso(addMinutes(start, minutes)),
    minutesDuration: minutes,
    participant: participantsFor(form, base),
  };
  if (reason) {
    appointment.description = reason;
    appointment.reasonCode = [{ text: reason }];
  } else {
    delete appointment.description;
    delete appointment.reasonCode;
  }
  if (!base) appointment.created = localIso(new Date());
  return appointment;
}

/** The form for editing (rescheduling) a stored appointment. */
export function bookingFormOf(a: Appointment, types: readonly VisitType[]): BookingForm {
  const patient = a.participant?.find((p) => p.actor?.reference?.startsWith('Patient/'))?.actor;
  const practitioner = a.participant?.find((p) => p.actor?.reference?.startsWith('Practitioner/'))?.actor;
  const start = a.start ? new Date(a.start) : new Date();
  const typeCode = types.find((t) => a.appointmentType?.coding?.some((c) => c.code === t.code))?.code ?? '';
  const minutes = a.minutesDuration ?? (a.start && a.end ? Math.round((Date.parse(a.end) - Date.parse(a.start)) / 60_000) : 20);
  return {
    ...(patient?.reference ? { patient: { id: patient.reference.slice('Patient/'.length), name: patient.display ?? '' } } : {}),
    practitioner: practitioner?.reference ?? '',
    practitionerName: practitioner?.display ?? '',
    visitType: typeCode,
    date: format(start, 'yyyy-MM-dd'),
    time: format(start, 'HH:mm'),
    minutes: String(minutes),
    reason: a.description ?? a.reasonCode?.[0]?.text ?? '',
  };
}
