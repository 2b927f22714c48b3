import type { Patient } from '@medplum/fhirtypes';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState, type RefObject } from 'react';
import { Autocomplete, Input, ListBox, ListBoxItem, TextField } from 'react-aria-components';
import { useNavigate } from 'react-router';
import { useFhir } from '../../fhir/fhir-context.tsx';
import { ageText, familyFirst, isDeceased, mrn, phone, sexText } from '../../fhir-format/patient.ts';
import { dateText } from '../../fhir-format/values.ts';
import { findPatients, findRecentPatients, type SearchPatients } from '../../patient-search/find-patients.ts';
import { planPatientSearch } from '../../patient-search/search-terms.ts';
import { useRecentPatientIds } from './use-recent-patients.ts';

/**
 * Wait this long after the last keystroke before searching. Short, because the target is results
 * within 150 ms of the last keystroke; a request already sent for an older text is cancelled
 * (TanStack Query aborts the signal of a query nobody watches any more).
 */
const DEBOUNCE_MS = 60;

/**
 * The global "Find a patient" box in the top bar: names in any order, a birth date, an MRN or a
 * phone number (patient-search/search-terms.ts reads the box); results as you type, each with
 * what tells two patients apart (name, birth date and age, sex, MRN, phone: NIST 7804-1); when
 * focused and empty, the patients this user opened lately. Arrow keys and Enter open a chart.
 */
export function PatientSearchBox({ inputRef }: { inputRef: RefObject<HTMLInputElement | null> }) {
  const navigate = useNavigate();
  const fhir = useFhir();
  const [text, setText] = useState('');
  const typed = useDebounced(text, DEBOUNCE_MS);
  const plan = useMemo(() => planPatientSearch(typed), [typed]);
  const recent = useRecentPatientIds();
  const [focused, setFocused] = useState(false);
  const searchPatients: SearchPatients = (params, signal) => fhir.search<Patient>('Patient', params, signal);

  const search = useQuery({
    queryKey: ['fhir', 'Patient', 'find', typed],
    enabled: plan.queries.length > 0,
    queryFn: ({ signal }) => findPatients(searchPatients, plan, signal),
    // While the next text is searched, the last results stay instead of a flash of "Searching…".
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
  const showRecent = text.trim() === '';
  const recentQuery = useQuery({
    queryKey: ['fhir', 'Patient', 'recent', recent.ids],
    enabled: showRecent && focused && recent.ids.length > 0,
    queryFn: ({ signal }) => findRecentPatients(searchPatients, recent.ids, signal),
  });
  const patients = showRecent ? (recentQuery.data ?? []) : plan.queries.length > 0 ? (search.data ?? []) : [];
  const pending = text !== typed || search.isFetching;

  const emptyText = showRecent
    ? recentQuery.isFetching
      ? 'Loading recent patients…'
      : 'Type a name (any order), a birth date, an MRN or a phone number. Patients you open are listed here.'
    : pending
      ? 'Searching…'
      : search.isError
        ? 'The search failed; try again.'
        : plan.queries.length === 0
          ? 'Type at least two letters of a name, a birth date, an MRN or a phone number.'
          : 'No patient matches. Check the spelling or search by birth date or MRN.';

  const [open, setOpen] = useState(false);
  const openChart = (id: string) => {
    setText('');
    setOpen(false);
    void navigate(`/patients/${id}`);
    // The chart is where the user works now: reading starts at the main content, with the banner.
    // After the press has ended, or react-aria's press handling puts focus back in the box.
    requestAnimationFrame(() => document.getElementById('main')?.focus());
  };

  // react-aria's Autocomplete (a field driving a list with virtual focus) rather than its ComboBox:
  // the ComboBox hides the rest of the page with aria-hidden while open, which leaves focusable
  // elements hidden (axe: aria-hidden-focus) in the top bar every screen has.
  return (
    <div
      className="patient-search"
      onFocus={() => {
        // Another tab or screen may have opened a chart since: read the list again (cheap, local).
        recent.reload();
        setFocused(true);
        setOpen(true);
      }}
      onBlur={(event) => {
        if (event.currentTarget.contains(event.relatedTarget as Node | null)) return;
        setFocused(false);
        setOpen(false);
      }}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && open) {
          event.stopPropagation();
          setOpen(false);
        }
      }}
    >
      <Autocomplete inputValue={text} onInputChange={(value) => (setText(value), setOpen(true))} disableAutoFocusFirst>
        <TextField aria-label="Find a patient" className="patient-search-field">
          <Input
            ref={inputRef}
            role="combobox"
            aria-expanded={open}
            aria-haspopup="listbox"
            className="patient-search-input"
            placeholder="Find a patient: name, birth date, MRN or phone (press /)"
          />
        </TextField>
        {open && (
          <div className="h-popover patient-search-popover">
            {showRecent && patients.length > 0 && <p className="patient-search-understood">Recently opened</p>}
            {!showRecent && plan.understood.length > 0 && (
              <p className="patient-search-understood" aria-live="polite">
                Searching for {plan.understood.join(' · ')}
                {pending && patients.length > 0 ? ' …' : ''}
              </p>
            )}
            <ListBox
              aria-label={showRecent ? 'Recently opened patients' : 'Patients found'}
              className="h-listbox"
              items={patients}
              onAction={(key) => openChart(String(key))}
              renderEmptyState={() => <p className="h-picker-empty">{emptyText}</p>}
            >
              {(p: Patient) => <PatientOption patient={p} />}
            </ListBox>
          </div>
        )}
      </Autocomplete>
    </div>
  );
}

function PatientOption({ patient: p }: { patient: Patient }) {
  const mrnValue = mrn(p.identifier);
  const phoneValue = phone(p);
  const facts = [
    p.birthDate ? `${dateText(p.birthDate)} (${ageText(p.birthDate)})` : 'Birth date not recorded',
    sexText(p.gender),
    mrnValue ? `MRN ${mrnValue}` : 'No MRN',
    phoneValue && `Phone ${phoneValue}`,
  ].filter(Boolean);
  return (
    <ListBoxItem className="h-listbox-item h-picker-item" id={p.id!} textValue={`${familyFirst(p.name)}, ${facts.join(', ')}`}>
      <span className="h-picker-name">
        {familyFirst(p.name)}
        {isDeceased(p) && <span className="patient-search-deceased"> (deceased)</span>}
      </span>
      <span className="h-picker-facts">{facts.join(' · ')}</span>
    </ListBoxItem>
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
