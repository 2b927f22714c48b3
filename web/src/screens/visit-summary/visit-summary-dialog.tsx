import type { Appointment, Bundle, DocumentReference, MedicationRequest, Observation, Patient, Practitioner, ServiceRequest } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { format } from 'date-fns';
import { useUser } from '../../auth/auth-context.tsx';
import { useFhir } from '../../fhir/fhir-context.tsx';
import { matches } from '../../fhir/queries.ts';
import { usePracticeSettings } from '../../practice/use-practice-settings.ts';
import { visitSummary } from '../../visit-summary/visit-summary.ts';
import { PrintDialog } from '../print/print-dialog.tsx';

/** How the filed summary is typed: LOINC has no code for an after-visit summary, so Heron names it. */
const AFTER_VISIT_SUMMARY = { coding: [{ system: 'urn:heron:document-type', code: 'after-visit-summary', display: 'After-visit summary' }], text: 'After-visit summary' };

function practitionerName(p: Practitioner | undefined): string {
  const name = p?.name?.[0];
  if (!name) return 'your clinician';
  return [name.prefix?.join(' '), name.given?.join(' '), name.family].filter(Boolean).join(' ');
}

/**
 * The after-visit summary of a signed note's visit: gathered from the visit day's vitals and
 * orders and the next appointment, printed as a PDF in the browser (shown in its viewer, where
 * it prints), and filed to the chart on request as a DocumentReference of the visit.
 */
export function VisitSummaryDialog({ note, patient, onClose }: { note: DocumentReference; patient: Patient; onClose: () => void }) {
  const fhir = useFhir();
  const user = useUser();
  const visitDate = note.date ?? new Date().toISOString();
  const day = format(new Date(visitDate), 'yyyy-MM-dd');
  const practice = usePracticeSettings();
  const { letterhead } = practice;
  const pdf = useQuery({
    queryKey: ['visit-summary', note.id, note.meta?.versionId, practice.organization?.meta?.versionId],
    staleTime: Infinity,
    // The practice's name and address head the page: wait for them (a failed read prints the name from sign-in).
    enabled: !practice.query.isPending,
    queryFn: async () => {
      const author = note.author?.[0]?.reference?.match(/^Practitioner\/([^/]+)$/)?.[1];
      const [clinician, vitals, medications, labs, next] = await Promise.all([
        author ? fhir.read<Practitioner>('Practitioner', author).catch(() => undefined) : undefined,
        fhir.search<Observation>('Observation', { patient: patient.id, category: 'vital-signs', date: day, _count: 100 }),
        fhir.search<MedicationRequest>('MedicationRequest', { patient: patient.id, authoredon: day, _count: 50 }),
        fhir.search<ServiceRequest>('ServiceRequest', { patient: patient.id, authored: day, _count: 50 }),
        fhir.search<Appointment>('Appointment', { patient: patient.id, date: `gt${new Date().toISOString()}`, status: 'booked', _sort: 'date', _count: 1 }),
      ]);
      const summary = visitSummary({
        practice: letterhead.name,
        practicePhone: letterhead.phone,
        patient,
        clinician: practitionerName(clinician),
        visitDate,
        note,
        vitals: matches(vitals as Bundle<Observation>),
        medicationOrders: matches(medications as Bundle<MedicationRequest>),
        labOrders: matches(labs as Bundle<ServiceRequest>),
        nextAppointment: matches(next as Bundle<Appointment>)[0],
      });
      const { visitSummaryPdf } = await import('../../visit-summary/visit-summary-pdf.ts');
      return new Blob([(await visitSummaryPdf(summary, letterhead)) as Uint8Array<ArrayBuffer>], { type: 'application/pdf' });
    },
  });
  const encounter = note.context?.encounter;
  return (
    <PrintDialog
      title="After-visit summary"
      patient={patient}
      pdf={pdf}
      onClose={onClose}
      toDocument={({ binaryId, size }) => ({
        resourceType: 'DocumentReference',
        status: 'current',
        docStatus: 'final',
        type: AFTER_VISIT_SUMMARY,
        subject: { reference: `Patient/${patient.id}` },
        date: new Date().toISOString(),
        ...(user.fhirUser?.startsWith('Practitioner/') ? { author: [{ reference: user.fhirUser }] } : {}),
        description: `After-visit summary, ${format(new Date(visitDate), 'd MMM yyyy')}`,
        content: [{ attachment: { contentType: 'application/pdf', url: `Binary/${binaryId}`, title: 'After-visit summary.pdf', size, creation: new Date().toISOString() } }],
        context: { ...(encounter ? { encounter } : {}), related: [{ reference: `DocumentReference/${note.id}` }] },
      })}
    />
  );
}
