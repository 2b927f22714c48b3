/**
 * The demo's complex patient, Eleanor Hartley (id `demo-eleanor-hartley`), whose chart fills
 * every part of the chart at a glance: 15 active problems (and 2 resolved), 12 active medications
 * (and 2 stopped), 5 allergies, 11 immunizations, 40 encounters over three years with a
 * vital-signs set at each (signed visit notes at the last three), quarterly labs (HbA1c, basic metabolic panel with eGFR, lipid panel)
 * with reference ranges and abnormal flags grouped by DiagnosticReport, and two upcoming
 * appointments. Generated deterministically from the day it is loaded (`asOf`): the same values on
 * every machine, dated so the latest visit was last week.
 *
 * Codes: ICD-10-CM and SNOMED CT for problems, RxNorm for medications and drug allergens, SNOMED
 * CT for other substances and reactions, CVX for vaccines, LOINC and UCUM for observations (see
 * `clinical-codes.ts` for the LOINC notice).
 */
import type { AllergyIntolerance, Appointment, Bundle, Condition, Encounter, Immunization, MedicationRequest, Patient, Practitioner, Resource } from '@medplum/fhirtypes';
import { LAB_PANELS, LABS } from './clinical-codes.ts';
import { signedVisitNote } from './demo-notes.ts';
import { labReport, labResult, vitalSigns, type Context } from './observations.ts';
import { jitter, seededRandom } from './seeded-random.ts';

export const COMPLEX_PATIENT_ID = 'demo-eleanor-hartley';
export const COMPLEX_PATIENT_NAME = 'Eleanor Hartley';
export const COMPLEX_PATIENT_MRN = 'D-100042';
const PCP_ID = 'demo-eleanor-pcp';

const SNOMED = 'http://snomed.info/sct';
const ICD10CM = 'http://hl7.org/fhir/sid/icd-10-cm';
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const CVX = 'http://hl7.org/fhir/sid/cvx';
const DAY = 86_400_000;

/** ICD-10-CM, SNOMED CT, display, years before asOf it began; `resolved` ones ended a year ago. */
const PROBLEMS: ReadonlyArray<[icd: string, snomed: string, display: string, yearsAgo: number, resolved?: true]> = [
  ['E11.9', '44054006', 'Type 2 diabetes mellitus', 14],
  ['E11.40', '230572002', 'Diabetic neuropathy', 4],
  ['I10', '38341003', 'Essential hypertension', 18],
  ['E78.5', '55822004', 'Hyperlipidemia', 16],
  ['N18.3', '433144002', 'Chronic kidney disease stage 3', 3],
  ['I48.91', '49436004', 'Atrial fibrillation', 5],
  ['I50.22', '441481004', 'Chronic systolic heart failure', 2],
  ['E66.9', '414916001', 'Obesity', 20],
  ['M17.0', '239873007', 'Osteoarthritis of both knees', 9],
  ['E03.9', '40930008', 'Hypothyroidism', 11],
  ['K21.9', '235595009', 'Gastroesophageal reflux disease', 7],
  ['F32.9', '35489007', 'Depressive disorder', 6],
  ['J44.9', '13645005', 'Chronic obstructive pulmonary disease', 8],
  ['M81.0', '64859006', 'Osteoporosis', 4],
  ['G47.33', '78275009', 'Obstructive sleep apnea', 6],
  ['D50.9', '87522002', 'Iron deficiency anemia', 2, true],
  ['J45.909', '195967001', 'Asthma', 30, true],
];

