import type { Patient } from '@medplum/fhirtypes';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { SearchPicker } from '../../design/index.ts';
import { useFhir } from '../../fhir/fhir-context.tsx';
import { ageText, familyFirst, mrn, sexText } from '../../fhir-format/patient.ts';
import { dateText } from '../../fhir-format/values.ts';
import { findPatients, type SearchPatients } from '../../patient-search/find-patients.ts';
import { planPatientSearch } from '../../patient-search/search-terms.ts';

/** The facts that tell two patients apart (NIST 7804-1), in one line. */
export function patientFacts(p: Patient): string {
  const mrnValue = mrn(p.identifier);
  return [p.birthDate ? `born ${dateText(p.birthDate)} (${ageText(p.birthDate)})` : 'birth date not recorded', sexText(p.gender), mrnValue ? `MRN ${mrnValue}` : 'no MRN'].join(' · ');
}

/**
 * Choosing the patient to book: the same search as "Find a patient" (names in any order, birth
 * date, MRN, phone), in a field inside the dialog; choosing puts the patient in the form instead
 * of opening the chart.
 */
export function PatientPicker({ onPick, errorMessage, autoFocus }: { onPick: (patient: Patient) => void; errorMessage?: string; autoFocus?: boolean }) {
  const fhir = useFhir();
  const [text, setText] = useState('');
  const [typed, setTyped] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setTyped(text), 150);
    return () => clearTimeout(timer);
  }, [text]);
  const plan = useMemo(() => planPatientSearch(typed), [typed]);
  const search: SearchPatients = (params, signal) => fhir.search<Patient>('Patient', params, signal);
  const found = useQuery({
    queryKey: ['fhir', 'Patient', 'find', typed],
    enabled: plan.queries.length > 0,
    queryFn: ({ signal }) => findPatients(search, plan, signal),
    placeholderData: keepPreviousData,
  });
  const patients = plan.queries.length > 0 ? (found.data ?? []) : [];
  const empty =
    plan.queries.length === 0
      ? 'Type two letters of a name, a birth date or an MRN.'
      : text !== typed || found.isFetching
        ? 'Searching…'
        : found.isError
          ? 'The search failed; try again.'
          : 'No patient matches. Check the spelling, or register them first.';
  return (
    <SearchPicker
      label="Patient"
      placeholder="Name, birth date or MRN"
      text={text}
      onTextChange={setText}
      items={patients}
      listLabel="Patients found"
      itemKey={(p) => p.id!}
      name={(p) => familyFirst(p.name)}
      facts={patientFacts}
      emptyText={empty}
      onPick={onPick}
      {...(errorMessage !== undefined ? { errorMessage } : {})}
      {...(autoFocus !== undefined ? { autoFocus } : {})}
    />
  );
}
