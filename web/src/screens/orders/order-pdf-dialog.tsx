import type { DocumentReference, MedicationRequest, Patient, Practitioner, ServiceRequest } from '@medplum/fhirtypes';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useUser } from '../../auth/auth-context.tsx';
import { Button, Dialog, ErrorState, LoadingSkeleton } from '../../design/index.ts';
import { familyFirst, mrn } from '../../fhir-format/patient.ts';
import { conceptText, dateText } from '../../fhir-format/values.ts';
import { errorAdvice, errorMessage } from '../../fhir/fhir-client.ts';
import { useFhir } from '../../fhir/fhir-context.tsx';
import { orderDocumentType, requisitionNumberOf, type OrderPrint } from '../../orders/order-print.ts';
import { prescriptionText } from '../../orders/sig.ts';
import { systemName } from '../../terminology/value-sets.ts';
import '../print/print.css';
import { useBlobUrl } from '../print/use-blob-url.ts';
import { PatientIdentity } from './patient-identity.tsx';

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
  const queryClient = useQueryClient();
  const orders: Array<ServiceRequest | MedicationRequest> = print.kind === 'requisition' ? print.orders : [print.order];
  const first = orders[0]!;
  const requester = first.requester?.reference?.match(/^Practitioner\/([^/]+)$/)?.[1];
  const title = print.kind === 'requisition' ? 'Lab requisition' : 'Prescription';

  const pdf = useQuery({
    queryKey: ['order-pdf', print.kind, ...orders.map((o) => `${o.id}/${o.meta?.versionId}`)],
    staleTime: Infinity,
    queryFn: async () => {
      const orderer = requester ? await fhir.read<Practitioner>('Practitioner', requester).catch(() => undefined) : undefined;
      const { orderPdf } = await import('../../orders/order-pdf.ts');
      const npi = orderer?.identifier?.find((i) => i.system === 'http://hl7.org/fhir/sid/us-npi')?.value;
      const bytes = await orderPdf({
        kind: print.kind,
        practice: user.practice,
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
  const url = useBlobUrl(pdf.data);

  const file = useMutation({
    mutationFn: async (blob: Blob) => {
      const binary = await fhir.uploadBinary(blob, 'application/pdf', `Patient/${patient.id}`);
      const doc: DocumentReference = {
        resourceType: 'DocumentReference',
        status: 'current',
        docStatus: 'final',
        type: orderDocumentType(print.kind),
        subject: { reference: `Patient/${patient.id}` },
        date: new Date().toISOString(),
        ...(user.fhirUser?.startsWith('Practitioner/') ? { author: [{ reference: user.fhirUser }] } : {}),
        description: `${title} ${orders.map((o) => conceptText(o.resourceType === 'ServiceRequest' ? o.code : o.medicationCodeableConcept)).join(', ')}`,
        content: [{ attachment: { contentType: 'application/pdf', url: `Binary/${binary.id}`, title: `${title}.pdf`, size: blob.size, creation: new Date().toISOString() } }],
        context: { related: orders.map((o) => ({ reference: `${o.resourceType}/${o.id}` })) },
      };
      return fhir.create(doc);
    },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['fhir', 'DocumentReference'] }),
  });

  return (
    <Dialog
      title={title}
      isOpen
      onOpenChange={(open) => !open && onClose()}
      actions={
        <>
          <Button variant="secondary" onPress={onClose}>
            Close
          </Button>
          <Button variant="primary" isDisabled={!pdf.data || file.isPending || file.isSuccess} onPress={() => pdf.data && file.mutate(pdf.data)}>
            {file.isSuccess ? 'Filed to the chart' : file.isPending ? 'Filing…' : 'File to the chart'}
          </Button>
        </>
      }
    >
      <PatientIdentity patient={patient} />
      {pdf.isPending ? (
        <LoadingSkeleton lines={6} label={`Making the ${title.toLowerCase()}`} />
      ) : pdf.isError ? (
        <ErrorState title={`Could not make the ${title.toLowerCase()}`} message={errorMessage(pdf.error)} advice={errorAdvice(pdf.error)} onRetry={() => void pdf.refetch()} />
      ) : url ? (
        <iframe className="print-pdf" src={url} title={`PDF: ${title}`} />
      ) : null}
      {file.isError && <ErrorState title="Not filed" message={errorMessage(file.error)} advice={errorAdvice(file.error)} />}
      {file.isSuccess && (
        <p role="status" className="muted">
          Filed to the chart: it is in Documents.
        </p>
      )}
    </Dialog>
  );
}
