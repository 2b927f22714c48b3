/**
 * How a patient is named and identified on screen: the same words in the banner, the search
 * results and every dialog that confirms which chart is open (NIST 7804-1: identify the patient
 * consistently).
 */
import type { HumanName, Identifier, Patient } from '@medplum/fhirtypes';

export const MRN_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v2-0203';

/** The name in use: official if there is one, else the first. */
function currentName(names: readonly HumanName[] | undefined): HumanName | undefined {
  return names?.find((n) => n.use === 'official' && !n.period?.end) ?? names?.find((n) => n.use !== 'old') ?? names?.[0];
}

/** "Family, Given Middle" — the order lists and banners sort and scan by. */
export function familyFirst(names: readonly HumanName[] | undefined): string {
  const n = currentName(names);
  if (!n) return 'Name not recorded';
  const given = (n.given ?? []).join(' ');
  if (n.family && given) return `${n.family}, ${given}`;
  return n.family ?? given ?? n.text ?? 'Name not recorded';
}

/** "Given Family" — how a person is addressed in sentences. */
export function givenFirst(names: readonly HumanName[] | undefined): string {
  const n = currentName(names);
  if (!n) return 'Name not recorded';
  return n.text ?? [...(n.given ?? []), n.family].filter(Boolean).join(' ');
}

/** Two letters for the avatar: given and family initials. */
export function initials(names: readonly HumanName[] | undefined): string {
  const n = currentName(names);
  const letters = [(n?.given?.[0] ?? '')[0], (n?.family ?? '')[0]].filter(Boolean).join('');
  return letters.toUpperCase() || '?';
}

/** The medical record number: the identifier typed MR (v2-0203), else undefined. */
export function mrn(identifiers: readonly Identifier[] | undefined): string | undefined {
  return identifiers?.find((i) => i.type?.coding?.some((c) => c.code === 'MR' && (c.system === undefined || c.system === MRN_TYPE_SYSTEM)))?.value;
}

/** Whole years between the birth date and `on` (a FHIR date: YYYY, YYYY-MM or YYYY-MM-DD). */
export function ageInYears(birthDate: string | undefined, on = new Date()): number | undefined {
  if (!birthDate) return undefined;
  const [y, m = 1, d = 1] = birthDate.split('-').map(Number) as [number, number?, number?];
  let age = on.getFullYear() - y;
  if (on.getMonth() + 1 < m || (on.getMonth() + 1 === m && on.getDate() < d)) age--;
  return age;
}

/** "47 y", "8 mo", "12 d": years from 2, months under 2 years, days under a month. */
export function ageText(birthDate: string | undefined, on = new Date()): string {
  if (!birthDate) return 'Age unknown';
  const born = new Date(`${birthDate.length === 4 ? `${birthDate}-01-01` : birthDate.length === 7 ? `${birthDate}-01` : birthDate}T00:00:00`);
  const years = ageInYears(birthDate, on)!;
  if (years >= 2) return `${years} y`;
  const months = (on.getFullYear() - born.getFullYear()) * 12 + on.getMonth() - born.getMonth() - (on.getDate() < born.getDate() ? 1 : 0);
  if (months >= 1) return `${months} mo`;
  return `${Math.max(0, Math.floor((on.getTime() - born.getTime()) / 86_400_000))} d`;
}

const SEX: Record<string, string> = { male: 'Male', female: 'Female', other: 'Other', unknown: 'Unknown' };

export function sexText(gender: Patient['gender']): string {
  return gender ? (SEX[gender] ?? gender) : 'Not recorded';
}

/** The first phone number, for search results. */
export function phone(patient: Patient): string | undefined {
  return patient.telecom?.find((t) => t.system === 'phone' && !t.period?.end)?.value;
}

export function isDeceased(patient: Patient): boolean {
  return patient.deceasedBoolean === true || patient.deceasedDateTime !== undefined;
}

export interface Death {
  /** The FHIR date or dateTime of death, when recorded. */
  date?: string;
  /** Age at death ("79 y"), when both dates are known. */
  ageAtDeath?: string;
}

/**
 * How a deceased patient's banner reads: the date of death and the age at death, so a chart
 * never shows a living age for someone who has died. Undefined for the living.
 */
export function death(patient: Patient): Death | undefined {
  if (!isDeceased(patient)) return undefined;
  const date = patient.deceasedDateTime;
  if (!date) return {};
  const on = new Date(/^\d{4}(-\d{2})?$/.test(date) ? `${date.length === 4 ? `${date}-12-31` : `${date}-28`}T00:00:00` : date.length === 10 ? `${date}T00:00:00` : date);
  return Number.isNaN(on.getTime()) || !patient.birthDate ? { date } : { date, ageAtDeath: ageText(patient.birthDate, on) };
}
