/**
 * What the chart at a glance shows, picked from the patient's FHIR resources: which problems,
 * medications and allergies are current, which are stale or inactive (shown differently, NIST
 * 7804-1: stale or wrong items must stand out), the latest vital signs with their trend, and the
 * latest result of each test with its flag. Pure functions over resources, so each rule is tested
 * once and every screen applies it the same way.
 */
import type { AllergyIntolerance, Appointment, Condition, Encounter, Immunization, MedicationRequest, Observation } from '@medplum/fhirtypes';
import { flagFor, normalRange, trend, type Flag, type Trend } from '../clinical/flags.ts';
import { vitalSignByLoinc, VITAL_SIGNS, type VitalKey } from '../clinical/vital-signs.ts';
import { conceptText } from '../fhir-format/values.ts';

const DAY = 86_400_000;
/** A medication not prescribed or renewed for this long is flagged for review. */
export const STALE_MEDICATION_DAYS = 365;

function code(concept: { coding?: Array<{ code?: string }> } | undefined): string | undefined {
  return concept?.coding?.[0]?.code;
}

function time(value: string | undefined): number {
  const t = value ? Date.parse(value) : Number.NaN;
  return Number.isNaN(t) ? 0 : t;
}

// --- Problems -------------------------------------------------------------------------------

const ACTIVE_CLINICAL = new Set(['active', 'recurrence', 'relapse']);

function isEnteredInError(verification: { coding?: Array<{ code?: string }> } | undefined): boolean {
  return code(verification) === 'entered-in-error' || code(verification) === 'refuted';
}

export function isActiveProblem(c: Condition): boolean {
  return ACTIVE_CLINICAL.has(code(c.clinicalStatus) ?? '') && !isEnteredInError(c.verificationStatus) && !c.abatementDateTime && !c.abatementPeriod;
}

function problemDate(c: Condition): number {
  return time(c.onsetDateTime ?? c.onsetPeriod?.start ?? c.recordedDate);
}

/** Active problems first (newest onset first), then the inactive and resolved; errors left out. */
export function problemList(conditions: readonly Condition[]): { active: Condition[]; inactive: Condition[] } {
  const kept = conditions.filter((c) => !isEnteredInError(c.verificationStatus));
  const byOnset = (a: Condition, b: Condition) => problemDate(b) - problemDate(a);
  return { active: kept.filter(isActiveProblem).sort(byOnset), inactive: kept.filter((c) => !isActiveProblem(c)).sort(byOnset) };
}

// --- Medications ----------------------------------------------------------------------------

export interface MedicationRow {
  request: MedicationRequest;
  name: string;
  /** Current but not prescribed or renewed within STALE_MEDICATION_DAYS: needs reconciliation. */
  stale: boolean;
}

export function medicationName(m: MedicationRequest): string {
  return conceptText(m.medicationCodeableConcept) || m.medicationReference?.display || 'Unnamed medication';
}

/** Active and on-hold requests are current; one row per medication (the latest request). */
export function medicationList(requests: readonly MedicationRequest[], now = new Date()): { current: MedicationRow[]; past: MedicationRow[] } {
  const latest = new Map<string, MedicationRequest>();
  for (const r of [...requests].sort((a, b) => time(b.authoredOn) - time(a.authoredOn))) {
    if (r.status === 'entered-in-error') continue;
    const key = code(r.medicationCodeableConcept) ?? medicationName(r);
    if (!latest.has(key)) latest.set(key, r);
  }
  const rows = [...latest.values()].map((request) => ({
    request,
    name: medicationName(request),
    stale: now.getTime() - time(request.authoredOn) > STALE_MEDICATION_DAYS * DAY,
  }));
  const isCurrent = (r: MedicationRow) => r.request.status === 'active' || r.request.status === 'on-hold';
  return { current: rows.filter(isCurrent), past: rows.filter((r) => !isCurrent(r)).map((r) => ({ ...r, stale: false })) };
}

// --- Allergies ------------------------------------------------------------------------------

/** SNOMED codes that record the absence of allergies rather than an allergy. */
const NO_KNOWN_ALLERGY = new Set(['716186003', '409137002', '428607008', '429625007']);

export function isNoKnownAllergy(a: AllergyIntolerance): boolean {
  return a.code?.coding?.some((c) => NO_KNOWN_ALLERGY.has(c.code ?? '')) ?? false;
}

export interface AllergyStatus {
  /** Active allergies, high criticality first. */
  active: AllergyIntolerance[];
  /** "No known allergies" was recorded and nothing active contradicts it. */
  noneKnown: boolean;
  /** Nothing recorded at all: not the same as none (the banner says "Allergies not recorded"). */
  unrecorded: boolean;
}

export function allergyStatus(allergies: readonly AllergyIntolerance[]): AllergyStatus {
  const kept = allergies.filter((a) => !isEnteredInError(a.verificationStatus));
  const active = kept
    .filter((a) => !isNoKnownAllergy(a) && (code(a.clinicalStatus) ?? 'active') === 'active')
    .sort((a, b) => Number(b.criticality === 'high') - Number(a.criticality === 'high'));
  return { active, noneKnown: active.length === 0 && kept.some(isNoKnownAllergy), unrecorded: kept.length === 0 };
}

