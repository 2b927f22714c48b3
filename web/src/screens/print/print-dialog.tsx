import './print.css';
import type { DocumentReference, Patient } from '@medplum/fhirtypes';
import { useMutation, useQueryClient, type UseQueryResult } from '@tanstack/react-query';
import { Button, ClosableDialog, ErrorState, LoadingSkeleton } from '../../design/index.ts';
import { errorAdvice, errorMessage } from '../../fhir/fhir-client.ts';
import { useFhir } from '../../fhir/fhir-context.tsx';
import { DialogPatient } from '../lists/dialog-patient.tsx';
import { useBlobUrl } from './use-blob-url.ts';

/**
 * A printout made in the page (requisition, prescription, after-visit summary): whose it is, the
 * PDF in the browser's own viewer (where it prints and downloads), and on request filed to the
 * chart — the file as a Binary of the patient, then the DocumentReference `toDocument` describes.
 * Without `toDocument` it is not offered (a printout about the record, such as the accounting of
 * disclosures, made by someone who does not write to charts).
 */
export function PrintDialog({ title, patient, pdf, toDocument, onClose }: { title: string; patient: Patient; pdf: UseQueryResult<Blob>; toDocument?: (file: { binaryId: string; size: number }) => DocumentReference; onClose: () => void }) {
  const fhir = useFhir();
  const queryClient = useQueryClient();
  const url = useBlobUrl(pdf.data);
  const file = useMutation({
    mutationFn: async (blob: Blob) => {
      const binary = await fhir.uploadBinary(blob, 'application/pdf', `Patient/${patient.id}`);
      return fhir.create(toDocument!({ binaryId: binary.id!, size: blob.size }));
    },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['fhir', 'DocumentReference'] }),
  });
  const what = title.toLowerCase();
  return (
    <ClosableDialog
      title={title}
      onClose={onClose}
      actions={
        toDocument && (
          <Button variant="primary" isDisabled={!pdf.data || file.isPending || file.isSuccess} onPress={() => pdf.data && file.mutate(pdf.data)}>
            {file.isSuccess ? 'Filed to the chart' : file.isPending ? 'Filing…' : 'File to the chart'}
          </Button>
        )
      }
    >
      <DialogPatient patient={patient} />
      {pdf.isPending ? (
        <LoadingSkeleton lines={6} label={`Making the ${what}`} />
      ) : pdf.isError ? (
        <ErrorState title={`Could not make the ${what}`} message={errorMessage(pdf.error)} advice={errorAdvice(pdf.error)} onRetry={() => void pdf.refetch()} />
      ) : url ? (
        <iframe className="print-pdf" src={url} title={`PDF: ${title}`} />
      ) : null}
      {file.isError && <ErrorState title="Not filed" message={errorMessage(file.error)} advice={errorAdvice(file.error)} />}
      {file.isSuccess && (
        <p role="status" className="muted">
          Filed to the chart: it is in Documents.
        </p>
      )}
    </ClosableDialog>
  );
}
