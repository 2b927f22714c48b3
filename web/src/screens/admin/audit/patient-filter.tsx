import type { Patient } from '@medplum/fhirtypes';
import { useState } from 'react';
import { Button, Dialog } from '../../../design/index.ts';
import { familyFirst } from '../../../fhir-format/patient.ts';
import { PatientPicker, patientFacts } from '../../schedule/patient-picker.tsx';

/**
 * The report's patient: whose record the entries concern. Chosen with the same search as "Find a
 * patient" (name, birth date, MRN), in a dialog so its list of matches does not push the page.
 */
export function PatientFilter({ patient, loading, onChange }: { patient: Patient | undefined; loading: boolean; onChange: (id: string | undefined) => void }) {
  const [choosing, setChoosing] = useState(false);
  return (
    <div className="h-field audit-patient-filter" role="group" aria-labelledby="audit-patient-label">
      <span id="audit-patient-label" className="h-field-label">
        Patient
      </span>
      <div className="audit-patient-value">
        {patient ? (
          <span>
            <strong>{familyFirst(patient.name)}</strong> <span className="muted">{patientFacts(patient)}</span>
          </span>
        ) : (
          <span className="muted">{loading ? 'Loading…' : 'Any patient'}</span>
        )}
        <Button size="sm" variant="secondary" onPress={() => setChoosing(true)}>
          {patient ? 'Change' : 'Choose a patient…'}
        </Button>
        {patient && (
          <Button size="sm" variant="quiet" onPress={() => onChange(undefined)}>
            Any patient
          </Button>
        )}
      </div>
      {choosing && (
        <Dialog title="Whose record?" isOpen onOpenChange={setChoosing} actions={<Button variant="secondary" onPress={() => setChoosing(false)}>Cancel</Button>}>
          <PatientPicker
            autoFocus
            onPick={(p) => {
              setChoosing(false);
              onChange(p.id);
            }}
          />
        </Dialog>
      )}
    </div>
  );
}
