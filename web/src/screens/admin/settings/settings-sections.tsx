/**
 * The settings page's sections, each a Panel of fields bound to the form: the practice's details
 * and logo, visit types (the schedule's own dialog), results release, self-scheduling, message
 * attachments and the idle time-out. Errors come in by field, from the form's checks or the server.
 */
import { useState } from 'react';
import { Checkbox, CheckboxGroup, FileTrigger, Label, Radio, RadioGroup } from 'react-aria-components';
import { Button, Panel, TextField } from '../../../design/index.ts';
import { ATTACHMENT_TYPES, LOGO_MAX_BYTES, RANGES, RELEASE_MODES, SERVER_IDLE_MINUTES, type ReleaseMode, type SettingsField, type SettingsForm } from '../../../practice/practice-settings.ts';
import { useVisitTypes } from '../../schedule/schedule-data.ts';
import { VisitTypesDialog } from '../../schedule/visit-types-dialog.tsx';

export interface SectionProps {
  form: SettingsForm;
  set: (patch: Partial<SettingsForm>) => void;
  errors: Partial<Record<SettingsField, string>>;
}

/** Text field props for one form field: value, change, and its error. */
function bind(p: SectionProps, field: 'name' | 'addressLine' | 'city' | 'state' | 'postalCode' | 'phone' | 'delayDays' | 'maxMegabytes' | 'idleMinutes') {
  return { value: p.form[field], onChange: (v: string) => p.set({ [field]: v }), isInvalid: p.errors[field] !== undefined, errorMessage: p.errors[field] };
}

function GroupError({ message }: { message: string | undefined }) {
  return message ? <p className="h-field-error">{message}</p> : null;
}

function Tick({ value, children }: { value?: string; children: string }) {
  return (
    <Checkbox value={value} className="h-checkbox">
      {({ isSelected }) => (
        <>
          <span className="h-checkbox-box" aria-hidden="true">
            {isSelected ? '✓' : ''}
          </span>
          {children}
        </>
      )}
    </Checkbox>
  );
}

function SingleTick({ label, isSelected, onChange }: { label: string; isSelected: boolean; onChange: (v: boolean) => void }) {
  return (
    <Checkbox isSelected={isSelected} onChange={onChange} className="h-checkbox">
      <span className="h-checkbox-box" aria-hidden="true">
        {isSelected ? '✓' : ''}
      </span>
      {label}
    </Checkbox>
  );
}

export function DetailsSection(p: SectionProps) {
  const [logoError, setLogoError] = useState<string>();
  const pick = async (files: FileList | null) => {
    const file = files?.[0];
    if (!file) return;
    if (file.type !== 'image/png' && file.type !== 'image/jpeg') return setLogoError(`“${file.name}” is not a PNG or JPEG picture.`);
    if (file.size > LOGO_MAX_BYTES) return setLogoError(`“${file.name}” is ${Math.ceil(file.size / 1024)} KB; a logo may be at most ${LOGO_MAX_BYTES / 1024} KB.`);
    const bytes = new Uint8Array(await file.arrayBuffer());
    let binary = '';
    for (const b of bytes) binary += String.fromCharCode(b);
    setLogoError(undefined);
    p.set({ logo: { contentType: file.type, data: btoa(binary) } });
  };
  const logoProblem = logoError ?? p.errors.logo;
  return (
    <Panel title="Practice details">
      <p className="muted settings-intro">Printed at the top of after-visit summaries, requisitions and prescriptions.</p>
      <div className="settings-fields">
        <TextField label="Practice name" isRequired {...bind(p, 'name')} />
        <TextField label="Street address" {...bind(p, 'addressLine')} />
        <div className="settings-row">
          <TextField label="City" {...bind(p, 'city')} />
          <TextField label="State" {...bind(p, 'state')} />
          <TextField label="ZIP code" {...bind(p, 'postalCode')} />
        </div>
        <TextField label="Phone" type="tel" {...bind(p, 'phone')} />
        <div className="settings-logo" role="group" aria-labelledby="settings-logo-label">
          <span id="settings-logo-label" className="h-field-label">
            Logo
          </span>
          {p.form.logo ? <img className="settings-logo-preview" src={`data:${p.form.logo.contentType};base64,${p.form.logo.data}`} alt="The practice's logo as it will print" /> : <span className="muted">No logo: printouts start with the name.</span>}
          <div className="settings-logo-actions">
            <FileTrigger acceptedFileTypes={['image/png', 'image/jpeg']} onSelect={(files) => void pick(files)}>
              <Button size="sm" variant="secondary">
                {p.form.logo ? 'Replace logo…' : 'Choose a logo…'}
              </Button>
            </FileTrigger>
            {p.form.logo && (
              <Button size="sm" variant="quiet" onPress={() => p.set({ logo: null })}>
                Remove logo
              </Button>
            )}
          </div>
          <span className="h-field-description">PNG or JPEG, at most {LOGO_MAX_BYTES / 1024} KB; printed at most 2 inches wide.</span>
          <GroupError message={logoProblem} />
        </div>
      </div>
    </Panel>
  );
}

