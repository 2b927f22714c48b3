import type { Patient, Resource } from '@medplum/fhirtypes';
import { useState } from 'react';
import { useUser } from '../../auth/auth-context.tsx';
import { useDraft, type Draft } from '../../auth/use-draft.ts';
import type { EntryContext, FieldErrors } from '../../clinical-lists/entry-context.ts';
import { useEntrySave, type EntrySave } from './use-entry-save.ts';

export interface EntryFormOptions<F, T extends Resource> {
  type: T['resourceType'];
  patient: Patient;
  /** The stored entry being edited; undefined when adding. */
  stored: T | undefined;
  /** The draft's name within the chart (`problem.<id>`, `problem.new`). */
  draftName: string;
  /** The form's values when there is no draft. */
  initial: F;
  /** Errors by field; an empty object lets the save go ahead. */
  validate: (form: F, now: Date) => FieldErrors<F>;
  /** The resource to save, built on the stored version (theirs after a conflict). */
  build: (form: F, base: T | undefined, context: EntryContext) => T;
  /** After a successful save, before the dialog closes. */
  onSaved?: (form: F) => void;
  onClose: () => void;
}

export interface EntryForm<F, T extends Resource> {
  form: F;
  set: (patch: Partial<F>) => void;
  errors: FieldErrors<F>;
  draft: Draft<F>;
  /** Spread onto `EntryDialog`: patient, save state, save and discard. */
  dialog: { patient: Patient; isOpen: true; onClose: () => void; save: EntrySave<T>; onSave: () => void; onDiscard: () => void };
}

/**
 * One chart-list add/edit form: what is typed is a local draft of this chart until it is saved;
 * saving validates, builds the resource on the version that was opened and saves it (If-Match);
 * only a successful save forgets the draft and closes. Discarding (after a conflict) forgets it.
 */
export function useEntryForm<F, T extends Resource>(options: EntryFormOptions<F, T>): EntryForm<F, T> {
  const { type, patient, stored, draftName, initial, validate, build, onSaved, onClose } = options;
  const user = useUser();
  const openedFor = patient.id!;
  const draft = useDraft<F>(draftName, openedFor, initial);
  const save = useEntrySave<T>(type, openedFor, stored);
  const [errors, setErrors] = useState<FieldErrors<F>>({});
  const form = draft.value;
  const submit = async () => {
    const now = new Date();
    const found = validate(form, now);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    if (await save.save(build(form, save.base, { patientId: openedFor, ...(user.fhirUser ? { fhirUser: user.fhirUser } : {}), now }))) {
      onSaved?.(form);
      draft.clear();
      onClose();
    }
  };
  return {
    form,
    set: (patch) => draft.setValue({ ...form, ...patch }),
    errors,
    draft,
    dialog: {
      patient,
      isOpen: true,
      onClose,
      save,
      onSave: () => void submit(),
      onDiscard: () => {
        draft.clear();
        onClose();
      },
    },
  };
}