/** RxNorm, display, dosage instruction; `stopped` ones ended a year ago. */
const MEDICATIONS: ReadonlyArray<[rxnorm: string, display: string, dosage: string, stopped?: true]> = [
  ['861004', 'metformin hydrochloride 1000 MG Oral Tablet', 'Take 1 tablet by mouth twice daily with meals'],
  ['1545658', 'empagliflozin 10 MG Oral Tablet', 'Take 1 tablet by mouth once daily in the morning'],
  ['311041', 'insulin glargine 100 UNT/ML Injectable Solution', 'Inject 18 units under the skin at bedtime'],
  ['314077', 'lisinopril 20 MG Oral Tablet', 'Take 1 tablet by mouth once daily'],
  ['197361', 'amlodipine 5 MG Oral Tablet', 'Take 1 tablet by mouth once daily'],
  ['866436', '24 HR metoprolol succinate 50 MG Extended Release Oral Tablet', 'Take 1 tablet by mouth once daily'],
  ['617311', 'atorvastatin 40 MG Oral Tablet', 'Take 1 tablet by mouth at bedtime'],
  ['1364445', 'apixaban 5 MG Oral Tablet', 'Take 1 tablet by mouth twice daily'],
  ['310429', 'furosemide 20 MG Oral Tablet', 'Take 1 tablet by mouth every morning'],
  ['312941', 'sertraline 50 MG Oral Tablet', 'Take 1 tablet by mouth once daily'],
  ['310431', 'gabapentin 300 MG Oral Capsule', 'Take 1 capsule by mouth three times daily'],
  ['866427', '24 HR metoprolol succinate 25 MG Extended Release Oral Tablet', 'Take 1 tablet by mouth once daily', true],
  ['1999035', '24 HR metoprolol succinate 25 MG Extended Release Oral Capsule', 'Take 1 capsule by mouth once daily', true],
];
// The 12th active medication: levothyroxine, by ingredient (RxNorm 10582).
const LEVOTHYROXINE: [string, string, string] = ['10582', 'levothyroxine', 'Take 88 mcg by mouth every morning on an empty stomach'];

/** Substance (system, code, display), category, criticality, reaction (SNOMED), severity. */
const ALLERGIES: ReadonlyArray<[system: string, code: string, display: string, category: 'medication' | 'food' | 'environment', criticality: 'high' | 'low', reaction: [string, string], severity: 'severe' | 'moderate' | 'mild']> = [
  [RXNORM, '7980', 'Penicillin G', 'medication', 'high', ['39579001', 'Anaphylaxis'], 'severe'],
  [RXNORM, '10180', 'Sulfamethoxazole', 'medication', 'low', ['271807003', 'Eruption of skin'], 'moderate'],
  [RXNORM, '1191', 'Aspirin', 'medication', 'low', ['126485001', 'Urticaria'], 'mild'],
  [SNOMED, '762952008', 'Peanut', 'food', 'high', ['39579001', 'Anaphylaxis'], 'severe'],
  [SNOMED, '111088007', 'Latex', 'environment', 'low', ['418290006', 'Itching'], 'mild'],
];

/** CVX, display, days before asOf. */
const IMMUNIZATIONS: ReadonlyArray<[cvx: string, display: string, daysAgo: number]> = [
  ['150', 'Influenza, injectable, quadrivalent, preservative free', 60],
  ['150', 'Influenza, injectable, quadrivalent, preservative free', 425],
  ['150', 'Influenza, injectable, quadrivalent, preservative free', 790],
  ['300', 'COVID-19, mRNA, LNP-S, bivalent booster, PF, 30 mcg/0.3 mL dose', 400],
  ['208', 'COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose', 1000],
  ['208', 'COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose', 1021],
  ['187', 'Zoster vaccine recombinant', 700],
  ['187', 'Zoster vaccine recombinant', 760],
  ['133', 'Pneumococcal conjugate PCV 13', 1200],
  ['33', 'Pneumococcal polysaccharide PPV23', 830],
  ['115', 'Tdap', 1500],
];

/**
 * Every resource of the complex patient's chart, as of `asOf` (the day the demo is loaded). Her
 * doctor is `pcp` when given (the demo physician, who then has a care relationship with her), else
 * a Practitioner of her own, included.
 */
