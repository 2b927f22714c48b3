import type { Patient } from '@medplum/fhirtypes';
import type { ReactNode } from 'react';
import { DraftNotice } from '../../auth/draft-notice.tsx';
import type { Draft } from '../../auth/use-draft.ts';
import { WrongPatientError } from '../../clinical-lists/entry-context.ts';
import { Button, Dialog, ErrorState } from '../../design/index.ts';
import { errorAdvice, errorMessage } from '../../fhir/fhir-client.ts';
import { DialogPatient } from '../lists/dialog-patient.tsx';

/**
 * The frame of an order dialog (labs, a medication): whose chart, the draft notice, a failed
 * order in words with what was entered kept, and Cancel / Save as draft / sign.
 */
export function OrderDialog<T>(props: {
  title: string;
  patient: Patient;
  draft: Draft<T>;
  pending: boolean;
  error: unknown;
  signLabel: string;
  onSubmit: (status: 'draft' | 'active') => void;
  onClose: () => void;
  children: ReactNode;
}) {
  const { title, patient, draft, pending, error, signLabel, onSubmit, onClose, children } = props;
  return (
    <Dialog
      title={title}
      isOpen
      onOpenChange={(open) => !open && onClose()}
      isDismissable={!pending}
      actions={
        <>
          <Button variant="secondary" onPress={onClose} isDisabled={pending}>
            Cancel
          </Button>
          <Button variant="secondary" onPress={() => onSubmit('draft')} isDisabled={pending}>
            Save as draft
          </Button>
          <Button variant="primary" onPress={() => onSubmit('active')} isDisabled={pending}>
            {pending ? 'Ordering…' : signLabel}
          </Button>
        </>
      }
    >
      <DialogPatient patient={patient} />
      <DraftNotice draft={draft} />
      {error ? (
        <ErrorState
          title={error instanceof WrongPatientError ? 'Not ordered: this is not the chart the order was started in' : 'The order was not placed'}
          message={errorMessage(error)}
          advice={`${errorAdvice(error)} What you entered is kept.`}
        />
      ) : null}
      {children}
    </Dialog>
  );
}
