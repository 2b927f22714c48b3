import type { Observation, Patient } from '@medplum/fhirtypes';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { format } from 'date-fns';
import { useState } from 'react';
import { useUser } from '../../auth/auth-context.tsx';
import { enteredInErrorTransaction } from '../../clinical/vital-signs-record.ts';
import { Button, Dialog, ErrorState, TextField } from '../../design/index.ts';
import { errorAdvice, errorMessage } from '../../fhir/fhir-client.ts';
import { useFhir } from '../../fhir/fhir-context.tsx';
import { useRead } from '../../fhir/queries.ts';
import { DialogPatient } from '../lists/dialog-patient.tsx';

/**
 * Marks one recorded set of vital signs (a flowsheet column) as entered in error, with a reason:
 * the set leaves the flowsheet, trends and the chart summary but stays in the record, marked.
 * The dialog repeats whose chart this is and what will be marked, since it cannot be undone here.
 */
export function EnteredInErrorDialog({ patientId, takenAt, observations, onClose }: { patientId: string; takenAt: string; observations: Observation[]; onClose: () => void }) {
  const fhir = useFhir();
  const user = useUser();
  const queryClient = useQueryClient();
  const patient = useRead<Patient>('Patient', patientId).data;
  const [reason, setReason] = useState('');
  const [tried, setTried] = useState(false);
  const mark = useMutation({
    mutationFn: () => fhir.transaction(enteredInErrorTransaction(observations, reason, { ...(user.fhirUser ? { fhirUser: user.fhirUser } : {}), now: new Date() })),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['fhir', 'Observation'] });
      onClose();
    },
  });
  const missing = reason.trim() === '';
  // The set's grouping panel holds no value of its own: the readings are its members.
  const readings = observations.filter((o) => o.valueQuantity !== undefined || (o.component?.length ?? 0) > 0).length;
  const when = format(new Date(takenAt), 'd MMM yyyy, HH:mm');
  return (
    <Dialog
      title={`Mark the vital signs of ${when} as entered in error`}
      isOpen
      onOpenChange={(open) => !open && onClose()}
      isDismissable={!mark.isPending}
      actions={
        <>
          <Button variant="secondary" onPress={onClose} isDisabled={mark.isPending}>
            Cancel
          </Button>
          <Button
            variant="danger"
            onPress={() => {
              setTried(true);
              if (!missing) mark.mutate();
            }}
            isDisabled={mark.isPending}
          >
            {mark.isPending ? 'Marking…' : 'Mark as entered in error'}
          </Button>
        </>
      }
    >
      {patient && <DialogPatient patient={patient} />}
      <p>
        The {readings === 1 ? 'reading' : `${readings} readings`} taken {when} leave the flowsheet, the trends and the chart summary. They stay in
        the record, marked as entered in error with your reason.
      </p>
      {mark.error ? <ErrorState title="Nothing was marked" message={errorMessage(mark.error)} advice={errorAdvice(mark.error)} /> : null}
      <TextField
        label="Reason"
        value={reason}
        onChange={setReason}
        isRequired
        autoFocus
        placeholder="e.g. recorded in the wrong chart, device misread"
        isInvalid={tried && missing}
        errorMessage={tried && missing ? 'Say why, for whoever reads the record later.' : undefined}
      />
    </Dialog>
  );
}
