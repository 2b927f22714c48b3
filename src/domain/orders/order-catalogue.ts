/**
 * The order catalogue every practice starts with, as FHIR `ActivityDefinition`s the practice can
 * edit, extend or retire like any resource (docs/orders.md):
 *
 * - lab tests (`kind` ServiceRequest): the LOINC code ordered, with a note for the patient where
 *   one applies (fasting);
 * - medication order sentences (`kind` MedicationRequest): an RxNorm product with a structured sig
 *   (`dosage`, a taper as several dosages with `sequence`), the quantity to dispense and, as a
 *   `dynamicValue`, the refills — so a common order is one choice, not six fields.
 */
import type { ActivityDefinition, Dosage } from '@medplum/fhirtypes';

const LOINC = 'http://loinc.org';
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const SNOMED = 'http://snomed.info/sct';
const UCUM = 'http://unitsofmeasure.org';
const GTS = 'http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation';
export const CATALOGUE_URL_BASE = 'https://heron.dev/fhir/ActivityDefinition/';

const ORAL = { coding: [{ system: SNOMED, code: '26643006', display: 'By mouth (oral)' }], text: 'By mouth (oral)' };

function lab(key: string, code: string, display: string, title: string, usage?: string): ActivityDefinition {
  return {
    resourceType: 'ActivityDefinition',
    url: `${CATALOGUE_URL_BASE}lab-${key}`,
    version: '1',
    name: `Lab${key.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase())}`,
    title,
    status: 'active',
    kind: 'ServiceRequest',
    intent: 'order',
    topic: [{ text: 'Laboratory' }],
    code: { coding: [{ system: LOINC, code, display }], text: title },
    ...(usage ? { usage } : {}),
  };
}

function tablets(count: number, unit: '{tbl}' | '{capsule}' = '{tbl}') {
  return { value: count, unit: unit === '{tbl}' ? (count === 1 ? 'tablet' : 'tablets') : count === 1 ? 'capsule' : 'capsules', system: UCUM, code: unit };
}

function daily(frequency: number, code: string, label: string) {
  return { repeat: { frequency, period: 1, periodUnit: 'd' as const }, code: { coding: [{ system: GTS, code }], text: label } };
}

function medication(key: string, rxcui: string, display: string, title: string, dosage: Dosage[], dispense: number, unit: '{tbl}' | '{capsule}', refills: number): ActivityDefinition {
  return {
    resourceType: 'ActivityDefinition',
    url: `${CATALOGUE_URL_BASE}rx-${key}`,
    version: '1',
    name: `Rx${key.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase())}`,
    title,
    status: 'active',
    kind: 'MedicationRequest',
    intent: 'order',
    topic: [{ text: 'Medication' }],
    productCodeableConcept: { coding: [{ system: RXNORM, code: rxcui, display }], text: display },
    dosage,
    quantity: tablets(dispense, unit),
    dynamicValue: [{ path: 'dispenseRequest.numberOfRepeatsAllowed', expression: { language: 'text/fhirpath', expression: String(refills) } }],
  };
}

export const LAB_CATALOGUE: readonly ActivityDefinition[] = [
  lab('cbc', '58410-2', 'CBC panel - Blood by Automated count', 'Complete blood count (CBC)'),
  lab('cmp', '24323-8', 'Comprehensive metabolic 2000 panel - Serum or Plasma', 'Comprehensive metabolic panel (CMP)'),
  lab('bmp', '24320-4', 'Basic metabolic 1998 panel - Serum or Plasma', 'Basic metabolic panel (BMP)'),
  lab('lipid', '57698-3', 'Lipid panel with direct LDL - Serum or Plasma', 'Lipid panel', 'Fast for 9 to 12 hours before the blood draw (water is fine).'),
  lab('a1c', '4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood', 'Hemoglobin A1c'),
  lab('tsh', '3016-3', 'Thyrotropin [Units/volume] in Serum or Plasma', 'TSH'),
  lab('ua', '24356-8', 'Urinalysis complete panel - Urine', 'Urinalysis'),
  lab('uacr', '14959-1', 'Microalbumin/Creatinine [Mass Ratio] in Urine', 'Urine albumin/creatinine ratio'),
  lab('creatinine', '2160-0', 'Creatinine [Mass/volume] in Serum or Plasma', 'Creatinine'),
  lab('psa', '2857-1', 'Prostate specific Ag [Mass/volume] in Serum or Plasma', 'PSA'),
  lab('inr', '6301-6', 'INR in Platelet poor plasma by Coagulation assay', 'PT/INR'),
];

