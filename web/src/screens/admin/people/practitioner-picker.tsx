import type { Practitioner } from '@medplum/fhirtypes';
import { useEffect, useState } from 'react';
import { SearchPicker } from '../../../design/index.ts';
import { familyFirst } from '../../../fhir-format/patient.ts';
import { matches, useSearch } from '../../../fhir/queries.ts';

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
    <SearchPicker
      label="Practitioner record"
      placeholder="Name"
      text={text}
      onTextChange={setText}
      items={practitioners}
      listLabel="Practitioners found"
      itemKey={(p) => p.id!}
      name={(p) => familyFirst(p.name)}
      facts={practitionerFacts}
      emptyText={empty}
      onPick={onPick}
      {...(errorMessage !== undefined ? { errorMessage } : {})}
    />
  );
}
