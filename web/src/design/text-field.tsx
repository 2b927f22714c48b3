import { FieldError, Input, Label, Text, TextArea, TextField as AriaTextField, type TextFieldProps as AriaTextFieldProps } from 'react-aria-components';

export interface TextFieldProps extends Omit<AriaTextFieldProps, 'className' | 'children'> {
  label: string;
  description?: string;
  /** Shown when invalid; react-aria also shows the browser's own validation messages here. */
  errorMessage?: string;
  multiline?: boolean;
  placeholder?: string;
}

/** A labelled text input with description and error message wired to it for assistive technology. */
export function TextField({ label, description, errorMessage, multiline, placeholder, ...props }: TextFieldProps) {
  return (
    <AriaTextField {...props} className="h-field">
      <Label className="h-field-label">{label}</Label>
      {multiline ? <TextArea className="h-input" placeholder={placeholder} /> : <Input className="h-input" placeholder={placeholder} />}
      {description && (
        <Text slot="description" className="h-field-description">
          {description}
        </Text>
      )}
      <FieldError className="h-field-error">{errorMessage}</FieldError>
    </AriaTextField>
  );
}
