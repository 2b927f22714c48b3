/**
 * The searches behind the notes screens: a chart's clinical notes, a note's addenda, the
 * practice's note templates, today's visit. Query keys start with `['fhir', type]` so a save
 * refreshes them.
 */
import type { Basic, DocumentReference, Encounter, Provenance } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { useFhir } from '../../fhir/fhir-context.tsx';
import { useSearch } from '../../fhir/queries.ts';
import { CLINICAL_NOTE_CATEGORY } from '../../notes/note-resource.ts';
import { TEMPLATE_KIND_SYSTEM } from '../../notes/templates.ts';

export const CLINICAL_NOTES = `${CLINICAL_NOTE_CATEGORY.system}|${CLINICAL_NOTE_CATEGORY.code}`;

export function useChartNotes(patientId: string) {
  return useSearch<DocumentReference>('DocumentReference', { patient: patientId, category: CLINICAL_NOTES, _sort: '-date', _count: 100, _include: 'DocumentReference:author' });
}

export function useAddenda(noteId: string) {
  return useSearch<DocumentReference>('DocumentReference', { relatesto: `DocumentReference/${noteId}`, _sort: 'date', _count: 50 });
}

export function useSignatures(noteId: string) {
  return useSearch<Provenance>('Provenance', { target: `DocumentReference/${noteId}`, _sort: 'recorded', _count: 50 });
}

export function useNoteHistory(noteId: string) {
  const fhir = useFhir();
  return useQuery({ queryKey: ['fhir', 'DocumentReference', 'history', noteId], queryFn: ({ signal }) => fhir.history<DocumentReference>('DocumentReference', noteId, signal) });
}

export function useTemplates() {
  return useSearch<Basic>('Basic', { code: `${TEMPLATE_KIND_SYSTEM}|note-template`, _count: 100 });
}

export function useVisits(patientId: string) {
  return useSearch<Encounter>('Encounter', { patient: patientId, status: 'in-progress', _sort: '-date', _count: 10 });
}
