import type { Patient } from '@medplum/fhirtypes';
import { familyFirst, mrn } from '../../fhir-format/patient.ts';
import { dateText } from '../../fhir-format/values.ts';

/** Whose chart a dialog writes to: name, MRN and birth date, repeated in every dialog that writes (NIST 7804-1). */
export function PatientIdentity({ patient }: { patient: Patient }) {
  const mrnValue = mrn(patient.identifier);
  return (
    <p className="entry-dialog-patient">
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
