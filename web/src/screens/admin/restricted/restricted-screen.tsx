import type { Patient } from '@medplum/fhirtypes';
import { useState } from 'react';
import { Badge, Button, DataTable, EmptyState, Panel, TextField, type DataColumn } from '../../../design/index.ts';
import { errorMessage } from '../../../fhir/fhir-client.ts';
import { matches } from '../../../fhir/queries.ts';
import { QueryView } from '../../../fhir/query-view.tsx';
import { familyFirst } from '../../../fhir-format/patient.ts';
import { dateText } from '../../../fhir-format/values.ts';
import { CONFIDENTIALITY, labelText, useLabelChange, usePatientsNamed, useRestrictedRecords, type RestrictedChart, type RestrictedResource } from './restricted-data.ts';
import './restricted.css';

/**
 * `/administration/restricted`: which charts and records are restricted, who opens them (the
 * general practitioner and active care teams; everyone else only by break-the-glass), and the
 * labels changed from here. Names and labels only: a practice administrator sees no clinical data.
 */
export function RestrictedScreen() {
  const records = useRestrictedRecords();
  const change = useLabelChange();
  const [done, setDone] = useState<string>();
  const label = (reference: string, restrict: boolean, what: string) =>
    change.mutate({ reference, restrict }, { onSuccess: () => setDone(restrict ? `${what} is now restricted.` : `${what} is no longer restricted.`) });

  const chartColumns: DataColumn<RestrictedChart>[] = [
    { id: 'patient', header: 'Patient', isRowHeader: true, cell: (c) => c.patient.display ?? c.patient.reference },
    { id: 'label', header: 'Restriction', cell: (c) => (c.label ? <Badge tone="warning">{`Whole chart: ${labelText(c.label).toLowerCase()}`}</Badge> : <Badge>Some records</Badge>) },
    { id: 'records', header: 'Restricted records', cell: (c) => String(c.restrictedResources) },
    { id: 'open', header: 'Opened by', cell: (c) => <CareRelationships chart={c} /> },
    {
      id: 'action',
      header: 'Change',
      cell: (c) => {
        const name = `${c.patient.display ?? 'The patient'}'s chart`;
        return (
          <Button size="sm" variant={c.label ? 'secondary' : 'danger'} isDisabled={change.isPending} onPress={() => label(c.patient.reference ?? '', !c.label, name)}>
            {c.label ? 'Unrestrict chart' : 'Restrict chart'}
          </Button>
        );
      },
    },
  ];
  const resourceColumns: DataColumn<RestrictedResource>[] = [
    { id: 'record', header: 'Record', isRowHeader: true, cell: (r) => r.reference },
    { id: 'date', header: 'Last changed', cell: (r) => dateText(r.date, true) },
    { id: 'label', header: 'Restriction', cell: (r) => labelText(r.label) },
    { id: 'patient', header: 'Patient', cell: (r) => r.patient?.display ?? r.patient?.reference ?? '' },
    {
      id: 'action',
      header: 'Change',
      cell: (r) => (
        <Button size="sm" isDisabled={change.isPending} onPress={() => label(r.reference, false, r.reference)}>
          Remove restriction
        </Button>
      ),
    },
  ];

  return (
    <div className="screen">
      <div className="screen-header">
        <h1>Restricted records</h1>
        <p className="muted">Charts and records only the patient's care team may open; anyone else must break the glass, which is recorded for review. You see names and labels, never the records.</p>
      </div>
      <div aria-live="polite" className="rr-status">
        {change.isError ? (
          <p className="h-field-error" role="alert">
            Not changed: {errorMessage(change.error)}
          </p>
        ) : (
          done && <p role="status">{done}</p>
        )}
      </div>
      <QueryView query={records} what="restricted records">
        {(data) => (
          <div className="rr-panels">
            <Panel title="Restricted charts" flush>
              <DataTable label="Restricted charts" columns={chartColumns} rows={data.charts} rowKey={(c) => c.patient.reference ?? ''} empty="No chart is restricted." />
            </Panel>
            <RestrictChart restricted={new Set(data.charts.filter((c) => c.label).map((c) => c.patient.reference ?? ''))} onRestrict={(p) => label(`Patient/${p.id}`, true, `${familyFirst(p.name)}'s chart`)} busy={change.isPending} />
            <Panel title="Restricted records in charts" flush>
              <DataTable label="Restricted records" columns={resourceColumns} rows={data.resources} rowKey={(r) => r.reference} empty="No single record is restricted." />
            </Panel>
            {data.truncated && <p className="muted">Only the first thousand are listed.</p>}
          </div>
        )}
      </QueryView>
    </div>
  );
}

function CareRelationships({ chart }: { chart: RestrictedChart }) {
  if (chart.generalPractitioners.length === 0 && chart.careTeamMembers.length === 0) return <span className="muted">No one: break-the-glass only</span>;
  return (
    <span>
      {chart.generalPractitioners.length > 0 && <span className="rr-relation">General practitioner: {chart.generalPractitioners.join(', ')}</span>}
      {chart.careTeamMembers.length > 0 && <span className="rr-relation">Care team: {chart.careTeamMembers.join(', ')}</span>}
    </span>
  );
}

function RestrictChart({ restricted, onRestrict, busy }: { restricted: Set<string>; onRestrict: (patient: Patient) => void; busy: boolean }) {
  const [name, setName] = useState('');
  const found = usePatientsNamed(name);
  const searching = name.trim().length >= 2;
  return (
    <Panel title="Restrict a chart">
      <div className="rr-find">
        <TextField label="Patient name" value={name} onChange={setName} description="At least two letters of the family or given name." />
      </div>
      {searching && (
        <QueryView query={found} what="patients" isEmpty={(b) => matches(b).length === 0} empty={<EmptyState title="No patient has that name." />}>
          {(bundle) => (
            <ul className="rr-found" aria-label="Patients found">
              {matches(bundle).map((p) => {
                const isRestricted = restricted.has(`Patient/${p.id}`) || (p.meta?.security ?? []).some((s) => s.system === CONFIDENTIALITY && (s.code === 'R' || s.code === 'V'));
                return (
                  <li key={p.id}>
                    <span>
                      {familyFirst(p.name)} {p.birthDate ? <span className="muted">born {dateText(p.birthDate)}</span> : null}
                    </span>
                    {isRestricted ? (
                      <Badge tone="warning">Restricted</Badge>
                    ) : (
                      <Button size="sm" variant="danger" isDisabled={busy} onPress={() => onRestrict(p)}>
                        Restrict chart
                      </Button>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
        </QueryView>
      )}
    </Panel>
  );
}
