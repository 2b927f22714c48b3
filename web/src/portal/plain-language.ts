import type { CodeableConcept, Quantity } from '@medplum/fhirtypes';
import { BLOOD_PRESSURE_PANEL, LOINC, VITAL_SIGNS } from '../clinical/vital-signs.ts';
import { codingIn, testName, unitText } from '../fhir-format/values.ts';

/**
 * What common tests measure, in one plain sentence a patient can read next to their result. Keyed
 * by LOINC code; a test not listed gets no sentence rather than a guess.
 */
const WHAT_IT_MEASURES: Readonly<Record<string, string>> = {
  '4548-4': 'Your average blood sugar over the past two to three months.',
  '17856-6': 'Your average blood sugar over the past two to three months.',
  '2345-7': 'The amount of sugar (glucose) in your blood when the sample was taken.',
  '2339-0': 'The amount of sugar (glucose) in your blood when the sample was taken.',
  '1558-6': 'The amount of sugar in your blood after not eating for at least eight hours.',
  '2093-3': 'The total amount of cholesterol, a fat, in your blood.',
  '18262-6': 'The "bad" cholesterol that can build up in blood vessels.',
  '13457-7': 'The "bad" cholesterol that can build up in blood vessels.',
  '2089-1': 'The "bad" cholesterol that can build up in blood vessels.',
  '2085-9': 'The "good" cholesterol that helps clear other fats from your blood.',
  '2571-8': 'Triglycerides, a type of fat in your blood.',
  '2160-0': 'Creatinine, a waste product your kidneys clear: it shows how well they work.',
  '38483-4': 'Creatinine, a waste product your kidneys clear: it shows how well they work.',
  '33914-3': 'An estimate of how well your kidneys filter your blood (eGFR).',
  '62238-1': 'An estimate of how well your kidneys filter your blood (eGFR).',
  '6299-2': 'Urea nitrogen, a waste product your kidneys clear.',
  '3094-0': 'Urea nitrogen, a waste product your kidneys clear.',
  '718-7': 'Hemoglobin, the part of red blood cells that carries oxygen.',
  '4544-3': 'The share of your blood made up of red blood cells.',
  '6690-2': 'White blood cells, which fight infection.',
  '26464-8': 'White blood cells, which fight infection.',
  '777-3': 'Platelets, which help your blood clot.',
  '26515-7': 'Platelets, which help your blood clot.',
  '789-8': 'Red blood cells, which carry oxygen around your body.',
  '3016-3': 'Thyroid stimulating hormone (TSH): it shows how well your thyroid gland works.',
  '11580-8': 'Thyroid stimulating hormone (TSH): it shows how well your thyroid gland works.',
  '2823-3': 'Potassium, a salt your heart and muscles need in the right amount.',
  '6298-4': 'Potassium, a salt your heart and muscles need in the right amount.',
  '2951-2': 'Sodium, a salt that keeps the water in your body in balance.',
  '2947-0': 'Sodium, a salt that keeps the water in your body in balance.',
  '2075-0': 'Chloride, a salt that keeps the water and acid in your body in balance.',
  '2069-3': 'Chloride, a salt that keeps the water and acid in your body in balance.',
  '2028-9': 'Carbon dioxide (bicarbonate), which shows the acid balance of your blood.',
  '17861-6': 'Calcium, which your bones, nerves and muscles need.',
  '49765-1': 'Calcium, which your bones, nerves and muscles need.',
  '1742-6': 'A liver enzyme (ALT): high levels can mean the liver is irritated.',
  '1920-8': 'A liver enzyme (AST): high levels can mean the liver or muscles are irritated.',
  '6768-6': 'Alkaline phosphatase, an enzyme from the liver and bones.',
  '1975-2': 'Bilirubin, a yellow substance the liver clears from your blood.',
  '2885-2': 'The total amount of protein in your blood.',
  '1751-7': 'Albumin, the main protein in your blood, made by the liver.',
  '14959-1': 'Protein (albumin) in your urine, an early sign of kidney strain.',
  '2276-4': 'Ferritin, which shows how much iron your body has stored.',
  '1988-5': 'C-reactive protein, a sign of inflammation in the body.',
  '30522-7': 'C-reactive protein, a sign of inflammation in the body.',
  '2857-1': 'Prostate specific antigen (PSA), a protein made by the prostate.',
  '1989-3': 'Vitamin D, which keeps your bones strong.',
  '2132-9': 'Vitamin B12, which your nerves and blood cells need.',
  '6301-6': 'How long your blood takes to clot (INR), for people taking blood thinners.',
};

/** One sentence on what the test measures, or undefined for a test not in the table. */
export function whatItMeasures(loinc: string | undefined): string | undefined {
  return loinc === undefined ? undefined : WHAT_IT_MEASURES[loinc];
}

/**
 * The short name a patient reads for an observation, as My health shows it: a vital sign by its
 * name ("Blood pressure", "Heart rate", "Systolic blood pressure"), any other test without LOINC's
 * specimen and method ("Hemoglobin A1c", not "Hemoglobin A1c/Hemoglobin.total in Blood").
 */
export function observationName(code: CodeableConcept | undefined): string {
  const loinc = codingIn(code, LOINC)?.code;
  if (loinc === BLOOD_PRESSURE_PANEL.loinc) return 'Blood pressure';
  const vital = Object.values(VITAL_SIGNS).find((v) => v.loinc === loinc);
  if (vital !== undefined) return vital.key === 'systolic' || vital.key === 'diastolic' ? vital.loincDisplay : vital.label;
  return testName(code);
}

/** A unit as My health shows it ("mmHg", "°C"), whether the quantity carries the UCUM code or only the unit as written. */
export function unitWords(q: Pick<Quantity, 'unit' | 'code'> | undefined): string {
  if (q === undefined) return '';
  return unitText(q.code === undefined && q.unit !== undefined ? { unit: q.unit, code: q.unit } : q);
}
