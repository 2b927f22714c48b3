import './lists.css';
import type { Patient } from '@medplum/fhirtypes';
import { familyFirst, mrn } from '../../fhir-format/patient.ts';
import { dateText } from '../../fhir-format/values.ts';

/** Whose chart a dialog writes to, repeated inside it (NIST 7804-1): name, MRN and birth date. */
export function DialogPatient({ patient, className }: { patient: Patient; className?: string }) {
  const mrnValue = mrn(patient.identifier);
  return (
    <p className={className ? `entry-dialog-patient ${className}` : 'entry-dialog-patient'}>
      For <strong>{familyFirst(patient.name)}</strong>
      {mrnValue && (
        <>
          {' '}
          · MRN <span className="mono">{mrnValue}</span>
        </>
      )}
      {patient.birthDate && <> · born {dateText(patient.birthDate)}</>}
    </p>
  );
}
