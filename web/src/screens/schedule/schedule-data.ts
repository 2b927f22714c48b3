/**
 * The schedule's reads and writes over the FHIR API: the visit-type catalogue, who takes
 * appointments (their `Schedule`s), the exam rooms, a range of appointments with their patients
 * and (for roles that see clinical data) the visits' Encounters, and the writes of check-in,
 * rooming, rescheduling and the rest, each with If-Match.
 */
import type { ActivityDefinition, Appointment, Bundle, Encounter, Location, Patient, Schedule } from '@medplum/fhirtypes';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useUser } from '../../auth/auth-context.tsx';
import { FhirApiError } from '../../fhir/fhir-client.ts';
import { useFhir } from '../../fhir/fhir-context.tsx';
import { included, matches, useSearch } from '../../fhir/queries.ts';
import { finishedEncounter, roomingEncounter, seenAppointment } from '../../schedule/booking.ts';
import { encounterOf } from '../../schedule/visit-stage.ts';
import { visitTypes, VISIT_TYPE_SEARCH, type VisitType } from '../../schedule/visit-types.ts';

export const ROOM_TYPE = 'urn:heron:location-type|exam-room';

/** Roles that see clinical data (the visits' Encounters) and room patients: docs/access.md. */
export function seesVisits(role: string): boolean {
  return role === 'physician' || role === 'nurse' || role === 'medical-assistant';
}
/** Roles that book, move, cancel and check in (scheduling `u`). */
export function schedules(role: string): boolean {
  return seesVisits(role) || role === 'front-desk';
}
/** Roles that may end a visit (clinical `u`). */
export function finishesVisits(role: string): boolean {
  return role === 'physician' || role === 'nurse';
}

export interface Clinician {
  reference: string;
  name: string;
}

export function useVisitTypes() {
  const query = useSearch<ActivityDefinition>('ActivityDefinition', VISIT_TYPE_SEARCH);
  const types = useMemo<VisitType[]>(() => visitTypes(matches(query.data)), [query.data]);
  return { query, types };
}

/** Clinicians who take appointments: the actors of the practice's active Schedules. */
export function useClinicians() {
  const query = useSearch<Schedule>('Schedule', { active: 'true', _count: 100 });
  const clinicians = useMemo<Clinician[]>(() => {
    const seen = new Map<string, Clinician>();
    for (const s of matches(query.data)) {
      for (const a of s.actor ?? []) {
        if (a.reference?.startsWith('Practitioner/') && !seen.has(a.reference)) seen.set(a.reference, { reference: a.reference, name: a.display ?? a.reference });
      }
    }
    return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
  }, [query.data]);
  return { query, clinicians };
}

export function useRooms(enabled = true) {
  const query = useSearch<Location>('Location', { type: ROOM_TYPE, status: 'active', _sort: 'name', _count: 100 }, { enabled });
  return { query, rooms: useMemo(() => matches(query.data), [query.data]) };
}

export interface Visit {
  appointment: Appointment;
  patient?: Patient;
  encounter?: Encounter;
}

/** Appointments from `from` to `to` (local ISO), of one clinician or all, with patients and, for clinical roles, Encounters. */
export function useVisits(range: { from: string; to: string }, clinician?: string) {
  const user = useUser();
  const withEncounters = seesVisits(user.role);
  const params = {
    date: [`ge${range.from}`, `lt${range.to}`],
    ...(clinician ? { actor: clinician } : {}),
    _include: 'Appointment:patient',
    ...(withEncounters ? { _revinclude: 'Encounter:appointment' } : {}),
    _sort: 'date',
    _count: 500,
  };
  // Read again when the window regains focus (TanStack Query's default), not on a timer: a poll
  // would need a fresh token while the user is idle, which the session grants only to activity.
  // Live updates belong to FHIR Subscriptions (the inbox's websocket).
  const query = useSearch<Appointment>('Appointment', params);
  const visits = useMemo(() => visitsOf(query.data), [query.data]);
  return { query, visits };
}

export function visitsOf(bundle: Bundle<Appointment> | undefined): Visit[] {
  const patients = included<Patient>(bundle, 'Patient');
  const encounters = [...included<Encounter>(bundle, 'Encounter').values()];
  return matches(bundle).map((appointment) => {
    const ref = appointment.participant?.find((p) => p.actor?.reference?.startsWith('Patient/'))?.actor?.reference;
    const patient = ref ? patients.get(ref) : undefined;
    const encounter = encounterOf(appointment, encounters);
    return { appointment, ...(patient ? { patient } : {}), ...(encounter ? { encounter } : {}) };
  });
}

/** Saves a changed appointment over the version it was read at (a 412 says someone changed it meanwhile). */
export function useSaveAppointment() {
  const fhir = useFhir();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (a: Appointment) =>
      a.id ? fhir.update(a as Appointment & { id: string }, a.meta?.versionId ? { ifMatch: a.meta.versionId } : {}) : fhir.create(a),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['fhir', 'Appointment'] }),
  });
}

/**
 * Rooms a checked-in patient: the visit's Encounter, created once per appointment (a conditional
 * create on `appointment=`, so two people pressing "Room" make one visit), in progress in `room`.
 */
export function useRoomPatient() {
  const fhir = useFhir();
  const user = useUser();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ appointment, room }: { appointment: Appointment; room: Location }) => {
      const wanted = roomingEncounter(appointment, room, new Date(), user.fhirUser);
      const saved = await fhir.create(wanted, { ifNoneExist: `appointment=Appointment/${appointment.id}` });
      if (saved.status === 'in-progress' && saved.location?.some((l) => l.location.reference === `Location/${room.id}`)) return saved;
      // The visit existed already (started elsewhere): move it into the room.
      return fhir.update({ ...saved, status: 'in-progress', location: wanted.location } as Encounter & { id: string }, saved.meta?.versionId ? { ifMatch: saved.meta.versionId } : {});
    },
    onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: ['fhir', 'Encounter'] }), queryClient.invalidateQueries({ queryKey: ['fhir', 'Appointment'] })]),
  });
}

/** The clinician is done: the appointment is fulfilled and the visit finished (its room freed). */
export function useFinishVisit() {
  const fhir = useFhir();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ appointment, encounter }: { appointment: Appointment; encounter?: Encounter }) => {
      if (encounter?.id) await fhir.update(finishedEncounter(encounter, new Date()) as Encounter & { id: string }, encounter.meta?.versionId ? { ifMatch: encounter.meta.versionId } : {});
      return fhir.update(seenAppointment(appointment) as Appointment & { id: string }, appointment.meta?.versionId ? { ifMatch: appointment.meta.versionId } : {});
    },
    onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: ['fhir', 'Encounter'] }), queryClient.invalidateQueries({ queryKey: ['fhir', 'Appointment'] })]),
  });
}

/** A refused double booking (409): the server's message says who holds the time. */
export function isDoubleBooking(error: unknown): boolean {
  return error instanceof FhirApiError && error.status === 409;
}
