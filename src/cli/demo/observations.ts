/**
 * Builders of the demo's Observations and DiagnosticReports, as the FHIR R4 vital-signs profiles
 * and lab practice write them: vital signs with their profile's LOINC code, UCUM unit and the
 * vital-signs category (blood pressure as one panel with systolic and diastolic components, every
 * set grouped by a vital-signs panel), lab results with a reference range and an interpretation
 * flag, grouped by panel in a DiagnosticReport.
 * @see https://hl7.org/fhir/R4/observation-vitalsigns.html
 */
import type { DiagnosticReport, Encounter, Observation, Patient, Practitioner, Quantity, Reference } from '@medplum/fhirtypes';
import { INTERPRETATION, INTERPRETATION_DISPLAY, interpretationOf, LOINC, OBSERVATION_CATEGORY, UCUM, UNIT_DISPLAY, VITALS, type QuantityCode } from './clinical-codes.ts';

export interface Context {
  patient: Reference<Patient>;
  encounter: Reference<Encounter>;
  performer?: Reference<Practitioner>;
  /** When measured (ISO date-time). */
  at: string;
}

export interface VitalValues {
  systolic: number;
  diastolic: number;
  heartRate: number;
  respiratoryRate: number;
  temperature: number;
  oxygenSaturation: number;
  weight: number;
  /** Height in cm; BMI is computed from it. */
  height: number;
}

const VITAL_SIGNS = [{ coding: [{ system: OBSERVATION_CATEGORY, code: 'vital-signs', display: 'Vital Signs' }] }];
const LABORATORY = [{ coding: [{ system: OBSERVATION_CATEGORY, code: 'laboratory', display: 'Laboratory' }] }];

function quantity(value: number, unit: string): Quantity {
  return { value, unit: UNIT_DISPLAY[unit] ?? unit, system: UCUM, code: unit };
}

function flag(value: number, range: { low?: number; high?: number; criticalLow?: number; criticalHigh?: number }): Observation['interpretation'] {
  const code = interpretationOf(value, range);
  return [{ coding: [{ system: INTERPRETATION, code, display: INTERPRETATION_DISPLAY[code] }] }];
}

function base(id: string, c: Context, loinc: string, display: string, category: Observation['category'], profile?: string): Observation {
  const o: Observation = {
    resourceType: 'Observation',
    id,
    status: 'final',
    category,
    code: { coding: [{ system: LOINC, code: loinc, display }], text: display },
    subject: c.patient,
    encounter: c.encounter,
    effectiveDateTime: c.at,
    issued: c.at,
  };
  if (profile !== undefined) o.meta = { profile: [`http://hl7.org/fhir/StructureDefinition/${profile}`] };
  if (c.performer !== undefined) o.performer = [c.performer];
  return o;
}

/** One set of vital signs: the panel first, then its members (ids `<prefix>-<name>`). */
export function vitalSigns(prefix: string, c: Context, v: VitalValues): Observation[] {
  const single = (name: string, code: QuantityCode & { profile: string }, value: number): Observation => {
    const o = base(`${prefix}-${name}`, c, code.loinc, code.display, VITAL_SIGNS, code.profile);
    o.valueQuantity = quantity(value, code.unit);
    if (code.low !== undefined || code.high !== undefined) {
      o.interpretation = flag(value, code);
      o.referenceRange = [{ ...(code.low === undefined ? {} : { low: quantity(code.low, code.unit) }), ...(code.high === undefined ? {} : { high: quantity(code.high, code.unit) }) }];
    }
    return o;
  };
  const bp = base(`${prefix}-bp`, c, VITALS.bloodPressure.loinc, VITALS.bloodPressure.display, VITAL_SIGNS, VITALS.bloodPressure.profile);
  bp.component = [
    { code: { coding: [{ system: LOINC, code: VITALS.systolic.loinc, display: VITALS.systolic.display }] }, valueQuantity: quantity(v.systolic, 'mm[Hg]'), interpretation: flag(v.systolic, VITALS.systolic) },
    { code: { coding: [{ system: LOINC, code: VITALS.diastolic.loinc, display: VITALS.diastolic.display }] }, valueQuantity: quantity(v.diastolic, 'mm[Hg]'), interpretation: flag(v.diastolic, VITALS.diastolic) },
  ];
  const spo2 = single('spo2', VITALS.oxygenSaturation, v.oxygenSaturation);
  spo2.code.coding!.push({ system: LOINC, code: VITALS.oxygenSaturation.alsoLoinc.code, display: VITALS.oxygenSaturation.alsoLoinc.display });
  const bmi = Math.round((v.weight / (v.height / 100) ** 2) * 10) / 10;
  const members = [
    bp,
    single('hr', VITALS.heartRate, v.heartRate),
    single('rr', VITALS.respiratoryRate, v.respiratoryRate),
    single('temp', VITALS.temperature, v.temperature),
    spo2,
    single('weight', VITALS.weight, v.weight),
    single('height', VITALS.height, v.height),
    single('bmi', VITALS.bmi, bmi),
  ];
  const panel = base(`${prefix}-panel`, c, VITALS.panel.loinc, VITALS.panel.display, VITAL_SIGNS, VITALS.panel.profile);
  panel.hasMember = members.map((m) => ({ reference: `Observation/${m.id}` }));
  return [panel, ...members];
}

/** A lab result with its reference range and flag. */
export function labResult(id: string, c: Context, code: QuantityCode, value: number): Observation {
  const o = base(id, c, code.loinc, code.display, LABORATORY);
  o.valueQuantity = quantity(value, code.unit);
  o.interpretation = flag(value, code);
  const range: NonNullable<Observation['referenceRange']>[number] = {};
  if (code.low !== undefined) range.low = quantity(code.low, code.unit);
  if (code.high !== undefined) range.high = quantity(code.high, code.unit);
  o.referenceRange = [range];
  return o;
}

/** A DiagnosticReport grouping a panel's results. */
export function labReport(id: string, c: Context, panel: { loinc: string; display: string }, results: readonly Observation[]): DiagnosticReport {
  const report: DiagnosticReport = {
    resourceType: 'DiagnosticReport',
    id,
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB', display: 'Laboratory' }] }],
    code: { coding: [{ system: LOINC, code: panel.loinc, display: panel.display }], text: panel.display },
    subject: c.patient,
    encounter: c.encounter,
    effectiveDateTime: c.at,
    issued: c.at,
    result: results.map((r) => ({ reference: `Observation/${r.id}`, display: r.code.text })),
  };
  if (c.performer !== undefined) report.performer = [c.performer];
  return report;
}
