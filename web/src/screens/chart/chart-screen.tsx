import type { Encounter, Patient } from '@medplum/fhirtypes';
import { useParams } from 'react-router';
import { DataTable, EmptyState, Panel, type DataColumn } from '../../design/index.ts';
import { dateText } from '../../fhir-format/values.ts';
import { matches, useRead, useSearch } from '../../fhir/queries.ts';
import { QueryView } from '../../fhir/query-view.tsx';
import { PatientBanner } from './patient-banner.tsx';

const encounterColumns: DataColumn<Encounter>[] = [
  { id: 'date', header: 'Date', isRowHeader: true, cell: (e) => dateText(e.period?.start) || '—' },
  { id: 'type', header: 'Visit', cell: (e) => e.type?.[0]?.text ?? e.type?.[0]?.coding?.[0]?.display ?? e.class?.display ?? e.class?.code ?? '' },
  { id: 'reason', header: 'Reason', cell: (e) => e.reasonCode?.[0]?.text ?? e.reasonCode?.[0]?.coding?.[0]?.display ?? '' },
  { id: 'status', header: 'Status', cell: (e) => e.status },
];

/**
 * `/patients/:patientId`: the chart. For now the banner and the visit history; the chart at a
 * glance (problems, medications, allergies, vitals, results…) fills the grid next.
 */
export function ChartScreen() {
  const { patientId } = useParams();
  const patient = useRead<Patient>('Patient', patientId);
  const encounters = useSearch<Encounter>('Encounter', { patient: patientId, _sort: '-date', _count: 50 }, { enabled: patientId !== undefined });
  return (
    <div className="chart">
      <div className="chart-banner-slot">
        <QueryView query={patient} what="the patient" skeletonLines={2}>
          {(p) => <PatientBanner patient={p} />}
        </QueryView>
      </div>
      {/* Nothing of a chart whose patient could not be read: an empty list there would say something false. */}
      {/* Loaded in parallel with the patient, shown once the patient is. */}
      {patient.isSuccess && (
        <div className="screen chart-body">
          <Panel title="Visits" flush>
            <QueryView query={encounters} what="visits" isEmpty={(b) => matches(b).length === 0} empty={<EmptyState title="No visits recorded." />} skeletonLines={8}>
              {(bundle) => <DataTable label="Visits, newest first" columns={encounterColumns} rows={matches(bundle)} rowKey={(e) => e.id!} />}
            </QueryView>
          </Panel>
        </div>
      )}
    </div>
  );
}
