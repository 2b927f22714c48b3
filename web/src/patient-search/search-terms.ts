/**
 * Reads what is typed in the "Find a patient" box — names in any order, a date of birth in the
 * common formats, an MRN, a phone number, or a mix ("smi 3/14/1970") — and turns it into the
 * FHIR Patient searches that answer it. Names become one `name=` per word (each word a prefix of
 * some part of the name, so order does not matter); a date becomes `birthdate=`; an MRN-like word
 * `identifier=`; a phone number `phone=` in the forms it is commonly stored in.
 *
 * Numeric dates are read month first (US), unless the first number cannot be a month or the date
 * uses dots (14.03.1970, day first as in Europe). Two-digit years are in the past century when
 * they would otherwise be in the future.
 */

export interface PatientSearchPlan {
  /** Patient searches to run together; results are merged by id, in this order. */
  queries: URLSearchParams[];
  /** How the box was read, to show under it: "Name “smi” · Born 1970-03-14". */
  understood: string[];
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH = '(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\\.?';

/** The minimum a name search needs, so two letters start a type-ahead. */
export const MIN_NAME_LENGTH = 2;

export function planPatientSearch(input: string, today = new Date()): PatientSearchPlan {
  // Case is kept for identifiers (token search is exact: MRN D-100042 is not d-100042); names are matched without it.
  let rest = ` ${input.trim()} `;
  const understood: string[] = [];
  let birthdate: string | undefined;

  const take = (pattern: RegExp, read: (m: RegExpMatchArray) => string | undefined): string | undefined => {
    const m = rest.match(pattern);
    if (!m) return undefined;
    const value = read(m);
    if (value !== undefined) rest = rest.replace(m[0], ' ');
    return value;
  };

  birthdate =
    take(/\s(\d{4})-(\d{1,2})-(\d{1,2})\s/, (m) => isoDate(+m[1]!, +m[2]!, +m[3]!, today)) ??
    take(new RegExp(`\\s(\\d{1,2})\\s+${MONTH},?\\s+(\\d{4})\\s`, 'i'), (m) => isoDate(+m[3]!, monthNumber(m[2]!), +m[1]!, today)) ??
    take(new RegExp(`\\s${MONTH}\\s+(\\d{1,2}),?\\s+(\\d{4})\\s`, 'i'), (m) => isoDate(+m[3]!, monthNumber(m[1]!), +m[2]!, today)) ??
    take(/\s(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})\s/, (m) => numericDate(+m[1]!, +m[3]!, m[4]!, m[2] === '.', today)) ??
    take(/\s((?:19|20)\d{2})(\d{2})(\d{2})\s/, (m) => isoDate(+m[1]!, +m[2]!, +m[3]!, today));
  if (birthdate) understood.push(`Born ${birthdate}`);

  const phone = take(/\s(\+?1[\s.-]?)?\(?(\d{3})\)?[\s.-]?(\d{3})[\s.-]?(\d{4})\s/, (m) => `${m[2]}${m[3]}${m[4]}`);
  if (phone) understood.push(`Phone ${phone.slice(0, 3)}-${phone.slice(3, 6)}-${phone.slice(6)}`);

  const words = rest.split(/[\s,]+/).filter(Boolean);
  const identifiers = words.filter((w) => /\d/.test(w));
  let names = words.filter((w) => !/\d/.test(w)).map((w) => w.replace(/[^\p{L}'-]/gu, '').toLowerCase()).filter(Boolean);
  // A lone year is a birth year (FHIR matches the whole year), not an MRN.
  const year = identifiers.length === 1 && !birthdate && /^(19|20)\d{2}$/.test(identifiers[0]!) && +identifiers[0]! <= today.getFullYear() ? identifiers.pop() : undefined;
  if (year) {
    birthdate = year;
    understood.push(`Born in ${year}`);
  }
  if (names.join('').length < MIN_NAME_LENGTH && names.length > 0 && !birthdate) names = [];
  if (names.length > 0) understood.unshift(`Name ${names.map((n) => `“${n}”`).join(' ')}`);
  for (const id of identifiers) understood.push(`MRN or identifier ${id}`);

  const queries: URLSearchParams[] = [];
  if (names.length > 0 || birthdate) {
    const q = new URLSearchParams();
    for (const n of names) q.append('name', n);
    if (birthdate) q.append('birthdate', birthdate);
    queries.push(q);
  }
  // One request per kind of key: a parameter's comma-separated values are ORed by the server.
  if (identifiers.length > 0) queries.push(new URLSearchParams({ identifier: identifiers.map(escapeValue).join(',') }));
  if (phone) {
    const forms = [`${phone.slice(0, 3)}-${phone.slice(3, 6)}-${phone.slice(6)}`, phone, `(${phone.slice(0, 3)}) ${phone.slice(3, 6)}-${phone.slice(6)}`];
    queries.push(new URLSearchParams({ phone: forms.join(',') }));
  }
  return { queries, understood };
}

/** FHIR search escaping of one value: `,`, `|`, `$` and `\\` are separators or escapes. */
function escapeValue(value: string): string {
  return value.replace(/[\\,|$]/g, (c) => `\\${c}`);
}

/** A date of birth typed in one of the box's formats, as YYYY-MM-DD; undefined when the text is anything else. */
export function parseBirthDate(input: string, today = new Date()): string | undefined {
  const plan = planPatientSearch(input, today);
  const only = plan.queries.length === 1 ? plan.queries[0]! : undefined;
  if (!only || [...only.keys()].join() !== 'birthdate') return undefined;
  const date = only.get('birthdate')!;
  return /^\d{4}-\d{2}-\d{2}$/.test(date) ? date : undefined;
}

function monthNumber(name: string): number {
  return MONTHS.indexOf(name.slice(0, 3).toLowerCase()) + 1;
}

function numericDate(a: number, b: number, yearText: string, dayFirst: boolean, today: Date): string | undefined {
  const year = yearText.length === 2 ? fullYear(+yearText, today) : +yearText;
  const [month, day] = dayFirst || a > 12 ? [b, a] : [a, b];
  return isoDate(year, month, day, today);
}

function fullYear(twoDigits: number, today: Date): number {
  const century = Math.floor(today.getFullYear() / 100) * 100;
  return century + twoDigits > today.getFullYear() ? century - 100 + twoDigits : century + twoDigits;
}

/** YYYY-MM-DD when it is a real day not after today; undefined otherwise. */
function isoDate(year: number, month: number, day: number, today: Date): string | undefined {
  const d = new Date(Date.UTC(year, month - 1, day));
  if (month < 1 || month > 12 || d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  if (year < 1870 || d.getTime() > Date.UTC(today.getFullYear(), today.getMonth(), today.getDate())) return undefined;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
