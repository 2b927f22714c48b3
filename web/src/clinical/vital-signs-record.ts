/**
 * A set of vital signs as the nurse types them (strings, in the units chosen) turned into what is
 * stored: FHIR R4 vital-signs Observations exactly as the profiles require — category
 * vital-signs, the profile's LOINC code, a UCUM quantity, effectiveDateTime, subject, performer —
 * blood pressure as one 85354-9 panel with systolic and diastolic components, all grouped by a
 * vital-signs panel (85353-1), in one transaction Bundle so the set is saved whole or not at all.
 * @see https://hl7.org/fhir/R4/observation-vitalsigns.html
 */
import type { Bundle, Observation, Practitioner, Quantity, Reference } from '@medplum/fhirtypes';
import { bmi } from './bmi.ts';
import { convert, roundTo } from './units.ts';
import { BLOOD_PRESSURE_PANEL, implausible, LOINC, UCUM, VITAL_SIGNS, VITAL_SIGNS_CATEGORY, type VitalKey } from './vital-signs.ts';

/** The vital signs a person types; BMI is computed, never typed. */
export type EnteredVital = Exclude<VitalKey, 'bmi'>;

export const ENTERED_VITALS: readonly EnteredVital[] = ['systolic', 'diastolic', 'heartRate', 'respiratoryRate', 'temperature', 'spo2', 'height', 'weight', 'pain'];

/** What the form holds: each value as typed, and the unit it was typed in (UCUM code). */
export interface VitalsEntry {
  values: Partial<Record<EnteredVital, string>>;
  units: Partial<Record<EnteredVital, string>>;
}

/** The profile each vital sign's Observation claims (R4 core vital-signs profiles; pain has none). */
const PROFILE: Partial<Record<VitalKey, string>> = {
  heartRate: 'heartrate',
  respiratoryRate: 'resprate',
  temperature: 'bodytemp',
  spo2: 'oxygensat',
  height: 'bodyheight',
  weight: 'bodyweight',
  bmi: 'bmi',
};
const PROFILE_BASE = 'http://hl7.org/fhir/StructureDefinition/';
const PULSE_OXIMETRY = { system: LOINC, code: '59408-5', display: 'Oxygen saturation in Arterial blood by Pulse oximetry' };

export interface ReadEntry {
  /** Each entered value in the stored unit, rounded as stored. */
  values: Partial<Record<VitalKey, number>>;
  /** Why a field cannot be saved, by field. */
  problems: Partial<Record<EnteredVital, string>>;
}

/**
 * Reads the typed values: numbers in the stored units, BMI from weight and height (the height
 * typed now, else `knownHeightCm`, the latest recorded), and a message for each field that is not
 * a number or not plausible. Empty fields are left out; a blood pressure needs both numbers.
 */
export function readEntry(entry: VitalsEntry, knownHeightCm?: number): ReadEntry {
  const values: Partial<Record<VitalKey, number>> = {};
  const problems: Partial<Record<EnteredVital, string>> = {};
  for (const key of ENTERED_VITALS) {
    const text = entry.values[key]?.trim().replace(',', '.');
    if (!text) continue;
    const def = VITAL_SIGNS[key];
    const typed = Number(text);
    if (!Number.isFinite(typed)) {
      problems[key] = `${def.label} must be a number`;
      continue;
    }
    const unit = entry.units[key] ?? def.unit.code;
    const stored = roundTo(convert(typed, unit, def.unit.code), def.decimals + (unit === def.unit.code ? 0 : 1));
    const problem = implausible(key, stored);
    if (problem) {
      problems[key] = unit === def.unit.code ? problem.message : `${problem.message} (${typed} ${def.units.find((u) => u.code === unit)?.label ?? unit} = ${stored} ${def.unit.label})`;
      continue;
    }
    values[key] = stored;
  }
  if ((values.systolic === undefined) !== (values.diastolic === undefined) && !problems.systolic && !problems.diastolic) {
    problems[values.systolic === undefined ? 'systolic' : 'diastolic'] = 'Blood pressure needs both systolic and diastolic values';
  }
  if (values.systolic !== undefined && values.diastolic !== undefined && values.diastolic >= values.systolic) {
    problems.diastolic = `Diastolic (${values.diastolic}) must be lower than systolic (${values.systolic}); check the order`;
  }
  const computed = bmi(values.weight, values.height ?? knownHeightCm);
  if (computed !== undefined && !implausible('bmi', computed)) values.bmi = computed;
  return { values, problems };
}

export interface RecordContext {
  patientId: string;
  /** When measured (ISO date-time). */
  effective: string;
  /** The signed-in user's fhirUser (`Practitioner/…`), the performer. */
  performer?: string;
  /** Makes the transaction's temporary ids (urn:uuid:…); `crypto.randomUUID` in the app. */
  uuid: () => string;
}

function quantity(key: VitalKey, value: number): Quantity {
  const unit = VITAL_SIGNS[key].unit;
  return { value, unit: unit.label || unit.code, system: UCUM, code: unit.code };
}

