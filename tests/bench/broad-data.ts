/**
 * The broad-search benchmark's practice, generated: `patients` Patients and about 20 resources
 * each (Encounters over five years, Observations with common LOINC codes on those encounters'
 * dates, Conditions active or resolved), so that 50,000 patients make about 1,000,000 resources.
 *
 * Deterministic: the same `patients` always gives the same resources (ids, names, dates), so a
 * database built once can be kept and its queries' answers known without asking the server.
 * Family names come from a list of common surnames, so a two-letter prefix (`Ma`, `Jo`) matches
 * thousands of patients and `:contains` of three letters (`son`) as many.
 *
 * Change DATA_VERSION whenever the output changes: kept databases of another version are rebuilt.
 */
import type { Resource } from '@medplum/fhirtypes';

export const DATA_VERSION = 1;

/** Every date is at most this instant, so "last month" is fixed too: the data does not age. */
export const ANCHOR = Date.UTC(2026, 11, 1);
const DAY = 86_400_000;
const YEAR = 365.25 * DAY;

export const LOINC = 'http://loinc.org';
export const SNOMED = 'http://snomed.info/sct';

/** LOINC codes with the unit and range of a plausible value; the first ones are drawn most often. */
const OBSERVATION_CODES = [
  { code: '8867-4', display: 'Heart rate', unit: '/min', low: 50, high: 110, category: 'vital-signs' },
  { code: '8480-6', display: 'Systolic blood pressure', unit: 'mm[Hg]', low: 95, high: 170, category: 'vital-signs' },
  { code: '29463-7', display: 'Body weight', unit: 'kg', low: 45, high: 120, category: 'vital-signs' },
  { code: '8310-5', display: 'Body temperature', unit: 'Cel', low: 36, high: 39, category: 'vital-signs' },
  { code: '9279-1', display: 'Respiratory rate', unit: '/min', low: 10, high: 24, category: 'vital-signs' },
  { code: '39156-5', display: 'Body mass index', unit: 'kg/m2', low: 17, high: 40, category: 'vital-signs' },
  { code: '2339-0', display: 'Glucose', unit: 'mg/dL', low: 70, high: 200, category: 'laboratory' },
  { code: '4548-4', display: 'Hemoglobin A1c', unit: '%', low: 4.5, high: 10, category: 'laboratory' },
  { code: '2093-3', display: 'Cholesterol', unit: 'mg/dL', low: 120, high: 280, category: 'laboratory' },
  { code: '718-7', display: 'Hemoglobin', unit: 'g/dL', low: 10, high: 17, category: 'laboratory' },
] as const;

const CONDITION_CODES = [
  { code: '38341003', display: 'Hypertensive disorder' },
  { code: '44054006', display: 'Diabetes mellitus type 2' },
  { code: '195967001', display: 'Asthma' },
  { code: '55822004', display: 'Hyperlipidemia' },
  { code: '35489007', display: 'Depressive disorder' },
  { code: '10509002', display: 'Acute bronchitis' },
  { code: '444814009', display: 'Viral sinusitis' },
  { code: '162864005', display: 'Body mass index 30+ - obesity' },
] as const;

const FAMILIES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
  'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson',
  'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores',
  'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts',
  'Marshall', 'Mason', 'Matthews', 'Maxwell', 'Mack', 'Mann', 'Marsh', 'Morgan', 'Murphy', 'Jordan',
  'Johnston', 'Jensen', 'Sanders', 'Simpson', 'Stevenson', 'Bronson', 'Brooks', 'Bryant', 'Patterson', 'Peterson',
];
const GIVENS = [
  'James', 'Mary', 'John', 'Patricia', 'Robert', 'Jennifer', 'Michael', 'Linda', 'William', 'Elizabeth',
  'David', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen',
  'Maria', 'Daniel', 'Nancy', 'Matthew', 'Lisa', 'Anthony', 'Betty', 'Mark', 'Margaret', 'Sandra',
];

/** The queries' parameters that depend on the data. */
export const BROAD = {
  namePrefix: 'Ma',
  namePrefixes: ['Ma', 'Jo', 'Sa', 'Br', 'Ha', 'Mo'],
  contains: ['son', 'ill', 'art'],
  /** The most frequent LOINC codes of the data. */
  loincCodes: OBSERVATION_CODES.slice(0, 3).map((c) => c.code),
  /** A condition most patients' records have. */
  conditionCodes: CONDITION_CODES.slice(0, 2).map((c) => c.code),
  /** `Encounter?date=ge…`: a month before the anchor. */
  lastMonth: new Date(ANCHOR - 30 * DAY).toISOString().slice(0, 10),
  /** The year after the anchor's: every birth date is before it. */
  nextYear: String(new Date(ANCHOR).getUTCFullYear() + 1),
} as const;

/** mulberry32: small, fast and the same everywhere. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const patientId = (n: number): string => `pat-${n}`;

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
const pick = <T>(rnd: () => number, items: readonly T[]): T => items[Math.floor(rnd() * items.length)];
/** Skewed towards the start of the list: the first items are the common ones. */
const pickCommon = <T>(rnd: () => number, items: readonly T[]): T => items[Math.floor(rnd() * rnd() * items.length)];

/** One patient and everything recorded about them. About 20 resources on average. */
export function patientRecord(n: number): Resource[] {
  const rnd = random(n * 7919 + 17);
  const pid = patientId(n);
  const subject = { reference: `Patient/${pid}` };
  const birth = ANCHOR - (1 + rnd() * 99) * YEAR;
  const out: Resource[] = [
    {
      resourceType: 'Patient',
      id: pid,
      identifier: [{ system: 'urn:heron:bench', value: String(n) }],
      name: [{ family: pick(rnd, FAMILIES), given: [pick(rnd, GIVENS)] }],
      gender: rnd() < 0.5 ? 'female' : 'male',
      birthDate: new Date(birth).toISOString().slice(0, 10),
    },
  ];
  const encounters = 1 + Math.floor(rnd() * 7); // 1..7, 4 on average
  for (let e = 0; e < encounters; e++) {
    const eid = `enc-${n}-${e}`;
    const start = ANCHOR - rnd() * 5 * YEAR;
    out.push({
      resourceType: 'Encounter',
      id: eid,
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
      subject,
      period: { start: iso(start), end: iso(start + 30 * 60_000) },
    });
    const observations = 1 + Math.floor(rnd() * 5); // 1..5, 3 on average
    for (let o = 0; o < observations; o++) {
      const code = pickCommon(rnd, OBSERVATION_CODES);
      out.push({
        resourceType: 'Observation',
        id: `obs-${n}-${e}-${o}`,
        status: 'final',
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: code.category }] }],
        code: { coding: [{ system: LOINC, code: code.code, display: code.display }] },
        subject,
        encounter: { reference: `Encounter/${eid}` },
        effectiveDateTime: iso(start + o * 60_000),
        valueQuantity: { value: Math.round((code.low + rnd() * (code.high - code.low)) * 10) / 10, unit: code.unit, system: 'http://unitsofmeasure.org', code: code.unit },
      });
    }
    if (rnd() < 0.75) {
      const code = pickCommon(rnd, CONDITION_CODES);
      out.push({
        resourceType: 'Condition',
        id: `cond-${n}-${e}`,
        clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: rnd() < 0.4 ? 'active' : 'resolved' }] },
        verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
        code: { coding: [{ system: SNOMED, code: code.code, display: code.display }] },
        subject,
        encounter: { reference: `Encounter/${eid}` },
        onsetDateTime: iso(start),
      });
    }
  }
  return out;
}
