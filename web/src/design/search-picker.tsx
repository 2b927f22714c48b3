import type { Key } from 'react-aria-components';
import { Autocomplete, Input, Label, ListBox, ListBoxItem, Text, TextField } from 'react-aria-components';

export interface SearchPickerProps<T> {
  label: string;
  placeholder: string;
  /** What is typed; the caller searches with it. */
  text: string;
  onTextChange: (text: string) => void;
  /** The matches to choose from (the caller's search answer). */
  items: readonly T[];
  /** Names the list for screen readers: "Patients found". */
  listLabel: string;
  itemKey: (item: T) => string;
  name: (item: T) => string;
  /** The facts that tell two matches apart, under the name. */
  facts: (item: T) => string;
  /** Said in the list when there is nothing to choose: what to type, searching, no match, failed. */
  emptyText: string;
  onPick: (item: T) => void;
  errorMessage?: string;
  autoFocus?: boolean;
}

/**
 * A search field with its matches listed under it (react-aria's Autocomplete): typing searches,
 * choosing puts the match in the form. A combobox whose list is always shown, inside the dialog
 * that holds it — not a popover, which would hide the rest of the page from screen readers.
 */
export function SearchPicker<T extends object>(p: SearchPickerProps<T>) {
  return (
    <Autocomplete inputValue={p.text} onInputChange={p.onTextChange} disableAutoFocusFirst>
      <TextField className="h-field" isInvalid={p.errorMessage !== undefined}>
        <Label className="h-field-label">{p.label}</Label>
        <Input className="h-input" role="combobox" aria-expanded="true" aria-haspopup="listbox" placeholder={p.placeholder} autoFocus={p.autoFocus} />
        {p.errorMessage && (
          <Text slot="errorMessage" className="h-field-error">
            {p.errorMessage}
          </Text>
        )}
      </TextField>
      <div className="h-popover h-picker-list">
        <ListBox
          aria-label={p.listLabel}
          className="h-listbox"
          items={p.items}
          onAction={(key: Key) => {
            const item = p.items.find((x) => p.itemKey(x) === key);
            if (item) p.onPick(item);
          }}
          renderEmptyState={() => <p className="h-picker-empty">{p.emptyText}</p>}
        >
          {(item: T) => (
            <ListBoxItem className="h-listbox-item h-picker-item" id={p.itemKey(item)} textValue={`${p.name(item)}, ${p.facts(item)}`}>
              <span className="h-picker-name">{p.name(item)}</span>
              <span className="h-picker-facts">{p.facts(item)}</span>
            </ListBoxItem>
          )}
        </ListBox>
      </div>
    </Autocomplete>
  );
}
