import type { Key } from 'react-aria-components';
import { Button as AriaButton, FieldError, Label, ListBox, ListBoxItem, Popover, Select as AriaSelect, SelectValue, Text } from 'react-aria-components';

export interface SelectOption {
  id: string;
  label: string;
}

export interface SelectProps {
  label: string;
  options: readonly SelectOption[];
  selectedKey?: string | null;
  onSelectionChange?: (key: string) => void;
  description?: string;
  errorMessage?: string;
  isRequired?: boolean;
  isDisabled?: boolean;
  /** Shows `errorMessage`. */
  isInvalid?: boolean;
  placeholder?: string;
  name?: string;
}

/** A single-choice list (react-aria Select: keyboard type-ahead, announced to screen readers). */
export function Select({ label, options, selectedKey, onSelectionChange, description, errorMessage, placeholder, ...props }: SelectProps) {
  return (
    <AriaSelect
      {...props}
      className="h-field"
      placeholder={placeholder}
      {...(selectedKey !== undefined ? { selectedKey } : {})}
      onSelectionChange={(key: Key | null) => key !== null && onSelectionChange?.(String(key))}
    >
      <Label className="h-field-label">{label}</Label>
      <AriaButton className="h-select-button">
        <SelectValue />
        <span aria-hidden="true">▾</span>
      </AriaButton>
      {description && (
        <Text slot="description" className="h-field-description">
          {description}
        </Text>
      )}
      <FieldError className="h-field-error">{errorMessage}</FieldError>
      <Popover className="h-popover">
        <ListBox className="h-listbox" items={options}>
          {(option) => (
            <ListBoxItem className="h-listbox-item" id={option.id}>
              {option.label}
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </AriaSelect>
  );
}
