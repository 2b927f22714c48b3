import type { Bundle, Patient } from '@medplum/fhirtypes';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { Form } from 'react-aria-components';
import { useNavigate } from 'react-router';
import { DraftNotice } from '../../auth/draft-notice.tsx';
import { useDraft } from '../../auth/use-draft.ts';
import { Badge, Button, ButtonLink, ErrorState, Panel, Select, TextField, type BadgeTone } from '../../design/index.ts';
import { errorAdvice, errorMessage } from '../../fhir/fhir-client.ts';
import { useFhir } from '../../fhir/fhir-context.tsx';
import { ageText, familyFirst, mrn, phone, sexText } from '../../fhir-format/patient.ts';
import { dateText } from '../../fhir-format/values.ts';
import {
  EMPTY_REGISTRATION,
  ifNoneExist,
  matchParameters,
  patientFromForm,
  possibleDuplicates,
  registrationErrors,
  type MatchGrade,
  type PossibleDuplicate,
  type RegistrationErrors,
  type RegistrationForm,
} from '../../patient-register/registration.ts';
import './register.css';

const SEXES = [
  { id: 'female', label: 'Female' },
  { id: 'male', label: 'Male' },
  { id: 'other', label: 'Other' },
  { id: 'unknown', label: 'Unknown' },
];

const GRADE: Record<MatchGrade, { label: string; tone: BadgeTone; says: string }> = {
  certain: { label: 'Certain match', tone: 'danger', says: 'Same identifier: this is the same person.' },
  probable: { label: 'Probable match', tone: 'warning', says: 'Same name and date of birth.' },
  possible: { label: 'Possible match', tone: 'info', says: 'Similar name, same or swapped birth date or phone.' },
  'certainly-not': { label: 'Not a match', tone: 'neutral', says: '' },
};

interface Checked {
  /** The patient the check was made for: a changed form needs a new check. */
  key: string;
  duplicates: PossibleDuplicate[];
}

/**
 * `/register`: a new patient, checked for duplicates BEFORE saving (`Patient/$match`: certain,
 * probable and possible matches, shown with what tells them apart), then created with
 * If-None-Exist on the identifier so a double submit makes one chart, and opened.
 */
