import type { DiagnosticReport, Observation } from '@medplum/fhirtypes';
import { format } from 'date-fns';
import { Link } from 'react-aria-components';
import { useParams, useSearchParams } from 'react-router';
import { flagFor, normalRange, rangeText, type Range } from '../../clinical/flags.ts';
import { LOINC } from '../../clinical/vital-signs.ts';
import { EmptyState, Panel } from '../../design/index.ts';
import { conceptText, testName, unitText } from '../../fhir-format/values.ts';
import { included, matches, useSearch } from '../../fhir/queries.ts';
import { QueryView } from '../../fhir/query-view.tsx';
import { ChartScreenHeader } from '../chart/chart-screen-header.tsx';
import { FlagBadge } from '../chart/result-marks.tsx';
import { TrendPlot } from '../trend-plot/trend-plot.tsx';
import './results.css';

/** Reports listed; older ones are in each test's history. */
const REPORTS = 12;

function when(o: { effectiveDateTime?: string; issued?: string }): string {
  return o.effectiveDateTime ?? o.issued ?? '';
}

function dateTime(value: string): string {
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : format(d, 'd MMM yyyy, HH:mm');
}

function resultFlag(o: Observation) {
  return flagFor(o.valueQuantity?.value, normalRange(o.referenceRange), o.interpretation);
}

/**
 * `/patients/:patientId/results`: lab results grouped by panel (DiagnosticReport with its result
 * Observations, newest first), each value with units, reference range and flag; `?test=<LOINC>`
 * opens that test's history as a plot and a table.
 */
export function ResultsScreen() {
  const { patientId } = useParams() as { patientId: string };
  const [params] = useSearchParams();
  const test = params.get('test');
  const reports = useSearch<DiagnosticReport>('DiagnosticReport', { patient: patientId, _sort: '-date', _count: REPORTS, _include: 'DiagnosticReport:result' });
  return (
    <div className="screen results-screen">
      <ChartScreenHeader title="Results" />
      <div className="results-grid" data-with-history={test ? true : undefined}>
        <div className="results-reports">
          <QueryView query={reports} what="results" isEmpty={(b) => matches(b).length === 0} empty={<EmptyState title="No results recorded." />} skeletonLines={10}>
            {(bundle) => {
              const observations = included<Observation>(bundle, 'Observation');
              return matches(bundle).map((report) => <ReportPanel key={report.id} report={report} observations={observations} patientId={patientId} selected={test} />);
            }}
          </QueryView>
        </div>
        {test && (
          <div className="results-history">
            <TestHistory patientId={patientId} code={test} />
          </div>
        )}
      </div>
    </div>
  );
}

function ReportPanel({ report, observations, patientId, selected }: { report: DiagnosticReport; observations: Map<string, Observation>; patientId: string; selected: string | null }) {
  const results = (report.result ?? []).map((r) => (r.reference ? observations.get(r.reference) : undefined)).filter((o): o is Observation => o !== undefined);
  const abnormal = results.filter((o) => {
    const f = resultFlag(o);
    return f !== undefined && f !== 'normal';
  }).length;
  return (
    <Panel title={`${testName(report.code)} · ${dateTime(when(report))}`} flush actions={abnormal > 0 ? <span className="results-abnormal-count">{abnormal} abnormal</span> : <span className="muted">All normal</span>}>
      <table className="results-table">
        <caption className="visually-hidden">
          {conceptText(report.code)}, {dateTime(when(report))}, status {report.status}
        </caption>
        <thead>
          <tr>
            <th scope="col">Test</th>
            <th scope="col">Value</th>
            <th scope="col">Reference range</th>
            <th scope="col">Flag</th>
          </tr>
        </thead>
        <tbody>
          {results.map((o) => {
            const code = o.code.coding?.find((c) => c.system === LOINC)?.code ?? o.code.coding?.[0]?.code ?? '';
            const unit = unitText(o.valueQuantity);
            const flag = resultFlag(o);
            return (
              <tr key={o.id} data-flag={flag} data-selected={code === selected || undefined}>
                <th scope="row">
                  <Link className="results-test" href={`/patients/${patientId}/results?test=${encodeURIComponent(code)}`} aria-label={`${conceptText(o.code)}: history`}>
                    {testName(o.code)}
                  </Link>
                </th>
                <td className="results-value">
                  {o.valueQuantity?.value !== undefined ? (
                    <>
                      <strong>
                        {o.valueQuantity.comparator ?? ''}
                        {o.valueQuantity.value}
                      </strong>{' '}
                      <span className="muted">{unit}</span>
                    </>
                  ) : (
                    (o.valueString ?? conceptText(o.valueCodeableConcept)) || '—'
                  )}
                </td>
                <td className="muted">{rangeText(normalRange(o.referenceRange), unit) || '—'}</td>
                <td>
                  <FlagBadge flag={flag} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </Panel>
  );
}

/** One test's results over time: the plot and the table, newest first in the table. */
function TestHistory({ patientId, code }: { patientId: string; code: string }) {
  const query = useSearch<Observation>('Observation', { patient: patientId, code: `${LOINC}|${code}`, _sort: '-date', _count: 200 });
  return (
    <QueryView query={query} what="the test’s history" isEmpty={(b) => matches(b).length === 0} empty={<EmptyState title="No results of this test." />} skeletonLines={8}>
      {(bundle) => {
        const results = matches(bundle).filter((o) => o.valueQuantity?.value !== undefined && o.status !== 'entered-in-error' && o.status !== 'cancelled');
        const latest = results[0];
        if (!latest) return <EmptyState title="No numeric results of this test." />;
        const unit = unitText(latest.valueQuantity);
        const range: Range | undefined = normalRange(latest.referenceRange);
        const name = testName(latest.code);
        return (
          <Panel title={`${name}: history`}>
            <p className="muted results-history-full">{conceptText(latest.code)}</p>
            <TrendPlot measure={name} unit={unit} range={range} points={results.map((o) => ({ id: o.id!, when: when(o), value: o.valueQuantity!.value!, flag: resultFlag(o) }))} />
            <table className="results-table results-history-table">
              <caption className="visually-hidden">{name} results, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Value</th>
                  <th scope="col">Reference range</th>
                  <th scope="col">Flag</th>
                </tr>
              </thead>
              <tbody>
                {results.map((o) => (
                  <tr key={o.id} data-flag={resultFlag(o)}>
                    <th scope="row">{dateTime(when(o))}</th>
                    <td className="results-value">
                      <strong>{o.valueQuantity!.value}</strong> <span className="muted">{unitText(o.valueQuantity)}</span>
                    </td>
                    <td className="muted">{rangeText(normalRange(o.referenceRange), unitText(o.valueQuantity)) || '—'}</td>
                    <td>
                      <FlagBadge flag={resultFlag(o)} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Panel>
        );
      }}
    </QueryView>
  );
}
