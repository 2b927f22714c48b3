/**
 * An allergy-list entry (US Core AllergyIntolerance): substance, type, category, criticality,
 * a reaction's manifestation and severity, clinical and verification status; and "No known
 * allergies" (SNOMED CT 716186003), recorded only when asserted, never assumed from an empty list.
 */
import type { AllergyIntolerance, Coding } from '@medplum/fhirtypes';
import { SYSTEMS } from '../terminology/value-sets.ts';
import { checkSameChart, chosenCoding, conceptFor, firstCode, patientReference, today, type EntryContext, type FieldErrors } from './entry-context.ts';

export const ALLERGY_CLINICAL = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical';
export const ALLERGY_VERIFICATION = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification';
export const NO_KNOWN_ALLERGY_CODE = '716186003';

export const ALLERGY_CATEGORIES = [
  { id: 'medication', label: 'Medication' },
  { id: 'food', label: 'Food' },
  { id: 'environment', label: 'Environment' },
  { id: 'biologic', label: 'Biologic' },
] as const;
export const ALLERGY_TYPES = [
  { id: 'allergy', label: 'Allergy' },
  { id: 'intolerance', label: 'Intolerance' },
] as const;
export const CRITICALITIES = [
  { id: 'low', label: 'Low' },
  { id: 'high', label: 'High' },
  { id: 'unable-to-assess', label: 'Unable to assess' },
] as const;
export const SEVERITIES = [
  { id: '', label: 'Not recorded' },
  { id: 'mild', label: 'Mild' },
  { id: 'moderate', label: 'Moderate' },
  { id: 'severe', label: 'Severe' },
] as const;
export const ALLERGY_CLINICAL_STATUSES = [
  { id: 'active', label: 'Active' },
  { id: 'inactive', label: 'Inactive' },
  { id: 'resolved', label: 'Resolved' },
] as const;
export const ALLERGY_VERIFICATION_STATUSES = [
  { id: 'confirmed', label: 'Confirmed' },
  { id: 'unconfirmed', label: 'Unconfirmed' },
  { id: 'refuted', label: 'Refuted' },
  { id: 'entered-in-error', label: 'Entered in error' },
] as const;

export interface AllergyForm {
  substance?: Coding;
  type: 'allergy' | 'intolerance';
  category: 'medication' | 'food' | 'environment' | 'biologic';
  criticality: 'low' | 'high' | 'unable-to-assess';
  manifestation?: Coding;
  severity: '' | 'mild' | 'moderate' | 'severe';
  clinicalStatus: 'active' | 'inactive' | 'resolved';
  verificationStatus: 'confirmed' | 'unconfirmed' | 'refuted' | 'entered-in-error';
  note: string;
}

export const EMPTY_ALLERGY: AllergyForm = { type: 'allergy', category: 'medication', criticality: 'low', severity: '', clinicalStatus: 'active', verificationStatus: 'confirmed', note: '' };

export function allergyForm(a: AllergyIntolerance): AllergyForm {
  const substance = chosenCoding(a.code);
  const manifestation = chosenCoding(a.reaction?.[0]?.manifestation?.[0]);
  return {
    ...(substance ? { substance } : {}),
    ...(manifestation ? { manifestation } : {}),
    type: a.type ?? 'allergy',
    category: a.category?.[0] ?? 'medication',
    criticality: a.criticality ?? 'low',
    severity: a.reaction?.[0]?.severity ?? '',
    clinicalStatus: (firstCode(a.clinicalStatus) as AllergyForm['clinicalStatus'] | undefined) ?? 'active',
    verificationStatus: (firstCode(a.verificationStatus) as AllergyForm['verificationStatus'] | undefined) ?? 'confirmed',
    note: a.note?.[0]?.text ?? '',
  };
}

export function validateAllergy(form: AllergyForm): FieldErrors<AllergyForm> {
  const errors: FieldErrors<AllergyForm> = {};
  if (!form.substance) errors.substance = 'Choose the substance from the list offered as you type.';
  if (form.severity && !form.manifestation) errors.manifestation = 'Choose the reaction the severity describes, or set severity to not recorded.';
  return errors;
}

export function allergyFrom(form: AllergyForm, stored: AllergyIntolerance | undefined, ctx: EntryContext): AllergyIntolerance {
  if (!form.substance) throw new Error('An allergy needs a substance');
  if (stored) checkSameChart(ctx.patientId, ctx.patientId, stored.patient);
  const a: AllergyIntolerance = {
    ...(stored ?? { resourceType: 'AllergyIntolerance', recordedDate: ctx.now.toISOString(), ...(ctx.fhirUser ? { recorder: { reference: ctx.fhirUser } } : {}) }),
    resourceType: 'AllergyIntolerance',
    clinicalStatus: { coding: [{ system: ALLERGY_CLINICAL, code: form.clinicalStatus }] },
    verificationStatus: { coding: [{ system: ALLERGY_VERIFICATION, code: form.verificationStatus }] },
    type: form.type,
    category: [form.category],
    criticality: form.criticality,
    code: conceptFor(form.substance, stored?.code),
    patient: stored?.patient ?? patientReference(ctx.patientId),
  };
  // entered-in-error has no clinical status (FHIR invariant ait-2).
  if (form.verificationStatus === 'entered-in-error') delete a.clinicalStatus;
  const rest = stored?.reaction?.slice(1) ?? [];
  if (form.manifestation) {
    a.reaction = [{ ...(stored?.reaction?.[0] ?? {}), manifestation: [conceptFor(form.manifestation, stored?.reaction?.[0]?.manifestation?.[0])], ...(form.severity ? { severity: form.severity } : {}) }, ...rest];
    if (!form.severity) delete a.reaction[0]!.severity;
  } else if (rest.length > 0) a.reaction = rest;
  else delete a.reaction;
  if (form.note.trim() !== (stored?.note?.[0]?.text ?? '').trim()) {
    const others = stored?.note?.slice(1) ?? [];
    a.note = form.note.trim() ? [{ text: form.note.trim(), time: ctx.now.toISOString() }, ...others] : others;
    if (a.note.length === 0) delete a.note;
  }
  return a;
}

/** "No known allergies", as asserted by the clinician on this day. */
export function noKnownAllergies(ctx: EntryContext): AllergyIntolerance {
  return {
    resourceType: 'AllergyIntolerance',
    clinicalStatus: { coding: [{ system: ALLERGY_CLINICAL, code: 'active' }] },
    verificationStatus: { coding: [{ system: ALLERGY_VERIFICATION, code: 'confirmed' }] },
    code: { coding: [{ system: SYSTEMS.snomed, code: NO_KNOWN_ALLERGY_CODE, display: 'No known allergy' }], text: 'No known allergies' },
    patient: patientReference(ctx.patientId),
    recordedDate: today(ctx.now),
    ...(ctx.fhirUser ? { recorder: { reference: ctx.fhirUser }, asserter: { reference: ctx.fhirUser } } : {}),
  };
}

/** A recorded allergy ends an earlier "no known allergies": it is kept, as inactive, for the record. */
export function supersededNoKnownAllergies(nka: AllergyIntolerance): AllergyIntolerance {
  return { ...nka, clinicalStatus: { coding: [{ system: ALLERGY_CLINICAL, code: 'inactive' }] } };
}

/** Whether saving this form makes the patient allergic to something (so "no known allergies" no longer holds). */
export function assertsAllergy(form: AllergyForm): boolean {
  return form.clinicalStatus === 'active' && (form.verificationStatus === 'confirmed' || form.verificationStatus === 'unconfirmed');
}