export function RegisterScreen() {
  const fhir = useFhir();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const draft = useDraft<RegistrationForm>('register-patient', undefined, EMPTY_REGISTRATION);
  const form = draft.value;
  const [showErrors, setShowErrors] = useState(false);
  const errors: RegistrationErrors = useMemo(() => registrationErrors(form), [form]);
  const valid = Object.keys(errors).length === 0;
  const patient = useMemo(() => (valid ? patientFromForm(form) : undefined), [form, valid]);
  const patientKey = patient ? JSON.stringify(patient) : '';
  const [checked, setChecked] = useState<Checked | undefined>(undefined);
  const current = checked?.key === patientKey ? checked : undefined;

  const set = (field: keyof RegistrationForm) => (value: string) => draft.setValue({ ...form, [field]: value });

  const create = useMutation({
    mutationFn: async (p: Patient) => {
      const condition = ifNoneExist(p);
      return fhir.create<Patient>(p, condition ? { ifNoneExist: condition } : {});
    },
    onSuccess: (saved) => {
      draft.clear();
      void queryClient.invalidateQueries({ queryKey: ['fhir', 'Patient'] });
      void navigate(`/patients/${saved.id!}`);
    },
  });
  const check = useMutation({
    mutationFn: async (p: Patient) => possibleDuplicates(await fhir.invoke<Bundle<Patient>>('Patient', 'match', matchParameters(p))),
    onSuccess: (duplicates, p) => {
      setChecked({ key: JSON.stringify(p), duplicates });
      // Nobody like this patient: register at once (the check was the only thing between).
      if (duplicates.length === 0) create.mutate(p);
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setShowErrors(true);
    if (!patient) {
      // Focus the first field that needs correcting (WCAG 3.3.1: errors are identified).
      document.querySelector<HTMLElement>('.register-form [aria-invalid="true"]')?.focus();
      return;
    }
    if (current && current.duplicates.length > 0) return;
    check.mutate(patient);
  };
  const busy = check.isPending || create.isPending;
  const certain = current?.duplicates.some((d) => d.grade === 'certain') ?? false;
  const fieldError = (field: keyof RegistrationForm) => (showErrors ? errors[field] : undefined);
  const field = (name: keyof RegistrationForm, label: string, extra: { description?: string; type?: 'text' | 'tel' | 'email'; isRequired?: boolean; autoComplete?: string } = {}) => {
    const message = fieldError(name);
    return (
      <TextField
        label={label}
        value={form[name]}
        onChange={set(name)}
        isInvalid={message !== undefined}
        {...(message ? { errorMessage: message } : {})}
        {...extra}
      />
    );
  };

  return (
    <div className="screen register">
      <div className="screen-header">
        <h1>Register a patient</h1>
        <p className="muted">Checked for duplicates before it is saved.</p>
      </div>
      <DraftNotice draft={draft} />
      <div className="register-grid">
        <Form className="register-form" onSubmit={submit} validationBehavior="aria" aria-label="New patient">
          <fieldset>
            <legend>Name and birth</legend>
            <div className="register-row">
              {field('family', 'Family name', { isRequired: true, autoComplete: 'off' })}
              {field('given', 'Given names', { isRequired: true, autoComplete: 'off' })}
            </div>
            <div className="register-row">
              {field('birthDate', 'Date of birth', { isRequired: true, description: '6/14/1952, 1952-06-14 or 14 Jun 1952', autoComplete: 'off' })}
              <Select
                label="Sex"
                options={SEXES}
                selectedKey={form.gender || null}
                onSelectionChange={(key) => set('gender')(key)}
                isRequired
                placeholder="Choose…"
                isInvalid={fieldError('gender') !== undefined}
                {...(fieldError('gender') ? { errorMessage: fieldError('gender')! } : {})}
              />
            </div>
          </fieldset>
          <fieldset>
            <legend>Contact</legend>
            <div className="register-row">
              {field('phone', 'Phone', { type: 'tel' })}
              {field('email', 'Email', { type: 'email' })}
            </div>
            {field('line', 'Street address')}
            <div className="register-row register-row-3">
              {field('city', 'City')}
              {field('state', 'State')}
              {field('postalCode', 'ZIP code')}
            </div>
          </fieldset>
          <fieldset>
            <legend>Identifiers</legend>
            <div className="register-row">
              {field('mrn', 'MRN', { description: 'The practice’s medical record number, if it has one.' })}
              {field('ssn', 'Social Security number', { description: 'Optional: 123-45-6789' })}
            </div>
          </fieldset>
          {showErrors && !valid && (
            <p className="register-summary" role="alert">
              Correct the {Object.keys(errors).length === 1 ? 'field' : `${Object.keys(errors).length} fields`} marked above, then register.
            </p>
          )}
          <div className="register-actions">
            <Button type="submit" variant="primary" isDisabled={busy || (current !== undefined && current.duplicates.length > 0)}>
              {check.isPending ? 'Checking for duplicates…' : create.isPending ? 'Registering…' : 'Check and register'}
            </Button>
            <ButtonLink href="/" variant="quiet">
              Cancel
            </ButtonLink>
          </div>
          {check.isError && <ErrorState title="Could not check for duplicates" message={errorMessage(check.error)} advice={errorAdvice(check.error)} onRetry={() => patient && check.mutate(patient)} />}
          {create.isError && <ErrorState title="Could not register the patient" message={errorMessage(create.error)} advice={errorAdvice(create.error)} />}
        </Form>
        <div className="register-side">
          {current && current.duplicates.length > 0 ? (
            <Panel title={`Possible duplicates (${current.duplicates.length})`}>
              <div role="alert" className="register-warning">
                {certain
                  ? 'This patient is already registered. Open their chart, or correct the identifier if it was mistyped.'
                  : 'Patients like this one are already registered. Open one of them if it is the same person.'}
              </div>
              <ul className="duplicate-list">
                {current.duplicates.map((d) => (
                  <DuplicateRow key={d.patient.id} duplicate={d} />
                ))}
              </ul>
              {!certain && patient && (
                <div className="register-confirm">
                  <p>None of them is this patient?</p>
                  <Button variant="primary" isDisabled={busy} onPress={() => create.mutate(patient)}>
                    {create.isPending ? 'Registering…' : 'Register as a new patient'}
                  </Button>
                </div>
              )}
            </Panel>
          ) : (
            <Panel title="Duplicate check" level={2}>
              <p className="muted">
                {check.isPending
                  ? 'Looking for patients with the same identifier, the same name and birth date, or similar names…'
                  : 'Before saving, Heron looks for patients with the same identifier (certain), the same name and birth date (probable) or similar names with the same or swapped birth date or phone (possible).'}
              </p>
            </Panel>
          )}
        </div>
      </div>
    </div>
  );
}

function DuplicateRow({ duplicate: d }: { duplicate: PossibleDuplicate }) {
  const grade = GRADE[d.grade];
  const p = d.patient;
  const mrnValue = mrn(p.identifier);
  const phoneValue = phone(p);
  return (
    <li className="duplicate">
      <div className="duplicate-head">
        <span className="duplicate-name">{familyFirst(p.name)}</span>
        <Badge tone={grade.tone}>{grade.label}</Badge>
      </div>
      <p className="duplicate-facts">
        {[p.birthDate ? `Born ${dateText(p.birthDate)} (${ageText(p.birthDate)})` : 'Birth date not recorded', sexText(p.gender), mrnValue ? `MRN ${mrnValue}` : 'No MRN', phoneValue && `Phone ${phoneValue}`].filter(Boolean).join(' · ')}
      </p>
      <p className="duplicate-why muted">{grade.says}</p>
      <ButtonLink href={`/patients/${p.id!}`} size="sm" aria-label={`Open the chart of ${familyFirst(p.name)}`}>
        Open chart
      </ButtonLink>
    </li>
  );
}