// --- Immunizations --------------------------------------------------------------------------

/** The latest completed dose of each vaccine, newest first. */
export function immunizationHistory(immunizations: readonly Immunization[]): Array<{ latest: Immunization; doses: number }> {
  const byVaccine = new Map<string, Immunization[]>();
  for (const i of immunizations) {
    if (i.status !== 'completed') continue;
    const key = code(i.vaccineCode) ?? conceptText(i.vaccineCode);
    byVaccine.set(key, [...(byVaccine.get(key) ?? []), i]);
  }
  return [...byVaccine.values()]
    .map((doses) => {
      const sorted = doses.sort((a, b) => time(b.occurrenceDateTime) - time(a.occurrenceDateTime));
      return { latest: sorted[0]!, doses: sorted.length };
    })
    .sort((a, b) => time(b.latest.occurrenceDateTime) - time(a.latest.occurrenceDateTime));
}

// --- Vital signs and results ----------------------------------------------------------------

export interface LatestValue {
  observation: Observation;
  value: number;
  unit: string;
  when: string;
  previous?: number;
  trend?: Trend;
  flag?: Flag;
}

function effective(o: Observation): string {
  return o.effectiveDateTime ?? o.effectivePeriod?.start ?? o.issued ?? '';
}

/** Each point of a vital sign: blood pressure panels give a systolic and a diastolic point. */
export function vitalPoints(observations: readonly Observation[]): Map<VitalKey, Array<{ observation: Observation; value: number; unit: string; when: string }>> {
  const points = new Map<VitalKey, Array<{ observation: Observation; value: number; unit: string; when: string }>>();
  const add = (key: VitalKey, observation: Observation, value: number | undefined, unit: string | undefined) => {
    if (value === undefined) return;
    points.set(key, [...(points.get(key) ?? []), { observation, value, unit: unit ?? VITAL_SIGNS[key].unit.code, when: effective(observation) }]);
  };
  for (const o of observations) {
    if (o.status === 'entered-in-error' || o.status === 'cancelled') continue;
    for (const c of o.component ?? []) {
      const vital = c.code.coding?.map((x) => vitalSignByLoinc(x.code ?? '')).find(Boolean);
      if (vital) add(vital.key, o, c.valueQuantity?.value, c.valueQuantity?.code);
    }
    const vital = o.code.coding?.map((x) => vitalSignByLoinc(x.code ?? '')).find(Boolean);
    if (vital) add(vital.key, o, o.valueQuantity?.value, o.valueQuantity?.code);
  }
  for (const list of points.values()) list.sort((a, b) => time(a.when) - time(b.when));
  return points;
}

/** The latest value of each vital sign, with the previous one, the trend and a flag against the usual adult range. */
export function latestVitals(observations: readonly Observation[]): Map<VitalKey, LatestValue> {
  const latest = new Map<VitalKey, LatestValue>();
  for (const [key, points] of vitalPoints(observations)) {
    const last = points[points.length - 1]!;
    const previous = points[points.length - 2]?.value;
    const normal = VITAL_SIGNS[key].normal;
    latest.set(key, {
      ...last,
      previous,
      trend: trend(last.value, previous),
      flag: flagFor(last.value, normalRange(last.observation.referenceRange) ?? (normal ? { low: normal[0], high: normal[1] } : undefined), last.observation.interpretation),
    });
  }
  return latest;
}

/** The latest result of each test (by code), newest first, flagged against its reference range. */
export function latestResults(observations: readonly Observation[]): LatestValue[] {
  const byCode = new Map<string, Observation[]>();
  for (const o of observations) {
    if (o.status === 'entered-in-error' || o.status === 'cancelled' || o.valueQuantity?.value === undefined) continue;
    const key = code(o.code) ?? conceptText(o.code);
    byCode.set(key, [...(byCode.get(key) ?? []), o]);
  }
  return [...byCode.values()]
    .map((list) => {
      const sorted = list.sort((a, b) => time(effective(b)) - time(effective(a)));
      const o = sorted[0]!;
      const value = o.valueQuantity!.value!;
      const previous = sorted[1]?.valueQuantity?.value;
      return { observation: o, value, unit: o.valueQuantity?.unit ?? o.valueQuantity?.code ?? '', when: effective(o), previous, trend: trend(value, previous), flag: flagFor(value, normalRange(o.referenceRange), o.interpretation) };
    })
    .sort((a, b) => time(b.when) - time(a.when));
}

// --- Appointments and encounters ------------------------------------------------------------

const UPCOMING = new Set(['proposed', 'pending', 'booked', 'arrived', 'checked-in', 'waitlist']);

export function upcomingAppointments(appointments: readonly Appointment[], now = new Date()): Appointment[] {
  return appointments.filter((a) => UPCOMING.has(a.status) && time(a.end ?? a.start) >= now.getTime()).sort((a, b) => time(a.start) - time(b.start));
}

export function recentEncounters(encounters: readonly Encounter[]): Encounter[] {
  return encounters.filter((e) => e.status !== 'entered-in-error' && e.status !== 'cancelled').sort((a, b) => time(b.period?.start) - time(a.period?.start));
}
