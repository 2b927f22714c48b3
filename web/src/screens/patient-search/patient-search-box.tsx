import type { Patient } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState, type RefObject } from 'react';
import { ComboBox, Input, Label, ListBox, ListBoxItem, Popover, Text } from 'react-aria-components';
import { useNavigate } from 'react-router';
import { useFhir } from '../../fhir/fhir-context.tsx';
import { matches } from '../../fhir/queries.ts';
import { ageText, familyFirst, mrn, sexText } from '../../fhir-format/patient.ts';
import { dateText } from '../../fhir-format/values.ts';
import { planPatientSearch } from '../../patient-search/search-terms.ts';

/** Wait this long after the last keystroke before searching (results within 150 ms after that is the target). */
const DEBOUNCE_MS = 150;
const MAX_RESULTS = 10;

/**
 * The global "Find a patient" box in the top bar: names in any order, a birth date, an MRN or a
 * phone number (patient-search/search-terms.ts reads the box); results as you type; choosing one
 * opens the chart.
 */
export function PatientSearchBox({ inputRef }: { inputRef: RefObject<HTMLInputElement | null> }) {
  const navigate = useNavigate();
  const fhir = useFhir();
  const [text, setText] = useState('');
  const typed = useDebounced(text, DEBOUNCE_MS);
  const plan = useMemo(() => planPatientSearch(typed), [typed]);
  const search = useQuery({
    queryKey: ['fhir', 'Patient', 'find', typed],
    enabled: plan.queries.length > 0,
    queryFn: async ({ signal }) => {
      const bundles = await Promise.all(
        plan.queries.map((q) => {
          const params = new URLSearchParams(q);
          if (!params.has('_count')) params.set('_count', String(MAX_RESULTS));
          return fhir.search<Patient>('Patient', params, signal);
        }),
      );
      const byId = new Map<string, Patient>();
      for (const bundle of bundles) for (const p of matches(bundle)) if (p.id && !byId.has(p.id)) byId.set(p.id, p);
      return [...byId.values()].slice(0, MAX_RESULTS);
    },
  });
  const patients = plan.queries.length > 0 ? (search.data ?? []) : [];
  const pending = text !== typed || search.isFetching;

  return (
    <ComboBox
      className="patient-search"
      inputValue={text}
      onInputChange={setText}
      items={patients}
      menuTrigger="input"
      allowsEmptyCollection
      onSelectionChange={(key) => {
        if (key === null) return;
        setText('');
        void navigate(`/patients/${String(key)}`);
        // The chart is where the user works now: reading starts at the main content, with the banner.
        document.getElementById('main')?.focus();
      }}
    >
      <Label className="visually-hidden">Find a patient</Label>
      <Input ref={inputRef} className="patient-search-input" placeholder="Find a patient: name, birth date, MRN or phone" />
      <Popover className="h-popover patient-search-popover" placement="bottom start">
        {plan.understood.length > 0 && <Text className="patient-search-understood">Searching for {plan.understood.join(' · ')}</Text>}
        <ListBox
          className="h-listbox"
          renderEmptyState={() => (
            <p className="patient-search-empty">{pending ? 'Searching…' : search.isError ? 'The search failed; try again.' : plan.queries.length === 0 ? 'Type at least two letters of a name, a birth date, an MRN or a phone number.' : 'No patient matches.'}</p>
          )}
        >
          {(p: Patient) => (
            <ListBoxItem className="h-listbox-item patient-search-item" id={p.id!} textValue={familyFirst(p.name)}>
              <span className="patient-search-name">{familyFirst(p.name)}</span>
              <span className="patient-search-meta">{[dateText(p.birthDate), ageText(p.birthDate), sexText(p.gender), mrn(p.identifier) && `MRN ${mrn(p.identifier)}`].filter(Boolean).join(' · ')}</span>
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </ComboBox>
  );
}

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}
