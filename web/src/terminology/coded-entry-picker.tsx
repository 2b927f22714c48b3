import './coded-entry-picker.css';
import type { Coding, ValueSet } from '@medplum/fhirtypes';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ComboBox, FieldError, Input, Label, ListBox, ListBoxItem, Popover, Text } from 'react-aria-components';
import { SLOW_AFTER_MS } from '../design/index.ts';
import { errorMessage } from '../fhir/fhir-client.ts';
import { useFhir } from '../fhir/fhir-context.tsx';
import { expansionChoices, filterToSend, type ExpansionPage, MIN_FILTER_LENGTH, systemName, type CodedChoice, type ValueSetUrl } from './value-sets.ts';

/** After the last keystroke; the server answers in a few ms, so this is about not flickering. */
export const PICKER_DEBOUNCE_MS = 200;
export const PICKER_PAGE = 10;

export interface CodedEntryPickerProps {
  label: string;
  valueSet: ValueSetUrl;
  /** What is chosen, for messages: "problems", "medications". */
  what: string;
  /** The chosen coding, or undefined while nothing is. */
  value: Coding | undefined;
  onChange: (coding: CodedChoice['coding'] | undefined) => void;
  placeholder?: string;
  errorMessage?: string;
  isRequired?: boolean;
  autoFocus?: boolean;
}

/**
 * A type-ahead over one of Heron's value sets (`ValueSet/$expand?filter=`): debounced, best
 * matches first, each with its code system and code; says when nothing matches, when the search
 * failed and when the server is slow. Editing the text after choosing un-chooses, so what is
 * shown is always what will be saved.
 */
export function CodedEntryPicker({ label, valueSet, what, value, onChange, placeholder, errorMessage: invalidText, isRequired, autoFocus }: CodedEntryPickerProps) {
  const fhir = useFhir();
  const [text, setText] = useState(value?.display ?? '');
  const debounced = useDebounced(text, PICKER_DEBOUNCE_MS);
  const filter = filterToSend(debounced);
  const expansion = useQuery<ExpansionPage>({
    queryKey: ['terminology', valueSet, filter],
    enabled: filter !== undefined,
    queryFn: ({ signal }) => fhir.operation<ValueSet>('ValueSet', 'expand', { url: valueSet, filter, count: PICKER_PAGE }, signal).then((vs) => expansionChoices(vs)),
    // The last answer stays listed while the next is on its way, so the list does not flicker.
    placeholderData: keepPreviousData,
    staleTime: 10 * 60_000,
    retry: 1,
  });
  const slow = useSlow(expansion.isFetching);
  const waiting = filterToSend(text) !== undefined && (text !== debounced || expansion.isFetching);
  const choices = filter !== undefined && !expansion.isError ? (expansion.data?.choices ?? []) : [];
  const total = expansion.data?.total;

  const status = (() => {
    if (filterToSend(text) === undefined) return `Type at least ${MIN_FILTER_LENGTH} letters to search ${what}.`;
    if (expansion.isError) return `Could not search ${what}: ${errorMessage(expansion.error)} Keep typing or try again in a moment.`;
    if (slow) return `Still searching ${what}; the server is slow to answer.`;
    if (waiting && choices.length === 0) return `Searching ${what}…`;
    if (choices.length === 0) return `No ${what} match “${text.trim()}”. Check the spelling, or try fewer or other words.`;
    if (total !== undefined && total > choices.length) return `Best ${choices.length} of ${total.toLocaleString()} matches; type more to narrow.`;
    // No total: the server found too many to count; a full page says there are more.
    if (total === undefined && choices.length >= PICKER_PAGE) return `Best ${choices.length} of many matches; type more to narrow.`;
    return `${choices.length} ${choices.length === 1 ? 'match' : 'matches'}.`;
  })();

  return (
    <ComboBox
      className="h-field coded-picker"
      inputValue={text}
      onInputChange={(next) => {
        setText(next);
        if (value && next !== value.display) onChange(undefined);
      }}
      items={choices}
      menuTrigger="input"
      allowsEmptyCollection
      allowsCustomValue
      isRequired={isRequired ?? false}
      isInvalid={invalidText !== undefined}
      autoFocus={autoFocus ?? false}
      onSelectionChange={(key) => {
        // null comes when the text is edited or left; un-choosing is done above, on the text itself.
        if (key === null) return;
        const choice = choices.find((c) => c.key === key);
        if (!choice) return;
        setText(choice.coding.display);
        onChange(choice.coding);
      }}
    >
      <Label className="h-field-label">{label}</Label>
      <Input className="h-input" placeholder={placeholder} />
      <Text slot="description" className="h-field-description coded-picker-chosen">
        {value ? (
          <>
            Chosen: <strong>{value.display}</strong> <span className="mono">{systemName(value.system)} {value.code}</span>
          </>
        ) : (
          `Nothing chosen yet: type, then pick one of the ${what} offered.`
        )}
      </Text>
      <FieldError className="h-field-error">{invalidText}</FieldError>
      <Popover className="h-popover coded-picker-popover" placement="bottom start">
        {/* Announced as it changes; shown above the choices, or in their place when there are none. */}
        <p className={choices.length > 0 ? 'coded-picker-status' : 'visually-hidden'} aria-live="polite" data-error={expansion.isError || undefined}>
          {status}
        </p>
        <ListBox
          className="h-listbox"
          renderEmptyState={() => (
            <span className="coded-picker-empty" data-error={expansion.isError || undefined}>
              {status}
            </span>
          )}
        >
          {(choice: CodedChoice) => (
            <ListBoxItem className="h-listbox-item coded-picker-item" id={choice.key} textValue={choice.coding.display}>
              <span className="coded-picker-display">{choice.coding.display}</span>
              <span className="coded-picker-code">{choice.codeText}</span>
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

/** True once `busy` has lasted SLOW_AFTER_MS. */
function useSlow(busy: boolean): boolean {
  const [slow, setSlow] = useState(false);
  useEffect(() => {
    if (!busy) {
      setSlow(false);
      return;
    }
    const timer = setTimeout(() => setSlow(true), SLOW_AFTER_MS);
    return () => clearTimeout(timer);
  }, [busy]);
  return slow;
}
