/**
 * Whether a result is normal, high, low or critical, and how to show it with more than colour
 * (WCAG 1.4.1; Sittig's criterion that abnormal points are marked). The lab's own
 * interpretation wins; without one, the value is compared with the result's reference range, and
 * without that with a default range the caller knows (vital-signs.ts).
 */
import type { CodeableConcept, ObservationReferenceRange } from '@medplum/fhirtypes';

export type Flag = 'critical-low' | 'low' | 'normal' | 'high' | 'critical-high' | 'abnormal' | 'critical';

export const INTERPRETATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';

/** v3 ObservationInterpretation codes Heron acts on; others (e.g. susceptibility S/R/I) are not flags. */
const FROM_CODE: Record<string, Flag> = {
  N: 'normal',
  H: 'high',
  HU: 'high',
  L: 'low',
  LU: 'low',
  HH: 'critical-high',
  LL: 'critical-low',
  A: 'abnormal',
  AA: 'critical',
  POS: 'abnormal',
  DET: 'abnormal',
};

export const FLAG_TEXT: Record<Flag, { symbol: string; label: string }> = {
  'critical-low': { symbol: 'LL', label: 'Critically low' },
  low: { symbol: 'L', label: 'Low' },
  normal: { symbol: '', label: 'Normal' },
  high: { symbol: 'H', label: 'High' },
  'critical-high': { symbol: 'HH', label: 'Critically high' },
  abnormal: { symbol: 'A', label: 'Abnormal' },
  critical: { symbol: 'AA', label: 'Critical' },
};

export function isAbnormal(flag: Flag | undefined): boolean {
  return flag !== undefined && flag !== 'normal';
}

export function isCritical(flag: Flag | undefined): boolean {
  return flag === 'critical' || flag === 'critical-high' || flag === 'critical-low';
}

/** The flag the lab gave, from `Observation.interpretation`. */
export function flagFromInterpretation(interpretation: readonly CodeableConcept[] | undefined): Flag | undefined {
  for (const concept of interpretation ?? []) {
    for (const coding of concept.coding ?? []) {
      if (coding.code && (coding.system === undefined || coding.system === INTERPRETATION_SYSTEM)) {
        const flag = FROM_CODE[coding.code];
        if (flag) return flag;
      }
    }
  }
  return undefined;
}

export interface Range {
  low?: number;
  high?: number;
}

/** The normal range among a result's reference ranges (one with no type, or type "normal"). */
export function normalRange(ranges: readonly ObservationReferenceRange[] | undefined): Range | undefined {
  const range = (ranges ?? []).find((r) => !r.type || r.type.coding?.some((c) => c.code === 'normal'));
  if (!range || (range.low?.value === undefined && range.high?.value === undefined)) return undefined;
  return { low: range.low?.value, high: range.high?.value };
}

/** The flag for `value`: the lab's interpretation, else the comparison with `range`, else undefined. */
export function flagFor(value: number | undefined, range: Range | undefined, interpretation?: readonly CodeableConcept[]): Flag | undefined {
  const given = flagFromInterpretation(interpretation);
  if (given) return given;
  if (value === undefined || !range) return undefined;
  if (range.low !== undefined && value < range.low) return 'low';
  if (range.high !== undefined && value > range.high) return 'high';
  return 'normal';
}

/** The range in words, as a lab report prints it: "70–99", "< 5.7", "≥ 60". */
export function rangeText(range: Range | undefined, unit?: string): string {
  if (!range) return '';
  const u = unit ? ` ${unit}` : '';
  if (range.low !== undefined && range.high !== undefined) return `${range.low}–${range.high}${u}`;
  if (range.high !== undefined) return `≤ ${range.high}${u}`;
  if (range.low !== undefined) return `≥ ${range.low}${u}`;
  return '';
}

export type Trend = 'up' | 'down' | 'steady';

/** Which way the latest value moved from the one before, ignoring changes under `tolerance` (a fraction). */
export function trend(latest: number, previous: number | undefined, tolerance = 0.03): Trend | undefined {
  if (previous === undefined) return undefined;
  const scale = Math.max(Math.abs(previous), Number.EPSILON);
  const change = (latest - previous) / scale;
  if (Math.abs(change) < tolerance) return 'steady';
  return change > 0 ? 'up' : 'down';
}
