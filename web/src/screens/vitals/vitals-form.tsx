import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useParams } from 'react-router';
import { useUser } from '../../auth/auth-context.tsx';
import { DraftNotice } from '../../auth/draft-notice.tsx';
import { useDraft } from '../../auth/use-draft.ts';
import { bmiCategory } from '../../clinical/bmi.ts';
import { readEntry, takenAtProblem, vitalSignsTransaction, type EnteredVital, type VitalsEntry } from '../../clinical/vital-signs-record.ts';
import { VITAL_SIGNS } from '../../clinical/vital-signs.ts';
import { Button, ErrorState, Panel, Select, TextField } from '../../design/index.ts';
import { errorAdvice, errorMessage } from '../../fhir/fhir-client.ts';
import { useFhir } from '../../fhir/fhir-context.tsx';

interface FormState extends VitalsEntry {
  /** When measured, as a datetime-local value; empty means now. */
  taken: string;
}

const EMPTY: FormState = { values: {}, units: {}, taken: '' };

/** Fields in the order a nurse takes them; units a person may type in are offered beside. */
const FIELDS: ReadonlyArray<{ key: EnteredVital; label: string; hint?: string }> = [
  { key: 'systolic', label: 'Systolic' },
  { key: 'diastolic', label: 'Diastolic' },
  { key: 'heartRate', label: 'Heart rate' },
  { key: 'respiratoryRate', label: 'Respiratory rate' },
  { key: 'temperature', label: 'Temperature' },
  { key: 'spo2', label: 'SpO₂' },
  { key: 'height', label: 'Height' },
  { key: 'weight', label: 'Weight' },
  { key: 'pain', label: 'Pain (0–10)' },
];

/**
 * The vital-signs entry form: values in the units the nurse uses (°F, in, lb converted on save),
 * BMI computed as they type (from the height typed, else the latest recorded), implausible values
 * refused with a message that says what to check, and the set saved as one transaction for the
 * patient the form was opened for — never another (the id is fixed when the form opens).
 */
export function VitalsForm({ knownHeightCm, onSaved }: { knownHeightCm: number | undefined; onSaved: (count: number) => void }) {
  const { patientId } = useParams() as { patientId: string };
  const [openedFor] = useState(patientId);
  const user = useUser();
  const fhir = useFhir();
  const queryClient = useQueryClient();
  const draft = useDraft<FormState>('vitals', openedFor, EMPTY);
  const [tried, setTried] = useState(false);
  const firstField = useRef<HTMLDivElement>(null);
  const form = draft.value;
  const read = readEntry(form, knownHeightCm);
  const takenProblem = takenAtProblem(form.taken, new Date());
  const problemCount = Object.keys(read.problems).length + (takenProblem ? 1 : 0);

  const save = useMutation({
    mutationFn: async () => {
      // A form is only ever saved to the chart it was opened in (NIST 7804-1).
      if (patientId !== openedFor) throw new Error('This form was opened in another patient’s chart; it was not saved. Open the vital signs from the chart you mean.');
      const bundle = vitalSignsTransaction(read.values, {
        patientId: openedFor,
        effective: form.taken ? new Date(form.taken).toISOString() : new Date().toISOString(),
        ...(user.fhirUser ? { performer: user.fhirUser } : {}),
        uuid: () => crypto.randomUUID(),
      });
      if (!bundle) throw new Error('Nothing to save: enter at least one value.');
      await fhir.transaction(bundle);
      return bundle.entry!.length - 1;
    },
    onSuccess: async (count) => {
      draft.setValue(EMPTY);
      draft.clear();
      setTried(false);
      await queryClient.invalidateQueries({ queryKey: ['fhir', 'Observation'] });
      onSaved(count);
    },
  });

  const set = (key: EnteredVital, value: string) => draft.setValue({ ...form, values: { ...form.values, [key]: value } });
  const setUnit = (key: EnteredVital, unit: string) => draft.setValue({ ...form, units: { ...form.units, [key]: unit } });
  const onSave = () => {
    setTried(true);
    if (problemCount > 0) {
      firstField.current?.querySelector<HTMLInputElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    save.mutate();
  };

  const field = ({ key, label }: (typeof FIELDS)[number]) => {
    const def = VITAL_SIGNS[key];
    const typed = form.values[key] ?? '';
    // Shown once the field has a value and the user moved on or tried to save.
    const problem = (tried || typed.trim() !== '') && read.problems[key];
    return (
      <div key={key} className="vitals-field" data-field={key}>
        <TextField
          label={def.units.length > 1 ? label : `${label} (${def.unit.label || 'score'})`}
          value={typed}
          onChange={(v) => set(key, v)}
          inputMode="decimal"
          autoComplete="off"
          isInvalid={Boolean(problem)}
          {...(problem ? { errorMessage: problem } : {})}
        />
        {def.units.length > 1 && (
          <Select label={`${label} unit`} options={def.units.map((u) => ({ id: u.code, label: u.label }))} selectedKey={form.units[key] ?? def.unit.code} onSelectionChange={(u) => setUnit(key, u)} />
        )}
      </div>
    );
  };

  return (
    <Panel title="Record vital signs">
      <form
        className="vitals-form"
        onSubmit={(e) => {
          e.preventDefault();
          onSave();
        }}
        noValidate
      >
        <DraftNotice draft={draft} />
        <div className="vitals-fields" ref={firstField}>
          <fieldset className="vitals-bp">
            <legend>Blood pressure (mmHg)</legend>
            {field(FIELDS[0]!)}
            <span className="vitals-bp-slash" aria-hidden="true">
              /
            </span>
            {field(FIELDS[1]!)}
          </fieldset>
          {FIELDS.slice(2).map(field)}
          <div className="vitals-bmi" role="status" aria-live="polite">
            <span className="h-field-label">BMI (computed)</span>
            <output className="vitals-bmi-value">
              {read.values.bmi !== undefined ? (
                <>
                  <strong>{read.values.bmi}</strong> kg/m² · {bmiCategory(read.values.bmi)}
                  {read.values.height === undefined && knownHeightCm !== undefined && <span className="muted"> (latest height {knownHeightCm} cm)</span>}
                </>
              ) : (
                <span className="muted">Enter weight{knownHeightCm === undefined ? ' and height' : ''}</span>
              )}
            </output>
          </div>
          <TextField
            label="Taken at"
            description="Leave empty for now"
            type="datetime-local"
            value={form.taken}
            onChange={(v) => draft.setValue({ ...form, taken: v })}
            isInvalid={takenProblem !== undefined}
            errorMessage={takenProblem}
          />
        </div>
        {tried && problemCount > 0 && (
          <p className="vitals-form-problems" role="alert">
            Not saved: {problemCount === 1 ? 'one value needs' : `${problemCount} values need`} checking. {[...Object.values(read.problems), ...(takenProblem ? [takenProblem] : [])].join('. ')}.
          </p>
        )}
        {save.isError && <ErrorState title="The vital signs were not saved" message={errorMessage(save.error)} advice={errorAdvice(save.error)} />}
        <div className="vitals-actions">
          <Button type="submit" variant="primary" isDisabled={save.isPending}>
            {save.isPending ? 'Saving…' : 'Save vital signs'}
          </Button>
        </div>
      </form>
    </Panel>
  );
}
