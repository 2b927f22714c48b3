/**
 * The register form's rules without a screen: what the front desk types becomes a FHIR Patient;
 * what must be there before the duplicate check and the save; how `Patient/$match` answers are
 * read (grade and score per candidate); and the conditional create that keeps a second click or
 * a second desk from registering the same identifier twice.
 */
import type { Bundle, ContactPoint, Identifier, Parameters, Patient } from '@medplum/fhirtypes';
import { MRN_TYPE_SYSTEM } from '../fhir-format/patient.ts';
import { parseBirthDate } from '../patient-search/search-terms.ts';

/** The system of medical record numbers this app assigns or records. */
export const MRN_SYSTEM = 'urn:heron:mrn';
export const SSN_SYSTEM = 'http://hl7.org/fhir/sid/us-ssn';
export const MATCH_GRADE_URL = 'http://hl7.org/fhir/StructureDefinition/match-grade';

export interface RegistrationForm {
  family: string;
  given: string;
  birthDate: string;
  gender: '' | 'male' | 'female' | 'other' | 'unknown';
  phone: string;
  email: string;
  line: string;
  city: string;
  state: string;
  postalCode: string;
  mrn: string;
  ssn: string;
}

export const EMPTY_REGISTRATION: RegistrationForm = { family: '', given: '', birthDate: '', gender: '', phone: '', email: '', line: '', city: '', state: '', postalCode: '', mrn: '', ssn: '' };

export type RegistrationErrors = Partial<Record<keyof RegistrationForm, string>>;

/** What is wrong with the form, per field, in words; empty when it can be checked and saved. */
export function registrationErrors(form: RegistrationForm, today = new Date()): RegistrationErrors {
  const errors: RegistrationErrors = {};
  if (form.family.trim() === '') errors.family = 'Enter the family name (surname).';
  if (form.given.trim() === '') errors.given = 'Enter the given name.';
  if (form.birthDate.trim() === '') errors.birthDate = 'Enter the date of birth.';
  else if (parseBirthDate(form.birthDate, today) === undefined) errors.birthDate = 'Enter a real date of birth, not in the future: 6/14/1952, 1952-06-14 or 14 Jun 1952.';
  if (form.gender === '') errors.gender = 'Choose the sex recorded for administration.';
  if (form.phone.trim() !== '' && form.phone.replace(/\D/g, '').length < 7) errors.phone = 'Enter the whole phone number, with area code.';
  if (form.email.trim() !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(form.email.trim())) errors.email = 'Enter an email address like name@example.org.';
  if (form.ssn.trim() !== '' && !/^\d{3}-?\d{2}-?\d{4}$/.test(form.ssn.trim())) errors.ssn = 'Enter the 9 digits of the SSN: 123-45-6789.';
  return errors;
}

/** The Patient the form describes (the form must have no errors). */
export function patientFromForm(form: RegistrationForm, today = new Date()): Patient {
  const identifier: Identifier[] = [];
  if (form.mrn.trim() !== '') identifier.push({ use: 'usual', type: { coding: [{ system: MRN_TYPE_SYSTEM, code: 'MR', display: 'Medical record number' }] }, system: MRN_SYSTEM, value: form.mrn.trim() });
  if (form.ssn.trim() !== '') {
    const digits = form.ssn.replace(/\D/g, '');
    identifier.push({ type: { coding: [{ system: MRN_TYPE_SYSTEM, code: 'SS', display: 'Social Security number' }] }, system: SSN_SYSTEM, value: `${digits.slice(0, 3)}-${digits.slice(3, 5)}-${digits.slice(5)}` });
  }
  const telecom: ContactPoint[] = [];
  if (form.phone.trim() !== '') telecom.push({ system: 'phone', value: phoneText(form.phone), use: 'home' });
  if (form.email.trim() !== '') telecom.push({ system: 'email', value: form.email.trim() });
  const patient: Patient = {
    resourceType: 'Patient',
    active: true,
    name: [{ use: 'official', family: form.family.trim(), given: form.given.trim().split(/\s+/) }],
    birthDate: parseBirthDate(form.birthDate, today)!,
  };
  if (form.gender !== '') patient.gender = form.gender;
  if (identifier.length > 0) patient.identifier = identifier;
  if (telecom.length > 0) patient.telecom = telecom;
  const address = { line: form.line.trim() ? [form.line.trim()] : undefined, city: form.city.trim() || undefined, state: form.state.trim() || undefined, postalCode: form.postalCode.trim() || undefined };
  if (Object.values(address).some((v) => v !== undefined)) patient.address = [{ use: 'home', ...(JSON.parse(JSON.stringify(address)) as object) }];
  return patient;
}

/** A 10-digit North American number as 555-201-4477 (how the sample data writes it); anything else as typed. */
function phoneText(typed: string): string {
  const digits = typed.replace(/\D/g, '').replace(/^1(?=\d{10}$)/, '');
  return digits.length === 10 ? `${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}` : typed.trim();
}

/** The Parameters of `POST Patient/$match` for a Patient about to be registered. */
export function matchParameters(patient: Patient, count = 5): Parameters {
  return { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: patient }, { name: 'count', valueInteger: count }] };
}

export type MatchGrade = 'certain' | 'probable' | 'possible' | 'certainly-not';

export interface PossibleDuplicate {
  patient: Patient;
  grade: MatchGrade;
  score: number;
}

/** The candidates of a `$match` answer, best first, with their grade (certain / probable / possible). */
export function possibleDuplicates(bundle: Bundle<Patient>): PossibleDuplicate[] {
  return (bundle.entry ?? [])
    .filter((e) => e.resource?.resourceType === 'Patient')
    .map((e) => ({
      patient: e.resource!,
      grade: (e.search?.extension?.find((x) => x.url === MATCH_GRADE_URL)?.valueCode ?? 'possible') as MatchGrade,
      score: e.search?.score ?? 0,
    }))
    .filter((d) => d.grade !== 'certainly-not')
    .sort((a, b) => b.score - a.score);
}

/**
 * The `If-None-Exist` query of the create: the first identifier's `system|value`, so two saves of
 * the same person (a double click, two desks) make one Patient. Undefined without an identifier.
 */
export function ifNoneExist(patient: Patient): string | undefined {
  const id = patient.identifier?.find((i) => i.system && i.value);
  if (!id) return undefined;
  const escape = (v: string) => v.replace(/[\\,|$]/g, (c) => `\\${c}`);
  return new URLSearchParams({ identifier: `${escape(id.system!)}|${escape(id.value!)}` }).toString();
}
