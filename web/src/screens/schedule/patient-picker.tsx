import './schedule.css';
import type { Patient } from '@medplum/fhirtypes';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { Autocomplete, Input, Label, ListBox, ListBoxItem, Text, TextField } from 'react-aria-components';
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
    <Autocomplete inputValue={text} onInputChange={setText} disableAutoFocusFirst>
      <TextField className="h-field" isInvalid={errorMessage !== undefined}>
        <Label className="h-field-label">Patient</Label>
        {/* As in "Find a patient": a combobox whose list is always shown under it, inside the dialog. */}
        <Input className="h-input" role="combobox" aria-expanded="true" aria-haspopup="listbox" placeholder="Name, birth date or MRN" autoFocus={autoFocus} />
        {errorMessage && (
          <Text slot="errorMessage" className="h-field-error">
            {errorMessage}
          </Text>
        )}
      </TextField>
      <div className="h-popover schedule-picker-list">
        <ListBox
          aria-label="Patients found"
          className="h-listbox"
          items={patients}
          onAction={(key) => {
            const p = patients.find((x) => x.id === key);
            if (p) onPick(p);
          }}
          renderEmptyState={() => <p className="patient-search-empty">{empty}</p>}
        >
          {(p: Patient) => (
            <ListBoxItem className="h-listbox-item patient-search-item" id={p.id!} textValue={`${familyFirst(p.name)}, ${patientFacts(p)}`}>
              <span className="patient-search-name">{familyFirst(p.name)}</span>
              <span className="patient-search-meta">{patientFacts(p)}</span>
            </ListBoxItem>
          )}
        </ListBox>
      </div>
    </Autocomplete>
  );
}
