/**
 * How likely a stored Patient is the person a new registration describes (`Patient/$match`, the
 * register screen's duplicate check). Pure: the candidates are gathered elsewhere.
 *
 * - **certain**: an identifier (system and value) in common — an MRN, a national id.
 * - **probable**: the same family and given name and the same birth date.
 * - **possible**: similar names (equal, within a small edit distance, sounding alike by Double
 *   Metaphone, or family and given swapped) with the same birth date, the birth date with day and
 *   month swapped, or the same phone number; or the same names born the same year (a mistyped
 *   day or month).
 * Anything else is not returned. A different recorded sex lowers the score, and a probable match
 * to possible. Scores are in (0, 1], certain 1.
 * @see https://hl7.org/fhir/R4/patient-operation-match.html
 */
import type { HumanName, Patient } from '@medplum/fhirtypes';
import { doubleMetaphone } from 'double-metaphone';
import { distance } from 'fastest-levenshtein';
import { normaliseString } from '../../fhir/search/string.ts';

export type MatchGrade = 'certain' | 'probable' | 'possible';

export interface MatchResult {
  grade: MatchGrade;
  score: number;
  /** What agreed, in words, for people reviewing the match. */
  reasons: string[];
}

/** Names as compared: accents and case removed, first given name only. */
interface PlainName {
  family: string;
  given: string;
}

/** The grade of `candidate` as a match for `wanted`, or undefined when it is not one. */
export function gradeMatch(wanted: Patient, candidate: Patient): MatchResult | undefined {
  const identifier = sharedIdentifier(wanted, candidate);
  if (identifier !== undefined) return { grade: 'certain', score: 1, reasons: [`same identifier ${identifier}`] };

  const names = compareNames(namesOf(wanted), namesOf(candidate));
  const born = compareBirthDates(wanted.birthDate, candidate.birthDate);
  const phone = samePhone(wanted, candidate);
  const sexDiffers = wanted.gender !== undefined && candidate.gender !== undefined && isSex(wanted.gender) && isSex(candidate.gender) && wanted.gender !== candidate.gender;

  let grade: MatchGrade | undefined;
  let score = 0;
  const reasons: string[] = [];
  if (names === 'same' && born === 'same') {
    grade = 'probable';
    score = 0.9;
    reasons.push('same name', 'same birth date');
  } else if (names !== undefined && (born === 'same' || born === 'swapped' || phone)) {
    grade = 'possible';
    score = names === 'same' ? 0.75 : 0.6;
    reasons.push(names === 'same' ? 'same name' : names === 'swapped' ? 'family and given name swapped' : 'similar name');
    if (born === 'same') reasons.push('same birth date');
    if (born === 'swapped') reasons.push('birth date with day and month swapped');
  } else if (names === 'same' && born === 'same-year') {
    grade = 'possible';
    score = 0.55;
    reasons.push('same name', 'born the same year');
  }
  if (grade === undefined) return undefined;
  if (phone) {
    score += 0.05;
    reasons.push('same phone');
  }
  if (sexDiffers) {
    score -= 0.15;
    reasons.push('different sex recorded');
    if (grade === 'probable') grade = 'possible';
  }
  return { grade, score: Math.round(Math.min(score, 0.95) * 100) / 100, reasons };
}

function isSex(gender: string): boolean {
  return gender === 'male' || gender === 'female';
}

function sharedIdentifier(a: Patient, b: Patient): string | undefined {
  for (const x of a.identifier ?? []) {
    if (!x.system || !x.value) continue;
    if ((b.identifier ?? []).some((y) => y.system === x.system && y.value?.trim() === x.value?.trim())) return `${x.system}|${x.value}`;
  }
  return undefined;
}

export function namesOf(p: Patient): PlainName[] {
  return (p.name ?? []).map(plain).filter((n) => n.family !== '' || n.given !== '');
}

function plain(name: HumanName): PlainName {
  return { family: normaliseString(name.family ?? ''), given: normaliseString(name.given?.[0] ?? '') };
}

/** The best agreement between any two names: the same, family and given swapped, similar, or none. */
function compareNames(wanted: PlainName[], candidate: PlainName[]): 'same' | 'swapped' | 'similar' | undefined {
  let best: 'same' | 'swapped' | 'similar' | undefined;
  for (const a of wanted) {
    for (const b of candidate) {
      if (a.family === '' || a.given === '' || b.family === '' || b.given === '') continue;
      if (a.family === b.family && a.given === b.given) return 'same';
      if (similar(a.family, b.given) && similar(a.given, b.family)) best ??= 'swapped';
      if (similar(a.family, b.family) && similar(a.given, b.given)) best = best === 'swapped' ? best : 'similar';
    }
  }
  return best;
}

/** Equal, a typo or two apart (by length), or sounding alike. */
export function similar(a: string, b: string): boolean {
  if (a === b) return true;
  const allowed = Math.min(a.length, b.length) >= 7 ? 2 : Math.min(a.length, b.length) >= 4 ? 1 : 0;
  if (allowed > 0 && distance(a, b) <= allowed) return true;
  const [pa, sa] = doubleMetaphone(a);
  const [pb, sb] = doubleMetaphone(b);
  // A one-letter code (`Li`, `Lu`: L) says too little to call two names alike.
  return pa.length >= 2 && pb.length >= 2 && (pa === pb || pa === sb || sa === pb);
}

/** How two birth dates agree: the same day, day and month swapped, only the year, or not at all. */
export function compareBirthDates(a: string | undefined, b: string | undefined): 'same' | 'swapped' | 'same-year' | undefined {
  if (a === undefined || b === undefined) return undefined;
  if (a === b) return 'same';
  if (a.length === 10 && b.length === 10 && a.slice(0, 4) === b.slice(0, 4) && a.slice(5, 7) === b.slice(8, 10) && a.slice(8, 10) === b.slice(5, 7)) return 'swapped';
  return a.slice(0, 4) === b.slice(0, 4) ? 'same-year' : undefined;
}

/** The birth date with day and month swapped, when that is another valid date. */
export function swappedBirthDate(date: string | undefined): string | undefined {
  if (date === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  const swapped = `${date.slice(0, 4)}-${date.slice(8, 10)}-${date.slice(5, 7)}`;
  const parsed = new Date(`${swapped}T00:00:00Z`);
  return swapped !== date && !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === swapped ? swapped : undefined;
}

/** Phone numbers compared by their last ten digits (formatting and country prefixes differ). */
function samePhone(a: Patient, b: Patient): boolean {
  const theirs = new Set(phonesOf(b));
  return phonesOf(a).some((p) => theirs.has(p));
}

export function phonesOf(p: Patient): string[] {
  return (p.telecom ?? [])
    .filter((t) => t.system === 'phone' && t.value)
    .map((t) => (t.value as string).replace(/\D/g, '').slice(-10))
    .filter((digits) => digits.length >= 7);
}