export function VisitTypesSection() {
  const { query, types } = useVisitTypes();
  const [editing, setEditing] = useState(false);
  return (
    <Panel
      title="Visit types"
      actions={
        <Button size="sm" variant="secondary" onPress={() => setEditing(true)}>
          Edit visit types
        </Button>
      }
    >
      <p className="muted settings-intro">What the front desk books, and how long each takes. Saved on their own, at once.</p>
      {query.isPending ? (
        <p className="muted">Loading visit types…</p>
      ) : query.isError ? (
        <p className="h-field-error">Could not load the visit types.</p>
      ) : types.length === 0 ? (
        <p className="muted">No visit types yet.</p>
      ) : (
        <ul className="settings-visit-types">
          {types.map((t) => (
            <li key={t.id}>
              <span>{t.title}</span> <span className="muted">{t.minutes} min</span>
            </li>
          ))}
        </ul>
      )}
      {editing && <VisitTypesDialog onClose={() => setEditing(false)} />}
    </Panel>
  );
}

export function ResultsReleaseSection(p: SectionProps) {
  const { min, max } = RANGES.delayDays;
  return (
    <Panel title="Test results for patients">
      <RadioGroup className="settings-radios" value={p.form.releaseMode} onChange={(v) => p.set({ releaseMode: v as ReleaseMode })} isInvalid={p.errors.releaseMode !== undefined}>
        <Label className="h-field-label">When patients see a new result in the portal</Label>
        {RELEASE_MODES.map((m) => (
          <Radio key={m.id} value={m.id} className="settings-radio">
            <span className="settings-radio-mark" aria-hidden="true" />
            <span>
              <span className="settings-radio-label">{m.label}</span>
              <span className="settings-radio-description">{m.description}</span>
            </span>
          </Radio>
        ))}
        <GroupError message={p.errors.releaseMode} />
      </RadioGroup>
      {p.form.releaseMode === 'delayed' && (
        <div className="settings-narrow">
          <TextField label="Days after the result is final" inputMode="numeric" description={`From ${min} to ${max} days.`} {...bind(p, 'delayDays')} />
        </div>
      )}
      <p className="muted settings-note">The patient portal applies this when it shows results; clinicians always see results at once.</p>
    </Panel>
  );
}

export function SelfSchedulingSection(p: SectionProps) {
  return (
    <Panel title="Patient self-scheduling">
      <div className="settings-ticks" role="group" aria-labelledby="settings-self-label">
        <span id="settings-self-label" className="h-field-label">
          In the patient portal, patients may
        </span>
        <SingleTick label="Book appointments" isSelected={p.form.book} onChange={(book) => p.set({ book })} />
        <SingleTick label="Cancel their appointments" isSelected={p.form.cancel} onChange={(cancel) => p.set({ cancel })} />
        <SingleTick label="Reschedule their appointments" isSelected={p.form.reschedule} onChange={(reschedule) => p.set({ reschedule })} />
      </div>
      <div className="settings-ticks">
        <SingleTick label="Staff confirm each request before it is booked" isSelected={p.form.needsApproval} onChange={(needsApproval) => p.set({ needsApproval })} />
      </div>
      <GroupError message={p.errors.book} />
      <p className="muted settings-note">The server holds patients to this. A request keeps its time until staff book or decline it on the front desk’s home.</p>
    </Panel>
  );
}

export function AttachmentsSection(p: SectionProps) {
  const { min, max } = RANGES.maxMegabytes;
  return (
    <Panel title="Message attachments">
      <div className="settings-narrow">
        <TextField label="Largest attachment (MB)" inputMode="numeric" description={`From ${min} to ${max} MB per file.`} {...bind(p, 'maxMegabytes')} />
      </div>
      <CheckboxGroup className="settings-ticks" value={p.form.attachmentTypes} onChange={(attachmentTypes) => p.set({ attachmentTypes })} isInvalid={p.errors.attachmentTypes !== undefined}>
        <Label className="h-field-label">Patients may attach</Label>
        {ATTACHMENT_TYPES.map((t) => (
          <Tick key={t.id} value={t.id}>
            {t.label}
          </Tick>
        ))}
        <GroupError message={p.errors.attachmentTypes} />
      </CheckboxGroup>
    </Panel>
  );
}

export function SessionSection(p: SectionProps) {
  const { min, max } = RANGES.idleMinutes;
  return (
    <Panel title="Signing out when idle">
      <div className="settings-narrow">
        <TextField
          label="Idle time-out (minutes)"
          inputMode="numeric"
          placeholder="The server's"
          description={`From ${min} to ${max} minutes. Empty: the server's own limit (${SERVER_IDLE_MINUTES} minutes unless changed). Applies to each session from its next sign-in or token refresh.`}
          {...bind(p, 'idleMinutes')}
        />
      </div>
      <p className="muted settings-note">A minute before the end, Heron asks “Are you still there?”; what is typed is kept as a draft.</p>
    </Panel>
  );
}
