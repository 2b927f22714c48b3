import type { Observation } from '@medplum/fhirtypes';
import { format } from 'date-fns';
import { useState } from 'react';
import { useParams, useSearchParams } from 'react-router';
import { flowsheet, FLOWSHEET_ROWS } from '../../chart/flowsheet.ts';
import { latestVitals } from '../../chart/summary.ts';
import { FLAG_TEXT, isAbnormal } from '../../clinical/flags.ts';
import { VITAL_SIGNS, type VitalKey } from '../../clinical/vital-signs.ts';
import { Button, EmptyState, Panel, Select } from '../../design/index.ts';
import { matches, useSearch } from '../../fhir/queries.ts';
import { QueryView } from '../../fhir/query-view.tsx';
import { useLatestVitals } from '../chart/chart-queries.ts';
import { ChartScreenHeader } from '../chart/chart-screen-header.tsx';
import { VitalTrend, vitalTrendName } from '../trend-plot/vital-trend.tsx';
import { EnteredInErrorDialog } from './entered-in-error-dialog.tsx';
import { VitalsForm } from './vitals-form.tsx';
import './vitals.css';

/** Sets of vital signs in the flowsheet; older sets are in each measure's trend. */
const FLOWSHEET_COLUMNS = 10;

/**
 * `/patients/:patientId/vitals`: record a set of vital signs, read the recent sets as a flowsheet
 * (measures down, times across, newest first) and any measure's trend over time (`?measure=`).
 */
export function VitalsScreen() {
  const { patientId } = useParams() as { patientId: string };
  const [params, setParams] = useSearchParams();
  const measure = (params.get('measure') as VitalKey | null) ?? 'systolic';
  const key: VitalKey = measure in VITAL_SIGNS ? measure : 'systolic';
  const [saved, setSaved] = useState<string | undefined>(undefined);
  const latest = latestVitals(matches(useLatestVitals(patientId).data));
  const recent = useSearch<Observation>('Observation', { patient: patientId, category: 'vital-signs', _sort: '-date', _count: FLOWSHEET_COLUMNS * 10 });

  return (
    <div className="screen vitals-screen">
      <ChartScreenHeader title="Vital signs" />
      <div className="vitals-grid">
        <div className="vitals-entry">
          <VitalsForm knownHeightCm={latest.get('height')?.value} onSaved={(count) => setSaved(`Saved ${count} vital sign${count === 1 ? '' : 's'} at ${format(new Date(), 'HH:mm')}.`)} />
          <p className="vitals-saved" role="status">
            {saved}
          </p>
        </div>
        <div className="vitals-read">
          <Panel title="Flowsheet" flush>
            <QueryView query={recent} what="vital signs" isEmpty={(b) => matches(b).length === 0} empty={<EmptyState title="No vital signs recorded yet." />} skeletonLines={8}>
              {(bundle) => <FlowsheetTable patientId={patientId} observations={matches(bundle)} selected={key} onSelect={(k) => setParams({ measure: k }, { replace: true })} />}
            </QueryView>
          </Panel>
          <Panel title="Trend">
            <div className="vitals-trend-picker">
              <Select
                label="Measure"
                options={FLOWSHEET_ROWS.map((k) => ({ id: k, label: vitalTrendName(k) }))}
                selectedKey={key}
                onSelectionChange={(k) => setParams({ measure: k }, { replace: true })}
              />
            </div>
            <VitalTrend patientId={patientId} vital={key} />
          </Panel>
        </div>
      </div>
    </div>
  );
}

function FlowsheetTable({ patientId, observations, selected, onSelect }: { patientId: string; observations: Observation[]; selected: VitalKey; onSelect: (key: VitalKey) => void }) {
  const sheet = flowsheet(observations, FLOWSHEET_COLUMNS);
  const [correcting, setCorrecting] = useState<string | undefined>();
  return (
    <div className="flowsheet-scroll" tabIndex={0} role="region" aria-label="Flowsheet, scrolls sideways">
      {correcting && (
        <EnteredInErrorDialog patientId={patientId} takenAt={correcting} observations={setTakenAt(observations, correcting)} onClose={() => setCorrecting(undefined)} />
      )}
      <table className="flowsheet">
        <caption className="visually-hidden">Vital signs by time measured, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Measure</th>
            {sheet.columns.map((c) => (
              <th scope="col" key={c}>
                <span className="flowsheet-date">{format(new Date(c), 'd MMM yyyy')}</span>
                <span className="flowsheet-time">{format(new Date(c), 'HH:mm')}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sheet.rows.map((key) => {
            const def = VITAL_SIGNS[key];
            return (
              <tr key={key} data-vital={key} data-selected={key === selected || undefined}>
                <th scope="row">
                  <button type="button" className="flowsheet-measure" onClick={() => onSelect(key)} aria-pressed={key === selected}>
                    {def.label} <span className="muted">{def.unit.label}</span>
                  </button>
                </th>
                {sheet.columns.map((c) => {
                  const cell = sheet.cells.get(key)?.get(c);
                  return (
                    <td key={c} data-flag={cell?.flag}>
                      {cell ? (
                        <>
                          {cell.value}
                          {isAbnormal(cell.flag) && (
                            <span className="flowsheet-flag">
                              {' '}
                              {FLAG_TEXT[cell.flag!].symbol}
                              <span className="visually-hidden"> {FLAG_TEXT[cell.flag!].label}</span>
                            </span>
                          )}
                        </>
                      ) : (
                        <span className="muted" aria-label="not measured">
                          ·
                        </span>
                      )}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Correct a set</th>
            {sheet.columns.map((c) => (
              <td key={c}>
                <Button size="sm" variant="quiet" onPress={() => setCorrecting(c)} aria-label={`Mark the vital signs of ${format(new Date(c), 'd MMM yyyy HH:mm')} as entered in error`}>
                  In error…
                </Button>
              </td>
            ))}
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

/** The readings of one set: every vital-signs Observation taken at that time, the grouping panel too. */
function setTakenAt(observations: readonly Observation[], takenAt: string): Observation[] {
  const at = Date.parse(takenAt);
  return observations.filter((o) => o.status !== 'entered-in-error' && Date.parse(o.effectiveDateTime ?? o.effectivePeriod?.start ?? '') === at);
}
