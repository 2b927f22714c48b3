import type { Patient, Practitioner, Reference } from '@medplum/fhirtypes';
import { useState } from 'react';
import { useUser } from '../../auth/auth-context.tsx';
import { Button, Dialog, ErrorState, Select, TextField } from '../../design/index.ts';
import { errorAdvice, errorMessage } from '../../fhir/fhir-client.ts';
import { matches, useSearch } from '../../fhir/queries.ts';
import { givenFirst } from '../../fhir-format/patient.ts';
import { DialogPatient } from '../lists/dialog-patient.tsx';

export interface SignDialogProps {
  isOpen: boolean;
  onClose: () => void;
  patient: Patient;
  title: string;
  words?: number;
  /** `trainee`: signed as preliminary, naming the supervisor who must co-sign. */
  mode: 'sign' | 'trainee' | 'cosign';
  onConfirm: (supervisor?: Reference<Practitioner>) => Promise<void>;
}

/**
 * "Sign this note?": repeats whose chart it is (name, MRN, birth date — NIST 7804-1, UX-02) and
 * what signing means (locked; corrections by addendum). A failure is shown in words and the
 * note stays as it was.
 */
export function SignDialog({ isOpen, onClose, patient, title, words, mode, onConfirm }: SignDialogProps) {
  const user = useUser();
  const [supervisor, setSupervisor] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>();
  const [search, setSearch] = useState('');
  // A practice's directory can hold thousands of practitioners: found by name, not listed whole.
  const practitioners = useSearch<Practitioner>('Practitioner', { name: search.trim(), _count: 20 }, { enabled: search.trim().length >= 2 });
  const options = matches(practitioners.data)
    .filter((p) => `Practitioner/${p.id}` !== user.fhirUser)
    .map((p) => ({ id: `Practitioner/${p.id}`, label: givenFirst(p.name) || p.id! }));
  const confirm = async () => {
    setPending(true);
    setError(undefined);
    try {
      const chosen = options.find((o) => o.id === supervisor);
      await onConfirm(chosen ? { reference: chosen.id, display: chosen.label } : undefined);
      onClose();
    } catch (e) {
      setError(e);
    } finally {
      setPending(false);
    }
  };
  const verb = mode === 'cosign' ? 'Co-sign' : 'Sign';
  return (
    <Dialog
      title={`${verb} this note?`}
      isOpen={isOpen}
      onOpenChange={(open) => !open && !pending && onClose()}
      isDismissable={!pending}
      actions={
        <>
          <Button variant="secondary" onPress={onClose} isDisabled={pending}>
            Cancel
          </Button>
          <Button variant="primary" onPress={() => void confirm()} isDisabled={pending || (mode === 'trainee' && supervisor === null)}>
            {pending ? 'Signing…' : `${verb} note`}
          </Button>
        </>
      }
    >
      <DialogPatient patient={patient} className="sign-patient" />
      <p>
        <strong>{title}</strong>
        {words !== undefined ? ` · ${words} words` : ''}
      </p>
      {mode === 'trainee' ? (
        <>
          <p>Your signature leaves the note preliminary: it is final once your supervisor co-signs it. Nobody can change it after you sign.</p>
          <TextField label="Find the supervising physician" description="Two or more letters of their name" value={search} onChange={setSearch} />
          <Select
            label="Supervising physician"
            options={options}
            selectedKey={supervisor}
            onSelectionChange={setSupervisor}
            isRequired
            isDisabled={options.length === 0}
            placeholder={search.trim().length < 2 ? 'Find them by name first' : practitioners.isPending ? 'Searching…' : options.length === 0 ? 'Nobody of that name' : 'Choose who co-signs'}
          />
        </>
      ) : (
        <p>Signing locks the note: nobody can change it afterwards. Corrections and later findings go in an addendum.</p>
      )}
      {error !== undefined && <ErrorState title="The note was not signed" message={errorMessage(error)} advice={errorAdvice(error)} />}
    </Dialog>
  );
}
