/**
 * The vital-signs flowsheet: one column per time measured (newest first, so the latest set is
 * read without scrolling), one row per measure, each cell the value with its flag. Built from the
 * same points as the summary's latest vitals (summary.ts `vitalPoints`).
 */
import type { Observation } from '@medplum/fhirtypes';
import { flagFor, normalRange, type Flag } from '../clinical/flags.ts';
import { VITAL_SIGNS, type VitalKey } from '../clinical/vital-signs.ts';
import { vitalPoints } from './summary.ts';

export const FLOWSHEET_ROWS: readonly VitalKey[] = ['systolic', 'diastolic', 'heartRate', 'respiratoryRate', 'temperature', 'spo2', 'height', 'weight', 'bmi', 'pain'];

export interface FlowsheetCell {
  value: number;
  flag: Flag | undefined;
  observation: Observation;
}

export interface Flowsheet {
  /** Times measured (as recorded), newest first. */
  columns: string[];
  /** Measure → time → cell. */
  cells: Map<VitalKey, Map<string, FlowsheetCell>>;
  /** Measures with at least one value, in FLOWSHEET_ROWS order. */
  rows: VitalKey[];
}

export function flowsheet(observations: readonly Observation[], maxColumns = 12): Flowsheet {
  const points = vitalPoints(observations);
  const times = new Set<string>();
  const cells = new Map<VitalKey, Map<string, FlowsheetCell>>();
  for (const [key, list] of points) {
    const normal = VITAL_SIGNS[key].normal;
    const byTime = new Map<string, FlowsheetCell>();
    for (const p of list) {
      const component = p.observation.component?.find((c) => c.code.coding?.some((x) => x.code === VITAL_SIGNS[key].loinc));
      const interpretation = component ? component.interpretation : p.observation.interpretation;
      const range = (component ? normalRange(component.referenceRange) : normalRange(p.observation.referenceRange)) ?? (normal ? { low: normal[0], high: normal[1] } : undefined);
      byTime.set(p.when, { value: p.value, flag: flagFor(p.value, range, interpretation), observation: p.observation });
      times.add(p.when);
    }
    cells.set(key, byTime);
  }
  const columns = [...times].sort((a, b) => Date.parse(b) - Date.parse(a)).slice(0, maxColumns);
  return { columns, cells, rows: FLOWSHEET_ROWS.filter((k) => cells.has(k)) };
}
