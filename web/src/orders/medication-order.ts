/**
 * A medication order (`MedicationRequest`, intent order) with a structured sig: the form's steps
 * (one for a plain order, several for a taper, each with its dose, frequency and days), route,
 * as-needed reason, a maximum per 24 hours, the quantity to dispense and refills. Built on the
 * medication list's units, routes and frequencies (`clinical-lists/medication-entry.ts`), and
 * filled in one choice from a catalogue order sentence (an `ActivityDefinition`).
 */
import type { ActivityDefinition, Coding, Dosage, MedicationRequest, TimingRepeat } from '@medplum/fhirtypes';
import { chosenCoding, conceptFor, patientReference, type EntryContext, type FieldErrors } from '../clinical-lists/entry-context.ts';
import { DOSE_UNITS, FREQUENCIES, ROUTES } from '../clinical-lists/medication-entry.ts';
import { SYSTEMS } from '../terminology/value-sets.ts';
import { dosagePhrase } from './sig.ts';

const GTS = 'http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation';
const CATEGORY = 'http://terminology.hl7.org/CodeSystem/medicationrequest-category';

export interface SigStep {
  /** A number as typed. */
  dose: string;
  doseUnit: string;
  /** A `FREQUENCIES` id. */
  frequency: string;
  /** Days this step lasts; empty for no end. */
  days: string;
}

export interface MedicationOrderForm {
  medication?: Coding | undefined;
  route: string;
  steps: SigStep[];
  asNeeded: 'no' | 'yes';
  /** What it is taken for when as needed ("pain"). */
  asNeededFor: string;
  /** Most doses (in the dose unit) in 24 hours; empty for no limit. */
  maxPerDay: string;
  quantity: string;
  refills: string;
  /** Saved as draft (to sign later) or active (signed now). */
  status: 'active' | 'draft';
}

export const EMPTY_STEP: SigStep = { dose: '', doseUnit: '{tbl}', frequency: 'QD', days: '' };

export const EMPTY_MEDICATION_ORDER: MedicationOrderForm = { route: '26643006', steps: [EMPTY_STEP], asNeeded: 'no', asNeededFor: '', maxPerDay: '', quantity: '', refills: '0', status: 'active' };

const NUMBER = /^\d+(\.\d+)?$/;
const WHOLE = /^\d+$/;

export function validateMedicationOrder(form: MedicationOrderForm): FieldErrors<MedicationOrderForm> & { stepErrors?: string[] } {
  const errors: FieldErrors<MedicationOrderForm> & { stepErrors?: string[] } = {};
  if (!form.medication) errors.medication = 'Choose the medication from the list offered as you type.';
  const stepErrors = form.steps.map((s, i) => {
    if (!NUMBER.test(s.dose.trim()) || Number(s.dose) <= 0) return 'Enter the dose as a number, e.g. 1 or 0.5.';
    if (!s.frequency) return 'Choose how often.';
    if (s.days.trim() && (!WHOLE.test(s.days.trim()) || Number(s.days) < 1)) return 'Days: a whole number, or empty for no end.';
    if (form.steps.length > 1 && i < form.steps.length - 1 && !s.days.trim()) return 'Each step of a taper but the last needs its number of days.';
    return '';
  });
  if (stepErrors.some(Boolean)) errors.stepErrors = stepErrors;
  if (form.maxPerDay.trim() && (!NUMBER.test(form.maxPerDay.trim()) || Number(form.maxPerDay) <= 0)) errors.maxPerDay = 'A number, or empty for no limit.';
  if (!WHOLE.test(form.quantity.trim()) || Number(form.quantity) < 1) errors.quantity = 'How many to dispense: a whole number.';
  if (!WHOLE.test(form.refills.trim())) errors.refills = 'Refills: a whole number (0 for none).';
  return errors;
}

function unitQuantity(value: number, unitCode: string) {
  const unit = DOSE_UNITS.find((u) => u.id === unitCode);
  return { value, unit: unit?.label ?? unitCode, system: SYSTEMS.ucum, code: unitCode };
}

/** The FHIR dosages of the form's steps, in order (`sequence` 1, 2 …), each with its words as `text`. */
export function dosagesOf(form: MedicationOrderForm): Dosage[] {
  const route = ROUTES.find((r) => r.id === form.route);
  return form.steps.map((step, i) => {
    const frequency = FREQUENCIES.find((f) => f.id === step.frequency);
    const repeat = frequency ? repeatOf(frequency.repeat) : undefined;
    const days = step.days.trim() ? Number(step.days) : undefined;
    const dosage: Dosage = {
      sequence: i + 1,
      ...(repeat || days
        ? {
            timing: {
              repeat: { ...repeat, ...(days ? { boundsDuration: { value: days, unit: days === 1 ? 'day' : 'days', system: SYSTEMS.ucum, code: 'd' } } : {}) },
              ...(frequency ? { code: { coding: [{ system: GTS, code: frequency.id }], text: frequency.label } } : {}),
            },
          }
        : {}),
      ...(form.asNeeded === 'yes' ? (form.asNeededFor.trim() ? { asNeededCodeableConcept: { text: form.asNeededFor.trim() } } : { asNeededBoolean: true }) : {}),
      ...(route ? { route: { coding: [{ system: SYSTEMS.snomed, code: route.id, display: route.label }], text: route.label } } : {}),
      doseAndRate: [{ doseQuantity: unitQuantity(Number(step.dose), step.doseUnit) }],
      ...(form.maxPerDay.trim() ? { maxDosePerPeriod: { numerator: unitQuantity(Number(form.maxPerDay), step.doseUnit), denominator: { value: 1, unit: 'day', system: SYSTEMS.ucum, code: 'd' } } } : {}),
    };
    return { ...dosage, text: dosagePhrase(dosage) };
  });
}

