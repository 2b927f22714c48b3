import type { ActivityDefinition, MedicationRequest, Patient } from '@medplum/fhirtypes';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useParams } from 'react-router';
import { useUser } from '../../auth/auth-context.tsx';
import { useDraft } from '../../auth/use-draft.ts';
import { checkSameChart } from '../../clinical-lists/entry-context.ts';
import { DOSE_UNITS, FREQUENCIES, ROUTES } from '../../clinical-lists/medication-entry.ts';
import { Button, Select, TextField } from '../../design/index.ts';
import { useFhir } from '../../fhir/fhir-context.tsx';
import { EMPTY_MEDICATION_ORDER, EMPTY_STEP, formFromSentence, medicationOrderFrom, sentencesFor, validateMedicationOrder, type MedicationOrderForm, type SigStep } from '../../orders/medication-order.ts';
import { prescriptionText } from '../../orders/sig.ts';
import { CodedEntryPicker } from '../../terminology/coded-entry-picker.tsx';
import { VALUE_SETS } from '../../terminology/value-sets.ts';
import { OrderDialog } from './order-dialog.tsx';

/**
 * Ordering a medication: the product from RxNorm (the coded type-ahead), then the sig either in one
 * choice from the practice's order sentences for that product or field by field; a taper is steps,
 * each with its dose, frequency and days. What will print is shown in words as it is built.
 */
