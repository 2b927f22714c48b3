/**
 * One vital sign's trend for a patient, as the chart's vitals screen and the portal show it: the
 * values over time in the one trend plot of the app, against the usual adult range.
 */
import type { Observation } from '@medplum/fhirtypes';
import { flowsheet } from '../../chart/flowsheet.ts';
import { BLOOD_PRESSURE_PANEL, LOINC, VITAL_SIGNS, type VitalKey } from '../../clinical/vital-signs.ts';
import { EmptyState } from '../../design/index.ts';
import { matches, useSearch } from '../../fhir/queries.ts';
import { QueryView } from '../../fhir/query-view.tsx';
import { TrendPlot } from './trend-plot.tsx';

/** The measure as a plot's axis and a picker name it ("Systolic blood pressure"). */
export function vitalTrendName(vital: VitalKey): string {
  return vital === 'systolic' ? 'Systolic blood pressure' : vital === 'diastolic' ? 'Diastolic blood pressure' : VITAL_SIGNS[vital].label;
}

/** One measure's values over time (up to 200, newest), plotted and one click from a table. */
export function VitalTrend({ patientId, vital }: { patientId: string; vital: VitalKey }) {
  const def = VITAL_SIGNS[vital];
  const code = vital === 'systolic' || vital === 'diastolic' ? BLOOD_PRESSURE_PANEL.loinc : def.loinc;
  const query = useSearch<Observation>('Observation', { patient: patientId, code: `${LOINC}|${code}`, _sort: '-date', _count: 200 });
  return (
    <QueryView query={query} what={`${def.label.toLowerCase()} values`} isEmpty={(b) => matches(b).length === 0} empty={<EmptyState title={`No ${def.label.toLowerCase()} recorded.`} />} skeletonLines={6}>
      {(bundle) => {
        const sheet = flowsheet(matches(bundle), 200);
        const cells = sheet.cells.get(vital) ?? new Map();
        const points = [...cells.entries()].map(([when, cell]) => ({ id: `${cell.observation.id}-${vital}`, when, value: cell.value, flag: cell.flag }));
        return <TrendPlot measure={vitalTrendName(vital)} unit={def.unit.label} points={points} range={def.normal ? { low: def.normal[0], high: def.normal[1] } : undefined} />;
      }}
    </QueryView>
  );
}
