/**
 * A problem-list entry (US Core Condition Problems and Health Concerns): what the form holds, the
 * Condition it writes, and resolving one. Must-support elements written: category
 * problem-list-item, clinicalStatus, verificationStatus, code, subject, onsetDateTime,
 * abatementDateTime, recordedDate, recorder.
 */
import type { Coding, Condition } from '@medplum/fhirtypes';
import { checkSameChart, chosenCoding, conceptFor, firstCode, isDate, patientReference, today, type EntryContext, type FieldErrors } from './entry-context.ts';

export const CONDITION_CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
export const CONDITION_VERIFICATION = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';
export const CONDITION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/condition-category';

export const PROBLEM_CLINICAL_STATUSES = [
  { id: 'active', label: 'Active' },
  { id: 'recurrence', label: 'Recurrence' },
  { id: 'relapse', label: 'Relapse' },
  { id: 'remission', label: 'In remission' },
  { id: 'inactive', label: 'Inactive' },
  { id: 'resolved', label: 'Resolved' },
] as const;
export type ProblemClinicalStatus = (typeof PROBLEM_CLINICAL_STATUSES)[number]['id'];

export const PROBLEM_VERIFICATION_STATUSES = [
  { id: 'confirmed', label: 'Confirmed' },
  { id: 'provisional', label: 'Provisional' },
  { id: 'differential', label: 'Differential' },
  { id: 'unconfirmed', label: 'Unconfirmed' },
  { id: 'refuted', label: 'Refuted' },
  { id: 'entered-in-error', label: 'Entered in error' },
] as const;
export type ProblemVerificationStatus = (typeof PROBLEM_VERIFICATION_STATUSES)[number]['id'];

/** Statuses that say the problem has ended, so an end date belongs to them. */
const ENDED = new Set<string>(['inactive', 'remission', 'resolved']);

export interface ProblemForm {
  code?: Coding;
  clinicalStatus: ProblemClinicalStatus;
  verificationStatus: ProblemVerificationStatus;
  /** YYYY-MM-DD or empty */
  onset: string;
  /** YYYY-MM-DD or empty; only with an ended status. */
  abatement: string;
  note: string;
}

export const EMPTY_PROBLEM: ProblemForm = { clinicalStatus: 'active', verificationStatus: 'confirmed', onset: '', abatement: '', note: '' };

export function problemForm(c: Condition): ProblemForm {
  const coding = chosenCoding(c.code);
  return {
    ...(coding ? { code: coding } : {}),
    clinicalStatus: (firstCode(c.clinicalStatus) as ProblemClinicalStatus | undefined) ?? 'active',
    verificationStatus: (firstCode(c.verificationStatus) as ProblemVerificationStatus | undefined) ?? 'confirmed',
    onset: (c.onsetDateTime ?? c.onsetPeriod?.start ?? '').slice(0, 10),
    abatement: (c.abatementDateTime ?? c.abatementPeriod?.start ?? '').slice(0, 10),
    note: c.note?.[0]?.text ?? '',
  };
}

export function validateProblem(form: ProblemForm, now: Date): FieldErrors<ProblemForm> {
  const errors: FieldErrors<ProblemForm> = {};
  if (!form.code) errors.code = 'Choose the problem from the list offered as you type.';
  if (form.onset && !isDate(form.onset)) errors.onset = 'Enter the onset as a date, or leave it empty.';
  else if (form.onset > today(now)) errors.onset = 'The onset cannot be in the future.';
  if (form.abatement) {
    if (!isDate(form.abatement)) errors.abatement = 'Enter the end date as a date, or leave it empty.';
    else if (!ENDED.has(form.clinicalStatus)) errors.abatement = 'Only a resolved, inactive or remitted problem has an end date: change the status or clear the date.';
    else if (form.abatement > today(now)) errors.abatement = 'The end date cannot be in the future.';
    else if (form.onset && form.abatement < form.onset) errors.abatement = 'The end date is before the onset.';
  }
  return errors;
}

/** The Condition to save: the stored one (when editing) with the form's values over it. */
export function conditionFrom(form: ProblemForm, stored: Condition | undefined, ctx: EntryContext): Condition {
  if (!form.code) throw new Error('A problem needs a code');
  if (stored) checkSameChart(ctx.patientId, ctx.patientId, stored.subject);
  const c: Condition = {
    ...(stored ?? { resourceType: 'Condition', recordedDate: today(ctx.now), ...(ctx.fhirUser ? { recorder: { reference: ctx.fhirUser } } : {}) }),
    resourceType: 'Condition',
    clinicalStatus: { coding: [{ system: CONDITION_CLINICAL, code: form.clinicalStatus }] },
    verificationStatus: { coding: [{ system: CONDITION_VERIFICATION, code: form.verificationStatus }] },
    category: stored?.category?.some((cat) => cat.coding?.some((x) => x.code === 'problem-list-item'))
      ? stored.category
      : [...(stored?.category ?? []), { coding: [{ system: CONDITION_CATEGORY, code: 'problem-list-item', display: 'Problem List Item' }] }],
    code: conceptFor(form.code, stored?.code),
    subject: stored?.subject ?? patientReference(ctx.patientId),
  };
  delete c.onsetDateTime;
  delete c.onsetPeriod;
  if (form.onset) c.onsetDateTime = form.onset;
  delete c.abatementDateTime;
  delete c.abatementPeriod;
  if (form.abatement && ENDED.has(form.clinicalStatus)) c.abatementDateTime = form.abatement;
  const notes = stored?.note ?? [];
  const first = notes[0]?.text ?? '';
  if (form.note.trim() !== first.trim()) {
    const rest = notes.slice(1);
    c.note = form.note.trim() ? [{ text: form.note.trim(), time: ctx.now.toISOString(), ...(ctx.fhirUser ? { authorReference: { reference: ctx.fhirUser } } : {}) }, ...rest] : rest;
    if (c.note.length === 0) delete c.note;
  }
  return c;
}

/** Resolving: clinical status resolved, ended on the day given. */
export function resolvedCondition(stored: Condition, on: string): Condition {
  return { ...stored, clinicalStatus: { coding: [{ system: CONDITION_CLINICAL, code: 'resolved' }] }, abatementDateTime: on };
}
