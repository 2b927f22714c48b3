import './lists.css';
import type { Patient, Resource } from '@medplum/fhirtypes';
import type { ReactNode } from 'react';
import { Button, Dialog, ErrorState } from '../../design/index.ts';
import { dateText } from '../../fhir-format/values.ts';
import { errorAdvice, errorMessage } from '../../fhir/fhir-client.ts';
import { WrongPatientError } from '../../clinical-lists/entry-context.ts';
import { DialogPatient } from './dialog-patient.tsx';
import type { EntrySave } from './use-entry-save.ts';

export interface EntryDialogProps<T extends Resource> {
  title: string;
  patient: Patient;
  isOpen: boolean;
  onClose: () => void;
  save: EntrySave<T>;
  /** "problem": for messages. */
  what: string;
  /** One line describing a stored version: shown when someone else changed it meanwhile. */
  describe: (resource: T) => string;
  /** Save, with the form's current values (checked by the caller). */
  onSave: () => void;
  /** Forget what was typed and close (after a conflict, to keep theirs). */
  onDiscard: () => void;
  saveLabel?: string;
  children: ReactNode;
}

/**
 * The add/edit dialog of every chart list: it repeats whose chart this is (name and MRN, NIST
 * 7804-1), shows a failed save in words, and on a conflict (someone saved the same entry since
 * it was opened) shows their version while keeping everything typed.
 */
export function EntryDialog<T extends Resource>({ title, patient, isOpen, onClose, save, what, describe, onSave, onDiscard, saveLabel = 'Save', children }: EntryDialogProps<T>) {
  return (
    <Dialog
      title={title}
      isOpen={isOpen}
      onOpenChange={(open) => !open && onClose()}
      isDismissable={!save.isPending}
      actions={
        <>
          {save.conflict && (
            <Button variant="quiet" onPress={onDiscard}>
              Discard mine, keep theirs
            </Button>
          )}
          <Button variant="secondary" onPress={onClose} isDisabled={save.isPending}>
            Cancel
          </Button>
          <Button variant="primary" onPress={onSave} isDisabled={save.isPending}>
            {save.isPending ? 'Saving…' : save.conflict ? 'Save mine over theirs' : saveLabel}
          </Button>
        </>
      }
    >
      <DialogPatient patient={patient} />
      {save.conflict && (
        <div className="h-state entry-conflict" data-kind="error" role="alert">
          <p className="h-state-title">Someone else changed this {what} after you opened it.</p>
          <p>
            Their version{save.conflict.meta?.lastUpdated ? `, saved ${dateText(save.conflict.meta.lastUpdated, true)}` : ''}: {describe(save.conflict)}.
          </p>
          <p className="muted">Nothing you typed is lost: it is still below. Save again to replace their version with yours, or discard yours to keep theirs.</p>
        </div>
      )}
      {save.error && !save.conflict ? (
        <ErrorState
          title={save.error instanceof WrongPatientError ? 'Not saved: this is not the chart the form was opened for' : `The ${what} was not saved`}
          message={errorMessage(save.error)}
          advice={save.error instanceof WrongPatientError ? 'What you typed is kept as a draft of the chart it belongs to.' : `${errorAdvice(save.error)} What you typed is kept.`}
        />
      ) : null}
      <div className="entry-form">{children}</div>
    </Dialog>
  );
}
