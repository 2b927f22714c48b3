/**
 * A medication-list entry (US Core MedicationRequest): an RxNorm medication, the sig as text and,
 * when simple, as a structured dose, route and frequency; discontinuing sets status stopped with
 * the reason. Must-support elements written: status, intent, reported, medicationCodeableConcept,
 * subject, authoredOn, requester, dosageInstruction (text, timing, route, doseAndRate).
 */
import type { Coding, Dosage, MedicationRequest } from '@medplum/fhirtypes';
import { SYSTEMS } from '../terminology/value-sets.ts';
import { checkSameChart, chosenCoding, conceptFor, patientReference, type EntryContext, type FieldErrors } from './entry-context.ts';
import { dosagePhrase } from '../orders/sig.ts';

const SNOMED = SYSTEMS.snomed;
const GTS = 'http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation';

export const MEDICATION_STATUSES = [
  { id: 'active', label: 'Active' },
  { id: 'on-hold', label: 'On hold' },
] as const;

export const DOSE_UNITS = [
  { id: '{tbl}', label: 'tablet(s)' },
  { id: '{capsule}', label: 'capsule(s)' },
  { id: 'mg', label: 'mg' },
  { id: 'mL', label: 'mL' },
  { id: '{puff}', label: 'puff(s)' },
  { id: '[iU]', label: 'unit(s)' },
  { id: '{drop}', label: 'drop(s)' },
] as const;

export const ROUTES = [
  { id: '26643006', label: 'By mouth (oral)', short: 'by mouth' },
  { id: '37161004', label: 'Under the tongue (sublingual)', short: 'under the tongue' },
  { id: '34206005', label: 'Subcutaneous', short: 'subcutaneously' },
  { id: '78421000', label: 'Intramuscular', short: 'intramuscularly' },
  { id: '447694001', label: 'Inhaled', short: 'inhaled' },
  { id: '6064005', label: 'On the skin (topical)', short: 'on the skin' },
  { id: '47625008', label: 'Intravenous', short: 'intravenously' },
] as const;

