import { usePracticeSettings } from '../../practice/use-practice-settings.ts';
import type { DocumentReference, MedicationRequest, Patient, Practitioner, ServiceRequest } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { useUser } from '../../auth/auth-context.tsx';
import { familyFirst, mrn } from '../../fhir-format/patient.ts';
import { conceptText, dateText } from '../../fhir-format/values.ts';
import { useFhir } from '../../fhir/fhir-context.tsx';
import { orderDocumentType, requisitionNumberOf, type OrderPrint } from '../../orders/order-print.ts';
import { prescriptionText } from '../../orders/sig.ts';
import { systemName } from '../../terminology/value-sets.ts';
import { PrintDialog } from '../print/print-dialog.tsx';

function practitionerName(p: Practitioner | undefined): string {
  const name = p?.name?.[0];
  if (!name) return 'Unknown prescriber';
  return [name.prefix?.join(' '), name.given?.join(' '), name.family, name.suffix?.join(', ')].filter(Boolean).join(' ');
}

/**
 * The lab requisition or prescription as a PDF, made in the browser (pdf-lib, loaded only here),
 * shown in the browser's own viewer (print and download are there), and filed to the chart as a
 * DocumentReference on request, linked to the orders it prints.
 */
export function OrderPdfDialog({ patient, print, onClose }: { patient: Patient; print: OrderPrint; onClose: () => void }) {
  const fhir = useFhir();
  const user = useUser();
  const orders: Array<ServiceRequest | MedicationRequest> = print.kind === 'requisition' ? print.orders : [print.order];
  const first = orders[0]!;
  const requester = first.requester?.reference?.match(/^Practitioner\/([^/]+)$/)?.[1];
  const title = print.kind === 'requisition' ? 'Lab requisition' : 'Prescription';

  const practice = usePracticeSettings();
  const pdf = useQuery({
    queryKey: ['order-pdf', print.kind, ...orders.map((o) => `${o.id}/${o.meta?.versionId}`), practice.organization?.meta?.versionId],
    staleTime: Infinity,
    // The practice's name and address head the page: wait for them (a failed read prints the name from sign-in).
    enabled: !practice.query.isPending,
    queryFn: async () => {
      const orderer = requester ? await fhir.read<Practitioner>('Practitioner', requester).catch(() => undefined) : undefined;
      const { orderPdf } = await import('../../orders/order-pdf.ts');
      const npi = orderer?.identifier?.find((i) => i.system === 'http://hl7.org/fhir/sid/us-npi')?.value;
      const bytes = await orderPdf({
        kind: print.kind,
        practice: practice.letterhead,
        patient: { name: familyFirst(patient.name), birthDate: patient.birthDate && dateText(patient.birthDate), sex: patient.gender, mrn: mrn(patient.identifier) },
        orderer: { name: practitionerName(orderer), npi },
        date: dateText(first.authoredOn, true),
        reference: print.kind === 'requisition' ? (requisitionNumberOf(first) ?? first.id!) : `RX-${first.id!.slice(-8).toUpperCase()}`,
        priority: print.kind === 'requisition' ? (first as ServiceRequest).priority : undefined,
        note: print.kind === 'requisition' ? (first as ServiceRequest).note?.map((n) => n.text).join(' ') : undefined,
        items:
          print.kind === 'requisition'
            ? print.orders.map((o) => ({ title: conceptText(o.code), code: o.code?.coding?.[0] && `${systemName(o.code.coding[0].system)} ${o.code.coding[0].code}`, lines: o.patientInstruction ? [o.patientInstruction] : [] }))
            : [
                {
                  title: conceptText(print.order.medicationCodeableConcept),
                  code: print.order.medicationCodeableConcept?.coding?.[0] && `${systemName(print.order.medicationCodeableConcept.coding[0].system)} ${print.order.medicationCodeableConcept.coding[0].code}`,
                  lines: [prescriptionText(print.order)],
                },
              ],
      });
      return new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/pdf' });
    },
  });
  return (
    <PrintDialog
      title={title}
      patient={patient}
      pdf={pdf}
      onClose={onClose}
      toDocument={({ binaryId, size }) => ({
        resourceType: 'DocumentReference',
        status: 'current',
        docStatus: 'final',
        type: orderDocumentType(print.kind),
        subject: { reference: `Patient/${patient.id}` },
        date: new Date().toISOString(),
        ...(user.fhirUser?.startsWith('Practitioner/') ? { author: [{ reference: user.fhirUser }] } : {}),
        description: `${title} ${orders.map((o) => conceptText(o.resourceType === 'ServiceRequest' ? o.code : o.medicationCodeableConcept)).join(', ')}`,
        content: [{ attachment: { contentType: 'application/pdf', url: `Binary/${binaryId}`, title: `${title}.pdf`, size, creation: new Date().toISOString() } }],
        context: { related: orders.map((o) => ({ reference: `${o.resourceType}/${o.id}` })) },
      })}
    />
  );
}