export function complexPatient(asOf: Date, pcp?: { id: string; name: string }): Resource[] {
  const random = seededRandom(42);
  const patientRef = { reference: `Patient/${COMPLEX_PATIENT_ID}`, display: COMPLEX_PATIENT_NAME };
  const pcpRef = pcp === undefined ? { reference: `Practitioner/${PCP_ID}`, display: 'Dr. Samuel Okafor' } : { reference: `Practitioner/${pcp.id}`, display: pcp.name };
  const daysAgo = (days: number, hour = 9) => new Date(Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth(), asOf.getUTCDate(), hour) - days * DAY);
  const dateAgo = (days: number) => daysAgo(days).toISOString().slice(0, 10);
  const out: Resource[] = [];

  const ownPcp: Practitioner = { resourceType: 'Practitioner', id: PCP_ID, name: [{ family: 'Okafor', given: ['Samuel'], prefix: ['Dr.'] }], qualification: [{ code: { text: 'MD, Internal Medicine' } }] };
  const patient: Patient = {
    resourceType: 'Patient',
    id: COMPLEX_PATIENT_ID,
    identifier: [{ use: 'usual', type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR', display: 'Medical record number' }] }, system: 'urn:heron:demo:mrn', value: COMPLEX_PATIENT_MRN }],
    active: true,
    name: [{ use: 'official', family: 'Hartley', given: ['Eleanor', 'Marie'] }],
    telecom: [
      { system: 'phone', value: '555-201-4477', use: 'home' },
      { system: 'email', value: 'eleanor.hartley@example.com' },
    ],
    gender: 'female',
    birthDate: '1952-06-14',
    address: [{ use: 'home', line: ['18 Larkspur Lane'], city: 'Springfield', state: 'MA', postalCode: '01105', country: 'US' }],
    maritalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus', code: 'W', display: 'Widowed' }] },
    communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'en-US', display: 'English (United States)' }] }, preferred: true }],
    generalPractitioner: [pcpRef],
  };
  if (pcp === undefined) out.push(ownPcp);
  out.push(patient);

  PROBLEMS.forEach(([icd, snomed, display, yearsAgo, resolved], i) => {
    const condition: Condition = {
      resourceType: 'Condition',
      id: `eleanor-problem-${i + 1}`,
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: resolved ? 'resolved' : 'active' }] },
      verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item', display: 'Problem List Item' }] }],
      code: { coding: [{ system: ICD10CM, code: icd, display }, { system: SNOMED, code: snomed, display }], text: display },
      subject: patientRef,
      onsetDateTime: dateAgo(Math.round(yearsAgo * 365.25)),
      recordedDate: dateAgo(Math.min(Math.round(yearsAgo * 365.25), 1000)),
      recorder: pcpRef,
    };
    if (resolved) condition.abatementDateTime = dateAgo(365);
    out.push(condition);
  });

  [...MEDICATIONS.slice(0, 11), LEVOTHYROXINE, ...MEDICATIONS.slice(11)].forEach(([rxnorm, display, dosage, stopped], i) => {
    const request: MedicationRequest = {
      resourceType: 'MedicationRequest',
      id: `eleanor-med-${i + 1}`,
      status: stopped ? 'stopped' : 'active',
      intent: 'order',
      medicationCodeableConcept: { coding: [{ system: RXNORM, code: rxnorm, display }], text: display },
      subject: patientRef,
      authoredOn: dateAgo(stopped ? 900 : 30 + i * 37),
      requester: pcpRef,
      dosageInstruction: [{ text: dosage }],
    };
    out.push(request);
  });

  ALLERGIES.forEach(([system, code, display, category, criticality, [reactionCode, reactionDisplay], severity], i) => {
    const allergy: AllergyIntolerance = {
      resourceType: 'AllergyIntolerance',
      id: `eleanor-allergy-${i + 1}`,
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
      verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', code: 'confirmed' }] },
      type: 'allergy',
      category: [category],
      criticality,
      code: { coding: [{ system, code, display }], text: display },
      patient: patientRef,
      recordedDate: dateAgo(2000 - i * 300),
      reaction: [{ manifestation: [{ coding: [{ system: SNOMED, code: reactionCode, display: reactionDisplay }], text: reactionDisplay }], severity }],
    };
    out.push(allergy);
  });

  IMMUNIZATIONS.forEach(([cvx, display, ago], i) => {
    const immunization: Immunization = {
      resourceType: 'Immunization',
      id: `eleanor-immunization-${i + 1}`,
      status: 'completed',
      vaccineCode: { coding: [{ system: CVX, code: cvx, display }], text: display },
      patient: patientRef,
      occurrenceDateTime: daysAgo(ago, 10).toISOString(),
      primarySource: true,
      performer: [{ actor: pcpRef }],
    };
    out.push(immunization);
  });

  // 40 visits over three years, the latest a week ago; labs at every third.
  const VISITS = 40;
  for (let v = 0; v < VISITS; v++) {
    const ago = 7 + Math.round(((VISITS - 1 - v) * (3 * 365 - 7)) / (VISITS - 1));
    const start = daysAgo(ago, 9 + (v % 6));
    const progress = v / (VISITS - 1); // 0 three years ago, 1 last week: treatment working
    const emergency = v === 17;
    const encounter: Encounter = {
      resourceType: 'Encounter',
      id: `eleanor-encounter-${v + 1}`,
      status: 'finished',
      class: emergency ? { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'EMER', display: 'emergency' } : { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
      type: [emergency ? { coding: [{ system: SNOMED, code: '50849002', display: 'Emergency room admission' }], text: 'Emergency visit' } : { coding: [{ system: SNOMED, code: '185389009', display: 'Follow-up visit' }], text: 'Follow-up visit' }],
      subject: patientRef,
      participant: [{ individual: pcpRef }],
      period: { start: start.toISOString(), end: new Date(start.getTime() + (emergency ? 5 * 3_600_000 : 1_800_000)).toISOString() },
      reasonCode: [{ text: emergency ? 'Shortness of breath' : v % 3 === 0 ? 'Diabetes and kidney follow-up, review labs' : 'Blood pressure and heart failure follow-up' }],
    };
    out.push(encounter);
    const c: Context = { patient: patientRef, encounter: { reference: `Encounter/${encounter.id}` }, performer: pcpRef, at: start.toISOString() };
    const vitals = {
      systolic: jitter(random, 156 - 22 * progress + (emergency ? 18 : 0), 6),
      diastolic: jitter(random, 94 - 12 * progress, 4),
      heartRate: jitter(random, emergency ? 112 : 78, 6),
      respiratoryRate: jitter(random, emergency ? 24 : 16, 2),
      temperature: jitter(random, 36.8, 0.3, 1),
      oxygenSaturation: jitter(random, emergency ? 90 : 96, 1),
      weight: jitter(random, 97 - 8 * progress, 0.6, 1),
      height: 163,
    };
    out.push(...vitalSigns(`eleanor-v${v + 1}`, c, vitals));
    // The last three visits have signed notes (docs/notes.md).
    if (v >= VISITS - 3) out.push(signedVisitNote(`eleanor-note-${v + 1}`, c, pcpRef, encounter.reasonCode![0]!.text!, vitals));
    if (v % 3 !== 0) continue;
    const lab = (name: keyof typeof LABS, value: number) => labResult(`eleanor-lab${v + 1}-${name}`, c, LABS[name], value);
    // A1c 8.6 → 7.0; eGFR falling 58 → 47 (CKD 3a); LDL 150 → 85; one critical potassium.
    const a1c = lab('a1c', jitter(random, 8.6 - 1.6 * progress, 0.15, 1));
    const bmp = [
      lab('sodium', jitter(random, 139, 2)),
      lab('potassium', v === 24 ? 6.4 : jitter(random, 4.6, 0.3, 1)),
      lab('chloride', jitter(random, 103, 2)),
      lab('co2', jitter(random, 25, 2)),
      lab('bun', jitter(random, 24 + 6 * progress, 2)),
      lab('creatinine', jitter(random, 1.0 + 0.18 * progress, 0.03, 2)),
      lab('glucose', jitter(random, 168 - 40 * progress, 10)),
      lab('calcium', jitter(random, 9.3, 0.3, 1)),
      lab('egfr', jitter(random, 58 - 11 * progress, 1)),
    ];
    const cholesterol = jitter(random, 236 - 70 * progress, 5);
    const hdl = jitter(random, 44, 3);
    const triglycerides = jitter(random, 210 - 60 * progress, 10);
    const lipid = [
      lab('cholesterol', cholesterol),
      lab('hdl', hdl),
      lab('ldl', Math.round(cholesterol - hdl - triglycerides / 5)),
      lab('triglycerides', triglycerides),
    ];
    out.push(a1c, ...bmp, ...lipid);
    out.push(
      labReport(`eleanor-lab${v + 1}-a1c-report`, c, LAB_PANELS.a1c, [a1c]),
      labReport(`eleanor-lab${v + 1}-bmp-report`, c, LAB_PANELS.bmp, bmp),
      labReport(`eleanor-lab${v + 1}-lipid-report`, c, LAB_PANELS.lipid, lipid),
    );
  }

  for (const [i, [days, reason]] of ([[14, 'Diabetes and kidney follow-up'], [90, 'Annual wellness visit']] as const).entries()) {
    const start = daysAgo(-days, 10);
    const appointment: Appointment = {
      resourceType: 'Appointment',
      id: `eleanor-appointment-${i + 1}`,
      status: 'booked',
      appointmentType: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0276', code: 'FOLLOWUP', display: 'A follow up visit from a previous appointment' }] },
      description: reason,
      start: start.toISOString(),
      end: new Date(start.getTime() + 1_800_000).toISOString(),
      participant: [
        { actor: patientRef, status: 'accepted' },
        { actor: pcpRef, status: 'accepted' },
      ],
    };
    out.push(appointment);
  }
  return out;
}

/** The chart as one transaction Bundle of `PUT`s (ids kept, so loading it twice changes nothing new). */
export function complexPatientBundle(asOf: Date, pcp?: { id: string; name: string }): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: complexPatient(asOf, pcp).map((resource) => ({ resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } })),
  };
}
