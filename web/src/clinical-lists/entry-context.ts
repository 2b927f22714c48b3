/**
 * What every list entry is written with: the chart it was opened for, who writes it, and when.
 * The save checks the chart against the one on screen at that moment (NIST 7804-1: a form can
 * never save to another chart than the one it was opened in).
 */
import type { CodeableConcept, Coding, Patient, Reference } from '@medplum/fhirtypes';

export interface EntryContext {
  /** The patient id the form was opened for; never read again from the route while saving. */
  patientId: string;
  /** `Practitioner/…` of the signed-in user, when the account names one. */
  fhirUser?: string;
  now: Date;
}

export class WrongPatientError extends Error {
  constructor(
    readonly openedFor: string,
    readonly onScreen: string | undefined,
  ) {
    super('This form was opened for another patient’s chart than the one now on screen, so it was not saved. Go back to that patient’s chart to save it, or discard it.');
  }
}

/** Throws unless the chart on screen is still the one the form was opened for, and the resource (when it has one) belongs to it. */
export function checkSameChart(openedFor: string, onScreen: string | undefined, subject?: Reference): void {
  if (onScreen !== openedFor) throw new WrongPatientError(openedFor, onScreen);
  if (subject?.reference !== undefined && subject.reference !== `Patient/${openedFor}`) throw new WrongPatientError(openedFor, subject.reference.replace(/^Patient\//, ''));
}

export function patientReference(patientId: string): Reference<Patient> {
  return { reference: `Patient/${patientId}` };
}

/** `YYYY-MM-DD` of a date in UTC: the day a clinician picks is stored as that day. */
export function today(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** A date field's value, checked: empty, or a real `YYYY-MM-DD`. */
export function isDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** The concept for a chosen coding; an unchanged choice keeps the stored concept whole (its other codings, e.g. ICD-10-CM beside SNOMED CT). */
export function conceptFor(chosen: Coding, stored: CodeableConcept | undefined): CodeableConcept {
  if (stored?.coding?.some((c) => c.system === chosen.system && c.code === chosen.code)) return stored;
  return { coding: [{ system: chosen.system!, code: chosen.code!, display: chosen.display! }], text: chosen.display! };
}

/** The coding a stored concept shows in the picker: the first with a system and code. */
export function chosenCoding(concept: CodeableConcept | undefined): Coding | undefined {
  const c = concept?.coding?.find((x) => x.system && x.code);
  if (!c) return undefined;
  return { system: c.system!, code: c.code!, display: c.display ?? concept?.text ?? c.code! };
}

export function codingOf(system: string, code: string, display: string): CodeableConcept {
  return { coding: [{ system, code, display }], text: display };
}

/** The code of the concept's first coding. */
export function firstCode(concept: CodeableConcept | undefined): string | undefined {
  return concept?.coding?.[0]?.code;
}

export type FieldErrors<F> = Partial<Record<keyof F & string, string>>;
