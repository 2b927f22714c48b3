/**
 * The vital signs the chart records, as the FHIR R4 vital-signs profiles define them: the LOINC
 * code each profile fixes, the UCUM unit stored, the units a person may type, and two ranges —
 * what is physiologically plausible (outside it the entry is almost certainly a typing error and
 * is refused) and the usual adult range (outside it the value is flagged, not refused).
 *
 * Source: HL7 FHIR R4 4.0.1 vital-signs profiles (CC0); LOINC © Regenstrief Institute (loinc.org/license);
 * UCUM © Regenstrief Institute and the UCUM Organization. The adult ranges are common clinical
 * defaults, not a standard; a result's own referenceRange always wins over them.
 */

export const VITAL_SIGNS_CATEGORY = {
  system: 'http://terminology.hl7.org/CodeSystem/observation-category',
  code: 'vital-signs',
  display: 'Vital Signs',
} as const;
export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';

export type VitalKey = 'systolic' | 'diastolic' | 'heartRate' | 'respiratoryRate' | 'temperature' | 'spo2' | 'height' | 'weight' | 'bmi' | 'pain';

export interface UnitChoice {
  /** UCUM code. */
  code: string;
  /** How the unit is shown. */
  label: string;
}

export interface VitalSign {
  key: VitalKey;
  /** The name on screen. */
  label: string;
  /** The LOINC code the profile fixes (blood pressure components are in the 85354-9 panel). */
  loinc: string;
  loincDisplay: string;
  /** The unit stored (UCUM); the first of `units`. */
  unit: UnitChoice;
  /** Units a person may enter the value in (converted to `unit` by units.ts). */
  units: readonly UnitChoice[];
  /** Outside this (in `unit`) the value is refused as implausible. */
  plausible: readonly [number, number];
  /** Outside this (in `unit`) the value is flagged high or low. */
  normal?: readonly [number, number];
  /** Decimal places shown. */
  decimals: number;
}

const PER_MIN = { code: '/min', label: '/min' };
const MMHG = { code: 'mm[Hg]', label: 'mmHg' };

export const BLOOD_PRESSURE_PANEL = { loinc: '85354-9', display: 'Blood pressure panel with all children optional' } as const;

export const VITAL_SIGNS: Record<VitalKey, VitalSign> = {
  systolic: { key: 'systolic', label: 'Systolic', loinc: '8480-6', loincDisplay: 'Systolic blood pressure', unit: MMHG, units: [MMHG], plausible: [40, 300], normal: [90, 139], decimals: 0 },
  diastolic: { key: 'diastolic', label: 'Diastolic', loinc: '8462-4', loincDisplay: 'Diastolic blood pressure', unit: MMHG, units: [MMHG], plausible: [20, 200], normal: [60, 89], decimals: 0 },
  heartRate: { key: 'heartRate', label: 'Heart rate', loinc: '8867-4', loincDisplay: 'Heart rate', unit: PER_MIN, units: [PER_MIN], plausible: [20, 300], normal: [60, 100], decimals: 0 },
  respiratoryRate: { key: 'respiratoryRate', label: 'Respiratory rate', loinc: '9279-1', loincDisplay: 'Respiratory rate', unit: PER_MIN, units: [PER_MIN], plausible: [4, 80], normal: [12, 20], decimals: 0 },
  temperature: {
    key: 'temperature', label: 'Temperature', loinc: '8310-5', loincDisplay: 'Body temperature',
    unit: { code: 'Cel', label: '°C' }, units: [{ code: 'Cel', label: '°C' }, { code: '[degF]', label: '°F' }],
    plausible: [25, 45], normal: [36.1, 37.9], decimals: 1,
  },
  spo2: { key: 'spo2', label: 'SpO₂', loinc: '2708-6', loincDisplay: 'Oxygen saturation in Arterial blood', unit: { code: '%', label: '%' }, units: [{ code: '%', label: '%' }], plausible: [50, 100], normal: [95, 100], decimals: 0 },
  height: {
    key: 'height', label: 'Height', loinc: '8302-2', loincDisplay: 'Body height',
    unit: { code: 'cm', label: 'cm' }, units: [{ code: 'cm', label: 'cm' }, { code: '[in_i]', label: 'in' }],
    plausible: [20, 250], decimals: 1,
  },
  weight: {
    key: 'weight', label: 'Weight', loinc: '29463-7', loincDisplay: 'Body weight',
    unit: { code: 'kg', label: 'kg' }, units: [{ code: 'kg', label: 'kg' }, { code: '[lb_av]', label: 'lb' }],
    plausible: [0.3, 400], decimals: 1,
  },
  bmi: { key: 'bmi', label: 'BMI', loinc: '39156-5', loincDisplay: 'Body mass index (BMI) [Ratio]', unit: { code: 'kg/m2', label: 'kg/m²' }, units: [{ code: 'kg/m2', label: 'kg/m²' }], plausible: [5, 100], normal: [18.5, 24.9], decimals: 1 },
  pain: { key: 'pain', label: 'Pain (0–10)', loinc: '72514-3', loincDisplay: 'Pain severity - 0-10 verbal numeric rating [Score] - Reported', unit: { code: '{score}', label: '/10' }, units: [{ code: '{score}', label: '/10' }], plausible: [0, 10], normal: [0, 3], decimals: 0 },
};

/** The vital sign a LOINC code records, if any. SpO₂ by pulse oximetry (59408-5, US Core) counts as SpO₂. */
export function vitalSignByLoinc(code: string): VitalSign | undefined {
  if (code === '59408-5') return VITAL_SIGNS.spo2;
  return Object.values(VITAL_SIGNS).find((v) => v.loinc === code);
}

export type PlausibilityProblem = { key: VitalKey; message: string };

/** Why a value (in the stored unit) cannot be right, in words a nurse acts on; undefined when plausible. */
export function implausible(key: VitalKey, value: number): PlausibilityProblem | undefined {
  const v = VITAL_SIGNS[key];
  if (!Number.isFinite(value)) return { key, message: `${v.label} must be a number` };
  const [low, high] = v.plausible;
  if (value < low || value > high) return { key, message: `${v.label} of ${value} ${v.unit.label} is outside ${low}–${high} ${v.unit.label}; check the value and unit` };
  return undefined;
}