function observation(key: VitalKey | 'bp' | 'panel', c: RecordContext): Observation {
  const code =
    key === 'bp'
      ? { coding: [{ system: LOINC, code: BLOOD_PRESSURE_PANEL.loinc, display: BLOOD_PRESSURE_PANEL.display }], text: 'Blood pressure' }
      : key === 'panel'
        ? { coding: [{ system: LOINC, code: '85353-1', display: 'Vital signs, weight, height, head circumference, oxygen saturation and BMI panel' }], text: 'Vital signs' }
        : { coding: [{ system: LOINC, code: VITAL_SIGNS[key].loinc, display: VITAL_SIGNS[key].loincDisplay }, ...(key === 'spo2' ? [PULSE_OXIMETRY] : [])], text: VITAL_SIGNS[key].label };
  const profile = key === 'bp' ? 'bp' : key === 'panel' ? 'vitalspanel' : PROFILE[key];
  return {
    resourceType: 'Observation',
    ...(profile ? { meta: { profile: [`${PROFILE_BASE}${profile}`] } } : {}),
    status: 'final',
    category: [{ coding: [{ ...VITAL_SIGNS_CATEGORY }], text: 'Vital signs' }],
    code,
    subject: { reference: `Patient/${c.patientId}` },
    effectiveDateTime: c.effective,
    ...(c.performer ? { performer: [{ reference: c.performer } as Reference<Practitioner>] } : {}),
  };
}

/**
 * The transaction that records `values` (from `readEntry`, without problems) for the patient in
 * `c`: one Observation per measure, blood pressure as a panel with components, and a vital-signs
 * panel grouping them. Undefined when there is nothing to record.
 */
export function vitalSignsTransaction(values: Partial<Record<VitalKey, number>>, c: RecordContext): Bundle | undefined {
  const members: Array<{ fullUrl: string; resource: Observation }> = [];
  const add = (resource: Observation) => members.push({ fullUrl: `urn:uuid:${c.uuid()}`, resource });
  if (values.systolic !== undefined && values.diastolic !== undefined) {
    const bp = observation('bp', c);
    bp.component = (['systolic', 'diastolic'] as const).map((k) => ({
      code: { coding: [{ system: LOINC, code: VITAL_SIGNS[k].loinc, display: VITAL_SIGNS[k].loincDisplay }], text: VITAL_SIGNS[k].label },
      valueQuantity: quantity(k, values[k]!),
    }));
    add(bp);
  }
  for (const key of ['heartRate', 'respiratoryRate', 'temperature', 'spo2', 'height', 'weight', 'bmi', 'pain'] as const) {
    const value = values[key];
    if (value === undefined) continue;
    const o = observation(key, c);
    o.valueQuantity = quantity(key, value);
    add(o);
  }
  if (members.length === 0) return undefined;
  const panel = observation('panel', c);
  panel.hasMember = members.map((m) => ({ reference: m.fullUrl }));
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [{ fullUrl: `urn:uuid:${c.uuid()}`, resource: panel }, ...members].map((e) => ({ ...e, request: { method: 'POST', url: 'Observation' } })),
  };
}

/** Clocks differ by a little; a reading a few minutes "ahead" is the device's clock, not the future. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Why the "taken at" time (a `datetime-local` value, empty for now) cannot be saved, or
 * undefined: a reading cannot be from the future, and a date before 1900 is a typing slip.
 */
export function takenAtProblem(taken: string, now: Date): string | undefined {
  if (taken.trim() === '') return undefined;
  const at = new Date(taken);
  if (Number.isNaN(at.getTime())) return 'Taken at is not a date and time';
  if (at.getTime() > now.getTime() + CLOCK_SKEW_MS) return 'Taken at is in the future; enter when the values were measured';
  if (at.getFullYear() < 1900) return 'Taken at is before 1900; check the year';
  return undefined;
}


/**
 * The transaction that marks a recorded set of vital signs as entered in error (typed into the
 * wrong chart, a misread device): each Observation kept as it was, with status
 * `entered-in-error`, the reason as a note, and If-Match on the version read, so a set changed
 * meanwhile is not overwritten. Nothing is deleted: the record shows what was corrected.
 */
export function enteredInErrorTransaction(observations: readonly Observation[], reason: string, by: { fhirUser?: string; now: Date }): Bundle {
  const note = { text: `Entered in error: ${reason.trim()}`, time: by.now.toISOString(), ...(by.fhirUser ? { authorReference: { reference: by.fhirUser } } : {}) };
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: observations.map((o) => ({
      resource: { ...o, status: 'entered-in-error' as const, note: [...(o.note ?? []), note] },
      request: { method: 'PUT' as const, url: `Observation/${o.id}`, ...(o.meta?.versionId ? { ifMatch: `W/"${o.meta.versionId}"` } : {}) },
    })),
  };
}