export function MedicationOrderDialog({ patient, catalogue, onClose, onOrdered }: { patient: Patient; catalogue: readonly ActivityDefinition[]; onClose: () => void; onOrdered: (order: MedicationRequest) => void }) {
  const fhir = useFhir();
  const user = useUser();
  const queryClient = useQueryClient();
  const { patientId: onScreen } = useParams();
  const openedFor = patient.id!;
  const draft = useDraft<MedicationOrderForm>('medication-order.new', openedFor, EMPTY_MEDICATION_ORDER);
  const form = draft.value;
  const set = (patch: Partial<MedicationOrderForm>) => draft.setValue({ ...form, ...patch });
  const setStep = (i: number, patch: Partial<SigStep>) => set({ steps: form.steps.map((s, j) => (j === i ? { ...s, ...patch } : s)) });
  const [errors, setErrors] = useState<ReturnType<typeof validateMedicationOrder>>({});
  // A sentence chosen sets the medication too: the type-ahead is made again to show it.
  const [pickerKey, setPickerKey] = useState(0);
  const sentences = sentencesFor(catalogue, form.medication);
  const common = catalogue.filter((a) => a.kind === 'MedicationRequest' && a.status === 'active');
  const context = () => ({ patientId: openedFor, ...(user.fhirUser ? { fhirUser: user.fhirUser } : {}), now: new Date() });
  const preview = form.medication && validateMedicationOrder(form).stepErrors === undefined ? prescriptionText(medicationOrderFrom(form, context())) : '';

  const save = useMutation({
    mutationFn: async (order: MedicationRequest) => {
      checkSameChart(openedFor, onScreen, order.subject);
      return fhir.create(order);
    },
    onSuccess: async (order) => {
      draft.clear();
      await queryClient.invalidateQueries({ queryKey: ['fhir', 'MedicationRequest'] });
      onOrdered(order);
      onClose();
    },
  });

  const submit = (status: MedicationOrderForm['status']) => {
    const found = validateMedicationOrder(form);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    save.mutate(medicationOrderFrom({ ...form, status }, context()));
  };
  const unitOptions = DOSE_UNITS.map((u) => ({ id: u.id, label: u.label }));
  const frequencyOptions = FREQUENCIES.map((f) => ({ id: f.id, label: f.label }));

  return (
    <OrderDialog title="Order a medication" patient={patient} draft={draft} pending={save.isPending} error={save.error} signLabel={'Sign order'} onSubmit={submit} onClose={onClose}>
      <div className="entry-form">
        <CodedEntryPicker
          key={pickerKey}
          label="Medication"
          valueSet={VALUE_SETS.medications}
          what="medications"
          value={form.medication}
          onChange={(medication) => set({ medication })}
          placeholder="e.g. acetaminophen 325, amoxicillin 500"
          isRequired
          autoFocus={pickerKey === 0}
          {...(errors.medication ? { errorMessage: errors.medication } : {})}
        />
        {(form.medication ? sentences : common).length > 0 && (
          <div className="order-sentences" role="group" aria-label={form.medication ? 'Order sentences for this medication' : 'Common orders'}>
            <span className="h-field-label">{form.medication ? 'Use an order sentence' : 'Common orders'}</span>
            {(form.medication ? sentences : common).map((s) => (
              <Button
                key={s.id}
                size="sm"
                variant="secondary"
                onPress={() => {
                  set(formFromSentence(s, { ...EMPTY_MEDICATION_ORDER, status: form.status }));
                  setPickerKey((k) => k + 1);
                }}
              >
                {s.title}
              </Button>
            ))}
          </div>
        )}
        <div className="order-preview" aria-live="polite">
          <span className="h-field-label">Prints as</span>
          <p>{preview || 'Choose a medication and give the dose and how often.'}</p>
        </div>
        <fieldset className="order-steps">
          <legend className="h-field-label">{form.steps.length > 1 ? `Taper: ${form.steps.length} steps, in order` : 'Dose and frequency'}</legend>
          {form.steps.map((step, i) => (
            <div className="order-step" key={i}>
              <TextField label={form.steps.length > 1 ? `Step ${i + 1} dose` : 'Dose'} value={step.dose} onChange={(dose) => setStep(i, { dose })} inputMode="decimal" isInvalid={Boolean(errors.stepErrors?.[i])} errorMessage={errors.stepErrors?.[i]} />
              <Select label="Unit" options={unitOptions} selectedKey={step.doseUnit} onSelectionChange={(doseUnit) => setStep(i, { doseUnit })} />
              <Select label="How often" options={frequencyOptions} selectedKey={step.frequency} onSelectionChange={(frequency) => setStep(i, { frequency })} />
              <TextField label="For (days)" value={step.days} onChange={(days) => setStep(i, { days })} inputMode="numeric" />
              {form.steps.length > 1 && (
                <Button size="sm" variant="quiet" onPress={() => set({ steps: form.steps.filter((_, j) => j !== i) })} aria-label={`Remove step ${i + 1}`}>
                  Remove
                </Button>
              )}
            </div>
          ))}
          <Button size="sm" variant="quiet" onPress={() => set({ steps: [...form.steps, { ...EMPTY_STEP, doseUnit: form.steps.at(-1)?.doseUnit ?? EMPTY_STEP.doseUnit }] })}>
            + Add a step (taper)
          </Button>
        </fieldset>
        <div className="entry-form-row">
          <Select label="Route" options={ROUTES.map((r) => ({ id: r.id, label: r.label }))} selectedKey={form.route} onSelectionChange={(route) => set({ route })} />
          <Select label="As needed" options={[{ id: 'no', label: 'No' }, { id: 'yes', label: 'Yes (PRN)' }]} selectedKey={form.asNeeded} onSelectionChange={(k) => set({ asNeeded: k as MedicationOrderForm['asNeeded'] })} />
          {form.asNeeded === 'yes' && <TextField label="As needed for" value={form.asNeededFor} onChange={(asNeededFor) => set({ asNeededFor })} placeholder="e.g. pain" />}
          <TextField label="Most in 24 hours" value={form.maxPerDay} onChange={(maxPerDay) => set({ maxPerDay })} inputMode="decimal" description="In the dose unit; empty for no limit." isInvalid={errors.maxPerDay !== undefined} errorMessage={errors.maxPerDay} />
        </div>
        <div className="entry-form-row">
          <TextField label="Dispense" value={form.quantity} onChange={(quantity) => set({ quantity })} inputMode="numeric" isRequired isInvalid={errors.quantity !== undefined} errorMessage={errors.quantity} />
          <TextField label="Refills" value={form.refills} onChange={(refills) => set({ refills })} inputMode="numeric" isInvalid={errors.refills !== undefined} errorMessage={errors.refills} />
        </div>
      </div>
    </OrderDialog>
  );
}