export const MEDICATION_CATALOGUE: readonly ActivityDefinition[] = [
  medication(
    'acetaminophen-325-prn',
    '313782',
    'acetaminophen 325 MG Oral Tablet',
    'Acetaminophen 325 mg: 2 tablets every 6 hours as needed for pain, 5 days',
    [
      {
        sequence: 1,
        doseAndRate: [{ doseQuantity: tablets(2) }],
        route: ORAL,
        timing: { repeat: { frequency: 1, period: 6, periodUnit: 'h', boundsDuration: { value: 5, unit: 'days', system: UCUM, code: 'd' } }, code: { coding: [{ system: GTS, code: 'Q6H' }], text: 'Every 6 hours' } },
        asNeededCodeableConcept: { coding: [{ system: SNOMED, code: '22253000', display: 'Pain' }], text: 'pain' },
        maxDosePerPeriod: { numerator: tablets(10), denominator: { value: 1, unit: 'day', system: UCUM, code: 'd' } },
      },
    ],
    40,
    '{tbl}',
    0,
  ),
  medication(
    'prednisone-10-taper',
    '198145',
    'prednisone 10 MG Oral Tablet',
    'Prednisone 10 mg: 5-day taper (40 mg × 2 days, 20 mg × 2 days, 10 mg × 1 day)',
    [
      { sequence: 1, doseAndRate: [{ doseQuantity: tablets(4) }], route: ORAL, timing: { ...daily(1, 'QD', 'Once daily'), repeat: { frequency: 1, period: 1, periodUnit: 'd', boundsDuration: { value: 2, unit: 'days', system: UCUM, code: 'd' } } } },
      { sequence: 2, doseAndRate: [{ doseQuantity: tablets(2) }], route: ORAL, timing: { ...daily(1, 'QD', 'Once daily'), repeat: { frequency: 1, period: 1, periodUnit: 'd', boundsDuration: { value: 2, unit: 'days', system: UCUM, code: 'd' } } } },
      { sequence: 3, doseAndRate: [{ doseQuantity: tablets(1) }], route: ORAL, timing: { ...daily(1, 'QD', 'Once daily'), repeat: { frequency: 1, period: 1, periodUnit: 'd', boundsDuration: { value: 1, unit: 'day', system: UCUM, code: 'd' } } } },
    ],
    13,
    '{tbl}',
    0,
  ),
  medication(
    'amoxicillin-500-tid',
    '308191',
    'amoxicillin 500 MG Oral Capsule',
    'Amoxicillin 500 mg: 1 capsule three times daily, 10 days',
    [{ sequence: 1, doseAndRate: [{ doseQuantity: tablets(1, '{capsule}') }], route: ORAL, timing: { ...daily(3, 'TID', 'Three times daily'), repeat: { frequency: 3, period: 1, periodUnit: 'd', boundsDuration: { value: 10, unit: 'days', system: UCUM, code: 'd' } } } }],
    30,
    '{capsule}',
    0,
  ),
  medication('lisinopril-10-daily', '314076', 'lisinopril 10 MG Oral Tablet', 'Lisinopril 10 mg: 1 tablet once daily', [{ sequence: 1, doseAndRate: [{ doseQuantity: tablets(1) }], route: ORAL, timing: daily(1, 'QD', 'Once daily') }], 90, '{tbl}', 3),
  medication(
    'metformin-500-bid',
    '861007',
    'metformin hydrochloride 500 MG Oral Tablet',
    'Metformin 500 mg: 1 tablet twice daily with meals',
    [{ sequence: 1, doseAndRate: [{ doseQuantity: tablets(1) }], route: ORAL, timing: daily(2, 'BID', 'Twice daily'), additionalInstruction: [{ coding: [{ system: SNOMED, code: '311504000', display: 'With or after food' }], text: 'with meals' }] }],
    180,
    '{tbl}',
    3,
  ),
];

export const ORDER_CATALOGUE: readonly ActivityDefinition[] = [...LAB_CATALOGUE, ...MEDICATION_CATALOGUE];
