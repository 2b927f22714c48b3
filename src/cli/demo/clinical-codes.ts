/**
 * The codes, units and reference ranges the demo's clinical records are written with.
 *
 * Vital signs: the LOINC codes and UCUM units the FHIR R4 vital-signs profiles fix, copied from
 * `shared/data/fhir-vitals/vital-signs-r4.json` (read from the HL7 FHIR R4 4.0.1 StructureDefinitions;
 * FHIR specification content is CC0). SpO2 carries both 2708-6 (R4 core) and 59408-5 (US Core).
 * Labs: LOINC codes, UCUM units and typical adult reference ranges copied from
 * `shared/data/loinc/common-labs-reference-ranges.json` (ranges compiled by that project from
 * general clinical references; labs report their own).
 *
 * This material contains content from LOINC® (http://loinc.org). LOINC is copyright © Regenstrief
 * Institute, Inc. and the Logical Observation Identifiers Names and Codes (LOINC) Committee and is
 * available at no cost under the license at http://loinc.org/license. LOINC® is a registered
 * United States trademark of Regenstrief Institute, Inc. UCUM codes: © Regenstrief Institute and
 * the UCUM Organization, https://ucum.org/license.
 */
export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';
export const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
export const INTERPRETATION = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';

export interface QuantityCode {
  loinc: string;
  display: string;
  unit: string;
  /** Reference range in `unit`; either end may be open. */
  low?: number;
  high?: number;
  /** Critical limits, for the HH/LL flags. */
  criticalLow?: number;
  criticalHigh?: number;
}

/** R4 vital-signs profiles (`http://hl7.org/fhir/StructureDefinition/<profile>`). */
export const VITALS = {
  panel: { loinc: '85353-1', display: 'Vital signs, weight, height, head circumference, oxygen saturation and BMI panel', profile: 'vitalspanel' },
  bloodPressure: { loinc: '85354-9', display: 'Blood pressure panel with all children optional', profile: 'bp' },
  systolic: { loinc: '8480-6', display: 'Systolic blood pressure', unit: 'mm[Hg]', high: 139 },
  diastolic: { loinc: '8462-4', display: 'Diastolic blood pressure', unit: 'mm[Hg]', high: 89 },
  heartRate: { loinc: '8867-4', display: 'Heart rate', unit: '/min', low: 60, high: 100, profile: 'heartrate' },
  respiratoryRate: { loinc: '9279-1', display: 'Respiratory rate', unit: '/min', low: 12, high: 20, profile: 'resprate' },
  temperature: { loinc: '8310-5', display: 'Body temperature', unit: 'Cel', low: 36.1, high: 37.9, profile: 'bodytemp' },
  oxygenSaturation: { loinc: '2708-6', display: 'Oxygen saturation in Arterial blood', unit: '%', low: 94, profile: 'oxygensat', alsoLoinc: { code: '59408-5', display: 'Oxygen saturation in Arterial blood by Pulse oximetry' } },
  height: { loinc: '8302-2', display: 'Body height', unit: 'cm', profile: 'bodyheight' },
  weight: { loinc: '29463-7', display: 'Body weight', unit: 'kg', profile: 'bodyweight' },
  bmi: { loinc: '39156-5', display: 'Body mass index (BMI) [Ratio]', unit: 'kg/m2', low: 18.5, high: 24.9, profile: 'bmi' },
} as const;

/** UCUM units with a human display, as written in Quantity.unit. */
export const UNIT_DISPLAY: Record<string, string> = { 'mm[Hg]': 'mmHg', '/min': '/min', Cel: '°C', '%': '%', cm: 'cm', kg: 'kg', 'kg/m2': 'kg/m2' };

export const LAB_PANELS = {
  bmp: { loinc: '51990-0', display: 'Basic metabolic panel - Blood' },
  lipid: { loinc: '24331-1', display: 'Lipid panel - Serum or Plasma' },
  a1c: { loinc: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood' },
} as const;

export const LABS: Record<string, QuantityCode> = {
  sodium: { loinc: '2951-2', display: 'Sodium [Moles/volume] in Serum or Plasma', unit: 'mmol/L', low: 135, high: 145, criticalLow: 120, criticalHigh: 160 },
  potassium: { loinc: '2823-3', display: 'Potassium [Moles/volume] in Serum or Plasma', unit: 'mmol/L', low: 3.5, high: 5.1, criticalLow: 2.8, criticalHigh: 6.2 },
  chloride: { loinc: '2075-0', display: 'Chloride [Moles/volume] in Serum or Plasma', unit: 'mmol/L', low: 98, high: 107 },
  co2: { loinc: '2028-9', display: 'Carbon dioxide, total [Moles/volume] in Serum or Plasma', unit: 'mmol/L', low: 22, high: 29 },
  bun: { loinc: '3094-0', display: 'Urea nitrogen [Mass/volume] in Serum or Plasma', unit: 'mg/dL', low: 7, high: 20 },
  creatinine: { loinc: '2160-0', display: 'Creatinine [Mass/volume] in Serum or Plasma', unit: 'mg/dL', low: 0.59, high: 1.04 },
  glucose: { loinc: '2345-7', display: 'Glucose [Mass/volume] in Serum or Plasma', unit: 'mg/dL', low: 70, high: 99, criticalLow: 50, criticalHigh: 400 },
  calcium: { loinc: '17861-6', display: 'Calcium [Mass/volume] in Serum or Plasma', unit: 'mg/dL', low: 8.6, high: 10.3 },
  egfr: { loinc: '98979-8', display: 'Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI 2021)', unit: 'mL/min/{1.73_m2}', low: 60 },
  cholesterol: { loinc: '2093-3', display: 'Cholesterol [Mass/volume] in Serum or Plasma', unit: 'mg/dL', high: 200 },
  hdl: { loinc: '2085-9', display: 'Cholesterol in HDL [Mass/volume] in Serum or Plasma', unit: 'mg/dL', low: 50 },
  ldl: { loinc: '13457-7', display: 'Cholesterol in LDL [Mass/volume] in Serum or Plasma by calculation', unit: 'mg/dL', high: 100 },
  triglycerides: { loinc: '2571-8', display: 'Triglyceride [Mass/volume] in Serum or Plasma', unit: 'mg/dL', high: 150, criticalHigh: 1000 },
  a1c: { loinc: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood', unit: '%', low: 4.0, high: 5.6 },
};

/** The v3 interpretation code for a value against a range: critical (HH/LL), high, low or normal. */
export function interpretationOf(value: number, c: { low?: number; high?: number; criticalLow?: number; criticalHigh?: number }): 'HH' | 'H' | 'LL' | 'L' | 'N' {
  if (c.criticalHigh !== undefined && value >= c.criticalHigh) return 'HH';
  if (c.criticalLow !== undefined && value <= c.criticalLow) return 'LL';
  if (c.high !== undefined && value > c.high) return 'H';
  if (c.low !== undefined && value < c.low) return 'L';
  return 'N';
}

export const INTERPRETATION_DISPLAY = { HH: 'Critical high', H: 'High', LL: 'Critical low', L: 'Low', N: 'Normal' } as const;