/** Frequencies a structured dose can say; anything else is written in the sig text. */
export const FREQUENCIES = [
  { id: 'QD', label: 'Once daily', text: 'once daily', repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
  { id: 'BID', label: 'Twice daily', text: 'twice daily', repeat: { frequency: 2, period: 1, periodUnit: 'd' } },
  { id: 'TID', label: 'Three times daily', text: 'three times daily', repeat: { frequency: 3, period: 1, periodUnit: 'd' } },
  { id: 'QID', label: 'Four times daily', text: 'four times daily', repeat: { frequency: 4, period: 1, periodUnit: 'd' } },
  { id: 'Q4H', label: 'Every 4 hours', text: 'every 4 hours', repeat: { frequency: 1, period: 4, periodUnit: 'h' } },
  { id: 'Q6H', label: 'Every 6 hours', text: 'every 6 hours', repeat: { frequency: 1, period: 6, periodUnit: 'h' } },
  { id: 'Q8H', label: 'Every 8 hours', text: 'every 8 hours', repeat: { frequency: 1, period: 8, periodUnit: 'h' } },
  { id: 'Q12H', label: 'Every 12 hours', text: 'every 12 hours', repeat: { frequency: 1, period: 12, periodUnit: 'h' } },
  { id: 'HS', label: 'At bedtime', text: 'at bedtime', repeat: { when: ['HS'] } },
  { id: 'WK', label: 'Once weekly', text: 'once weekly', repeat: { frequency: 1, period: 1, periodUnit: 'wk' } },
] as const;

export interface MedicationForm {
  medication?: Coding;
  status: 'active' | 'on-hold';
  /** The sig as written; made from the structured parts when left empty. */
  sig: string;
  /** A number as typed, or empty. */
  dose: string;
  doseUnit: string;
  route: string;
  frequency: string;
  asNeeded: 'no' | 'yes';
}

export const EMPTY_MEDICATION: MedicationForm = { status: 'active', sig: '', dose: '', doseUnit: '{tbl}', route: '26643006', frequency: '', asNeeded: 'no' };

export function medicationForm(m: MedicationRequest): MedicationForm {
  const d = m.dosageInstruction?.[0];
  const dose = d?.doseAndRate?.[0]?.doseQuantity;
  const coding = chosenCoding(m.medicationCodeableConcept);
  return {
    ...(coding ? { medication: coding } : {}),
    status: m.status === 'on-hold' ? 'on-hold' : 'active',
    sig: d?.text ?? '',
    dose: dose?.value !== undefined ? String(dose.value) : '',
    doseUnit: dose?.code ?? EMPTY_MEDICATION.doseUnit,
    route: d?.route?.coding?.find((c) => c.system === SNOMED)?.code ?? EMPTY_MEDICATION.route,
    frequency: d?.timing?.code?.coding?.find((c) => c.system === GTS)?.code ?? '',
    asNeeded: d?.asNeededBoolean ? 'yes' : 'no',
  };
}

const DOSE = /^\d+(\.\d+)?$/;

export function validateMedication(form: MedicationForm): FieldErrors<MedicationForm> {
  const errors: FieldErrors<MedicationForm> = {};
  if (!form.medication) errors.medication = 'Choose the medication from the list offered as you type.';
  if (form.dose && (!DOSE.test(form.dose.trim()) || Number(form.dose) <= 0)) errors.dose = 'Enter the dose as a number, e.g. 1 or 0.5, or leave it empty.';
  if (!form.sig.trim() && !(form.dose && form.frequency)) errors.sig = 'Write how it is taken, or give a dose and a frequency.';
  return errors;
}

/** "1 tablet by mouth twice daily as needed", from the structured parts (read as orders read them: `orders/sig.ts`). */
export function sigFromParts(form: MedicationForm): string {
  return dosagePhrase(structuredDosage(form));
}

function structuredDosage(form: MedicationForm): Dosage {
  const route = ROUTES.find((r) => r.id === form.route);
  const frequency = FREQUENCIES.find((f) => f.id === form.frequency);
  const unit = DOSE_UNITS.find((u) => u.id === form.doseUnit);
  return {
    ...(frequency ? { timing: { repeat: { ...frequency.repeat, when: 'when' in frequency.repeat ? [...frequency.repeat.when] : undefined }, code: { coding: [{ system: GTS, code: frequency.id }], text: frequency.label } } } : {}),
    ...(form.asNeeded === 'yes' ? { asNeededBoolean: true } : {}),
    ...(route ? { route: { coding: [{ system: SNOMED, code: route.id, display: route.label }], text: route.label } } : {}),
    ...(form.dose && unit ? { doseAndRate: [{ doseQuantity: { value: Number(form.dose), unit: unit.label, system: SYSTEMS.ucum, code: unit.id } }] } : {}),
  };
}

function dosage(form: MedicationForm): Dosage {
  return { text: form.sig.trim() || sigFromParts(form), ...structuredDosage(form) };
}

export function medicationRequestFrom(form: MedicationForm, stored: MedicationRequest | undefined, ctx: EntryContext): MedicationRequest {
  if (!form.medication) throw new Error('A medication request needs a medication');
  if (stored) checkSameChart(ctx.patientId, ctx.patientId, stored.subject);
  const timing = dosage(form);
  if (timing.timing?.repeat?.when === undefined) delete timing.timing?.repeat?.when;
  return {
    ...(stored ?? { resourceType: 'MedicationRequest', authoredOn: ctx.now.toISOString(), reportedBoolean: false, ...(ctx.fhirUser ? { requester: { reference: ctx.fhirUser } } : {}) }),
    resourceType: 'MedicationRequest',
    status: form.status,
    intent: stored?.intent ?? 'order',
    medicationCodeableConcept: conceptFor(form.medication, stored?.medicationCodeableConcept),
    subject: stored?.subject ?? patientReference(ctx.patientId),
    dosageInstruction: [timing, ...(stored?.dosageInstruction?.slice(1) ?? [])],
  };
}

/** Discontinued: status stopped, with the reason in words (and when, in the reason's text). */
export function discontinuedRequest(stored: MedicationRequest, reason: string): MedicationRequest {
  return { ...stored, status: 'stopped', statusReason: { text: reason.trim() } };
}
