/**
 * An immunization record (US Core Immunization): CVX vaccine, date, completed or not done with a
 * reason, lot number, site, route, and whether it was given here (primary source) or reported.
 */
import type { Coding, Immunization } from '@medplum/fhirtypes';
import { checkSameChart, chosenCoding, conceptFor, isDate, patientReference, today, type EntryContext, type FieldErrors } from './entry-context.ts';

const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
const ACT_SITE = 'http://terminology.hl7.org/CodeSystem/v3-ActSite';
const ROUTE = 'http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration';

export const NOT_DONE_REASONS = [
  { id: 'PATOBJ', label: 'Patient objection' },
  { id: 'IMMUNE', label: 'Immunity' },
  { id: 'MEDPREC', label: 'Medical precaution' },
  { id: 'OSTOCK', label: 'Product out of stock' },
] as const;
export const SITES = [
  { id: '', label: 'Not recorded' },
  { id: 'LA', label: 'Left arm' },
  { id: 'RA', label: 'Right arm' },
  { id: 'LD', label: 'Left deltoid' },
  { id: 'RD', label: 'Right deltoid' },
  { id: 'LT', label: 'Left thigh' },
  { id: 'RT', label: 'Right thigh' },
] as const;
export const IMMUNIZATION_ROUTES = [
  { id: '', label: 'Not recorded' },
  { id: 'IM', label: 'Intramuscular' },
  { id: 'SQ', label: 'Subcutaneous' },
  { id: 'IDINJ', label: 'Intradermal' },
  { id: 'NASINHLC', label: 'Nasal' },
  { id: 'PO', label: 'By mouth' },
] as const;
export const SOURCES = [
  { id: 'here', label: 'Given here (primary source)' },
  { id: 'reported', label: 'Reported (from another record or the patient)' },
] as const;

export interface ImmunizationForm {
  vaccine?: Coding;
  status: 'completed' | 'not-done';
  reason: string;
  /** YYYY-MM-DD */
  date: string;
  lot: string;
  site: string;
  route: string;
  source: 'here' | 'reported';
}

export function emptyImmunization(now: Date): ImmunizationForm {
  return { status: 'completed', reason: '', date: today(now), lot: '', site: '', route: 'IM', source: 'here' };
}

export function immunizationForm(i: Immunization): ImmunizationForm {
  const vaccine = chosenCoding(i.vaccineCode);
  return {
    ...(vaccine ? { vaccine } : {}),
    status: i.status === 'not-done' ? 'not-done' : 'completed',
    reason: i.statusReason?.coding?.[0]?.code ?? '',
    date: (i.occurrenceDateTime ?? '').slice(0, 10),
    lot: i.lotNumber ?? '',
    site: i.site?.coding?.find((c) => c.system === ACT_SITE)?.code ?? '',
    route: i.route?.coding?.find((c) => c.system === ROUTE)?.code ?? '',
    source: i.primarySource === false ? 'reported' : 'here',
  };
}

export function validateImmunization(form: ImmunizationForm, now: Date): FieldErrors<ImmunizationForm> {
  const errors: FieldErrors<ImmunizationForm> = {};
  if (!form.vaccine) errors.vaccine = 'Choose the vaccine from the list offered as you type.';
  if (!isDate(form.date)) errors.date = 'Enter the date it was given (or offered).';
  else if (form.date > today(now)) errors.date = 'The date cannot be in the future.';
  if (form.status === 'not-done' && !form.reason) errors.reason = 'Say why it was not given.';
  return errors;
}

export function immunizationFrom(form: ImmunizationForm, stored: Immunization | undefined, ctx: EntryContext): Immunization {
  if (!form.vaccine) throw new Error('An immunization needs a vaccine');
  if (stored) checkSameChart(ctx.patientId, ctx.patientId, stored.patient);
  const i: Immunization = {
    ...(stored ?? { resourceType: 'Immunization', recorded: ctx.now.toISOString(), ...(ctx.fhirUser ? { performer: [{ actor: { reference: ctx.fhirUser } }] } : {}) }),
    resourceType: 'Immunization',
    status: form.status,
    vaccineCode: conceptFor(form.vaccine, stored?.vaccineCode),
    patient: stored?.patient ?? patientReference(ctx.patientId),
    occurrenceDateTime: form.date,
    primarySource: form.source === 'here',
  };
  const reason = NOT_DONE_REASONS.find((r) => r.id === form.reason);
  if (form.status === 'not-done' && reason) i.statusReason = { coding: [{ system: ACT_REASON, code: reason.id, display: reason.label }], text: reason.label };
  else delete i.statusReason;
  // A dose not given has no lot, site or route.
  const given = form.status === 'completed';
  if (given && form.lot.trim()) i.lotNumber = form.lot.trim();
  else delete i.lotNumber;
  const site = given ? SITES.find((s) => s.id === form.site && s.id) : undefined;
  if (site) i.site = { coding: [{ system: ACT_SITE, code: site.id, display: site.label }], text: site.label };
  else delete i.site;
  const route = given ? IMMUNIZATION_ROUTES.find((r) => r.id === form.route && r.id) : undefined;
  if (route) i.route = { coding: [{ system: ROUTE, code: route.id, display: route.label }], text: route.label };
  else delete i.route;
  return i;
}