/** A frequency's timing as FHIR's (mutable) TimingRepeat. */
function repeatOf(r: { frequency?: number; period?: number; periodUnit?: string; when?: readonly string[] }): TimingRepeat {
  return {
    ...(r.frequency !== undefined ? { frequency: r.frequency } : {}),
    ...(r.period !== undefined ? { period: r.period } : {}),
    ...(r.periodUnit !== undefined ? { periodUnit: r.periodUnit as TimingRepeat['periodUnit'] } : {}),
    ...(r.when ? { when: [...r.when] as TimingRepeat['when'] } : {}),
  };
}

export function medicationOrderFrom(form: MedicationOrderForm, ctx: EntryContext): MedicationRequest {
  if (!form.medication) throw new Error('A medication order needs a medication');
  const unit = form.steps[0]?.doseUnit ?? '{tbl}';
  return {
    resourceType: 'MedicationRequest',
    status: form.status,
    intent: 'order',
    category: [{ coding: [{ system: CATEGORY, code: 'community', display: 'Community' }] }],
    reportedBoolean: false,
    medicationCodeableConcept: conceptFor(form.medication, undefined),
    subject: patientReference(ctx.patientId),
    authoredOn: ctx.now.toISOString(),
    ...(ctx.fhirUser ? { requester: { reference: ctx.fhirUser } } : {}),
    dosageInstruction: dosagesOf(form),
    dispenseRequest: { quantity: unitQuantity(Number(form.quantity), unit), numberOfRepeatsAllowed: Number(form.refills) },
  };
}

/** The form a catalogue order sentence fills: its product, route, steps, as-needed reason, limit, quantity and refills. */
export function formFromSentence(sentence: ActivityDefinition, base: MedicationOrderForm = EMPTY_MEDICATION_ORDER): MedicationOrderForm {
  const dosages = [...(sentence.dosage ?? [])].sort((a, b) => (a.sequence ?? 0) - (b.sequence ?? 0));
  const first = dosages[0];
  const route = first?.route?.coding?.find((c) => c.system === SYSTEMS.snomed)?.code;
  const refills = sentence.dynamicValue?.find((v) => v.path === 'dispenseRequest.numberOfRepeatsAllowed')?.expression?.expression;
  const medication = chosenCoding(sentence.productCodeableConcept);
  const steps = dosages.map((d): SigStep => {
    const dose = d.doseAndRate?.[0]?.doseQuantity;
    const code = d.timing?.code?.coding?.find((c) => c.system === GTS)?.code;
    const days = d.timing?.repeat?.boundsDuration;
    return { dose: dose?.value !== undefined ? String(dose.value) : '', doseUnit: dose?.code ?? '{tbl}', frequency: FREQUENCIES.some((f) => f.id === code) ? code! : '', days: days?.value !== undefined && days.code === 'd' ? String(days.value) : '' };
  });
  const max = first?.maxDosePerPeriod?.numerator?.value;
  const reason = first?.asNeededCodeableConcept;
  return {
    ...base,
    ...(medication ? { medication } : {}),
    route: route && ROUTES.some((r) => r.id === route) ? route : base.route,
    steps: steps.length > 0 ? steps : base.steps,
    asNeeded: first?.asNeededBoolean || reason ? 'yes' : 'no',
    asNeededFor: (reason?.text ?? reason?.coding?.[0]?.display ?? '').toLowerCase(),
    maxPerDay: max !== undefined ? String(max) : '',
    quantity: sentence.quantity?.value !== undefined ? String(sentence.quantity.value) : base.quantity,
    refills: refills !== undefined && WHOLE.test(refills) ? refills : base.refills,
  };
}

/** Order sentences of the catalogue for one product (RxNorm code). */
export function sentencesFor(catalogue: readonly ActivityDefinition[], medication: Coding | undefined): ActivityDefinition[] {
  if (!medication) return [];
  return catalogue.filter((a) => a.kind === 'MedicationRequest' && a.status === 'active' && a.productCodeableConcept?.coding?.some((c) => c.system === medication.system && c.code === medication.code));
}
