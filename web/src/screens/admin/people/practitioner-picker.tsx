import type { Practitioner } from '@medplum/fhirtypes';
import { useEffect, useState } from 'react';
import { Autocomplete, Input, Label, ListBox, ListBoxItem, Text, TextField } from 'react-aria-components';
import { familyFirst } from '../../../fhir-format/patient.ts';
import { matches, useSearch } from '../../../fhir/queries.ts';
import '../../schedule/schedule.css';

const NPI = 'http://hl7.org/fhir/sid/us-npi';

function practitionerFacts(p: Practitioner): string {
  const npi = p.identifier?.find((i) => i.system === NPI)?.value;
  const qualification = p.qualification?.[0]?.code?.text ?? p.qualification?.[0]?.code?.coding?.[0]?.display;
  return [qualification, npi ? `NPI ${npi}` : undefined, p.telecom?.find((t) => t.system === 'email')?.value].filter(Boolean).join(' · ') || `Practitioner/${p.id}`;
}

/**
 * Choosing the Practitioner a staff account signs in as (its `fhir_user`): a name search of the
 * practice's directory, listed under the field as the patient picker does.
 */
export function PractitionerPicker({ onPick, errorMessage }: { onPick: (practitioner: Practitioner) => void; errorMessage?: string }) {
  const [text, setText] = useState('');
  const [typed, setTyped] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setTyped(text.trim()), 200);
    return () => clearTimeout(timer);
  }, [text]);
  const found = useSearch<Practitioner>('Practitioner', { name: typed, _count: 10 }, { enabled: typed.length >= 2 });
  const practitioners = typed.length >= 2 ? matches(found.data) : [];
  const empty = typed.length < 2 ? 'Type two letters of their name.' : text.trim() !== typed || found.isFetching ? 'Searching…' : found.isError ? 'The search failed; try again.' : 'Nobody in the directory has that name.';
  return (
    <Autocomplete inputValue={text} onInputChange={setText} disableAutoFocusFirst>
      <TextField className="h-field" isInvalid={errorMessage !== undefined}>
        <Label className="h-field-label">Practitioner record</Label>
        <Input className="h-input" role="combobox" aria-expanded="true" aria-haspopup="listbox" placeholder="Name" />
        {errorMessage && (
          <Text slot="errorMessage" className="h-field-error">
            {errorMessage}
          </Text>
        )}
      </TextField>
      <div className="h-popover schedule-picker-list">
        <ListBox
          aria-label="Practitioners found"
          className="h-listbox"
          items={practitioners}
          onAction={(key) => {
            const p = practitioners.find((x) => x.id === key);
            if (p) onPick(p);
          }}
          renderEmptyState={() => <p className="patient-search-empty">{empty}</p>}
        >
          {(p: Practitioner) => (
            <ListBoxItem className="h-listbox-item patient-search-item" id={p.id!} textValue={`${familyFirst(p.name)}, ${practitionerFacts(p)}`}>
              <span className="patient-search-name">{familyFirst(p.name)}</span>
              <span className="patient-search-meta">{practitionerFacts(p)}</span>
            </ListBoxItem>
          )}
        </ListBox>
      </div>
    </Autocomplete>
  );
}
