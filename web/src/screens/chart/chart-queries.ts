/**
 * The searches behind the chart at a glance, in one place so the banner and the panels share them
 * (TanStack Query runs a search once for every component that asks). Each is bounded by `_count`
 * or `max` and sorted on the server, so the chart of a patient with 20,000 observations reads
 * about as much as one with 20: nothing is ever fetched whole. They all start together when the
 * chart opens (one round of parallel requests).
 */
import type { AllergyIntolerance, Appointment, Condition, DocumentReference, Encounter, Immunization, MedicationRequest } from '@medplum/fhirtypes';
import { useLastN, useSearch } from '../../fhir/queries.ts';

/** Rows each panel lists before "+N more". */
export const GLANCE_ROWS = { problems: 8, medications: 8, immunizations: 4, results: 7, appointments: 2, encounters: 3, notes: 3 } as const;

export const ACTIVE_PROBLEM_STATUSES = 'active,recurrence,relapse';

export function useAllergies(patientId: string) {
  // Every allergy (active, inactive, "no known allergies"), so "none known" is told apart from "not recorded".
  return useSearch<AllergyIntolerance>('AllergyIntolerance', { patient: patientId, _count: 50 });
}

export function useActiveProblems(patientId: string) {
  return useSearch<Condition>('Condition', { patient: patientId, 'clinical-status': ACTIVE_PROBLEM_STATUSES, _sort: '-onset-date', _count: 50 });
}

export function useResolvedProblems(patientId: string) {
  return useSearch<Condition>('Condition', { patient: patientId, 'clinical-status': 'inactive,remission,resolved', _sort: '-abatement-date', _count: 3 });
}

export function useCurrentMedications(patientId: string) {
  return useSearch<MedicationRequest>('MedicationRequest', { patient: patientId, status: 'active,on-hold', _sort: '-authoredon', _count: 50 });
}

export function useImmunizations(patientId: string) {
  return useSearch<Immunization>('Immunization', { patient: patientId, _sort: '-date', _count: 30 });
}

export function useLatestVitals(patientId: string) {
  return useLastN(patientId, 'vital-signs', 2);
}

export function useLatestResults(patientId: string) {
  return useLastN(patientId, 'laboratory', 2);
}

export function useUpcomingAppointments(patientId: string, today: string) {
  return useSearch<Appointment>('Appointment', { patient: patientId, date: `ge${today}`, _sort: 'date', _count: 5 });
}

export function useRecentEncounters(patientId: string) {
  return useSearch<Encounter>('Encounter', { patient: patientId, _sort: '-date', _count: GLANCE_ROWS.encounters });
}

export function useRecentNotes(patientId: string) {
  return useSearch<DocumentReference>('DocumentReference', { patient: patientId, _sort: '-date', _count: GLANCE_ROWS.notes });
}
