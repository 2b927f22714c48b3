/**
 * The visit's steps after booking as FHIR resources: cancel, no-show, check in, room, seen, and the
 * practice's answer to a patient's request (book or decline). Each starts from the stored version,
 * so elements the screen does not show are kept. Pure; the screens send them with If-Match.
 * Booking itself (the form) is booking-form.ts.
 */
import type { Appointment, Encounter, Group, Location, Patient, Practitioner, Reference } from '@medplum/fhirtypes';
import { localIso } from './calendar-layout.ts';

export function cancelledAppointment(a: Appointment, reason: string): Appointment {
  return { ...a, status: 'cancelled', cancelationReason: { text: reason.trim() } };
}

export function noShowAppointment(a: Appointment): Appointment {
  return { ...a, status: 'noshow' };
}

/** Checked in at the front desk: the patient is here, waiting to be roomed. */
export function checkedInAppointment(a: Appointment): Appointment {
  return { ...a, status: 'arrived' };
}

export function seenAppointment(a: Appointment): Appointment {
  return { ...a, status: 'fulfilled' };
}

export function patientOf(a: Pick<Appointment, 'participant'>): Reference | undefined {
  return a.participant?.find((p) => p.actor?.reference?.startsWith('Patient/'))?.actor;
}

export function clinicianOf(a: Pick<Appointment, 'participant'>): Reference | undefined {
  return a.participant?.find((p) => p.actor?.reference?.startsWith('Practitioner/'))?.actor;
}

/**
 * The visit's Encounter when a nurse or assistant rooms the patient: in progress, in that room,
 * with the appointment's clinician, reason and type, linked to the appointment.
 */
export function roomingEncounter(a: Appointment, room: Location, now: Date, roomedBy?: string): Encounter {
  const patient = patientOf(a)! as Reference<Patient | Group>;
  const clinician = clinicianOf(a) as Reference<Practitioner> | undefined;
  const encounter: Encounter = {
    resourceType: 'Encounter',
    status: 'in-progress',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
    subject: patient,
    appointment: [{ reference: `Appointment/${a.id}` }],
    period: { start: localIso(now) },
    location: [{ location: { reference: `Location/${room.id}`, display: room.name ?? 'Room' }, status: 'active', period: { start: localIso(now) } }],
    participant: [
      ...(clinician ? [{ type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'PPRF', display: 'primary performer' }] }], individual: clinician }] : []),
      ...(roomedBy && roomedBy !== clinician?.reference ? [{ type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'PART', display: 'Participation' }] }], individual: { reference: roomedBy } }] : []),
    ],
  };
  if (a.appointmentType) encounter.type = [a.appointmentType];
  if (a.reasonCode) encounter.reasonCode = a.reasonCode;
  return encounter;
}

/** The visit is over: the Encounter is finished and leaves its room. */
export function finishedEncounter(e: Encounter, now: Date): Encounter {
  return {
    ...e,
    status: 'finished',
    period: { ...e.period, end: localIso(now) },
    ...(e.location ? { location: e.location.map((l) => (l.status === 'active' ? { ...l, status: 'completed' as const, period: { ...l.period, end: localIso(now) } } : l)) } : {}),
  };
}

/** The practice's answer to a request: booked (the clinician accepts the time), or cancelled with why. */
export function approvedAppointment(a: Appointment): Appointment {
  return { ...a, status: 'booked', participant: (a.participant ?? []).map((p) => (p.actor?.reference?.startsWith('Practitioner/') ? { ...p, status: 'accepted' as const } : p)) };
}

export function declinedAppointment(a: Appointment, reason: string): Appointment {
  return {
    ...a,
    status: 'cancelled',
    cancelationReason: { text: reason.trim() },
    participant: (a.participant ?? []).map((p) => (p.actor?.reference?.startsWith('Practitioner/') ? { ...p, status: 'declined' as const } : p)),
  };
}
