/**
 * Heron's design system: tokens (tokens.css) and components built on react-aria-components, so
 * keyboard use, focus management and screen-reader semantics come by construction. Screens use
 * these, not raw elements with their own styles. No FHIR knowledge here.
 */
import './tokens.css';
import './base.css';
import './components.css';

export { Button, ButtonLink, type ButtonProps, type ButtonVariant } from './button.tsx';
export { TextField, type TextFieldProps } from './text-field.tsx';
export { Select, type SelectOption, type SelectProps } from './select.tsx';
export { SearchPicker, type SearchPickerProps } from './search-picker.tsx';
export { Panel, type PanelProps } from './panel.tsx';
export { DataTable, type DataColumn, type DataTableProps } from './data-table.tsx';
export { ClosableDialog, Dialog, type DialogProps } from './dialog.tsx';
export { Badge, type BadgeTone } from './badge.tsx';
export { InitialsAvatar } from './avatar.tsx';
export { EmptyState, ErrorState, LoadingSkeleton, SLOW_AFTER_MS, type ErrorStateProps } from './states.tsx';
