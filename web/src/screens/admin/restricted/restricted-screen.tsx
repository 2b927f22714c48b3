import type { Patient } from '@medplum/fhirtypes';
import { useState } from 'react';
import { Badge, Button, DataTable, EmptyState, Panel, TextField, type DataColumn } from '../../../design/index.ts';
import { errorMessage } from '../../../fhir/fhir-client.ts';
import { matches } from '../../../fhir/queries.ts';
import { QueryView } from '../../../fhir/query-view.tsx';
import { familyFirst, givenFirst } from '../../../fhir-format/patient.ts';
import { dateText } from '../../../fhir-format/values.ts';
import { labelText, useLabelChange, usePatientsNamed, useRestrictedRecords, type RestrictedChart, type RestrictedResource } from './restricted-data.ts';
import './restricted.css';

/**
 * `/administration/restricted`: which charts and records are restricted, who opens them (the
 * general practitioner and active care teams; everyone else only by break-the-glass), and the
 * labels changed from here. Names and labels only: a practice administrator sees no clinical data.
 */
export function RestrictedScreen() {
  const records = useRestrictedRecords();
  const [done, setDone] = useState<string>();
  const chartColumns: DataColumn<RestrictedChart>[] = [
    { id: 'patient', header: 'Patient', isRowHeader: true, cell: (c) => c.patient.display ?? c.patient.reference },
    { id: 'label', header: 'Restriction', cell: (c) => (c.label ? <Badge tone="warning">{`Whole chart: ${labelText(c.label).toLowerCase()}`}</Badge> : <Badge>Some records</Badge>) },
    { id: 'records', header: 'Restricted records', cell: (c) => String(c.restrictedResources) },
    { id: 'open', header: 'Opened by', cell: (c) => <CareRelationships chart={c} /> },
    {
      id: 'action',
      header: 'Change',
      cell: (c) => <LabelButton reference={c.patient.reference ?? ''} restrict={!c.label} what={`${c.patient.display ?? 'The patient'}'s chart`} onDone={setDone} />,
    },
  ];
  const resourceColumns: DataColumn<RestrictedResource>[] = [
    { id: 'record', header: 'Record', isRowHeader: true, cell: (r) => r.reference },
    { id: 'date', header: 'Last changed', cell: (r) => dateText(r.date, true) },
    { id: 'label', header: 'Restriction', cell: (r) => labelText(r.label) },
    { id: 'patient', header: 'Patient', cell: (r) => r.patient?.display ?? r.patient?.reference ?? '' },
    { id: 'action', header: 'Change', cell: (r) => <LabelButton reference={r.reference} restrict={false} what={r.reference} onDone={setDone} /> },
  ];

  return (
    <div className="screen">
      <div className="screen-header">
        <h1>Restricted records</h1>
        <p className="muted">Only the patient's care team opens these; anyone else must break the glass. Names and labels only.</p>
      </div>
      <div aria-live="polite" className="rr-status">
        {done && <p role="status">{done}</p>}
      </div>
      <QueryView query={records} what="restricted records">
        {(data) => (
          <div className="rr-panels">
            <Panel title="Restricted charts" flush>
              <DataTable label="Restricted charts" columns={chartColumns} rows={data.charts} rowKey={(c) => c.patient.reference ?? ''} empty="No chart is restricted." />
            </Panel>
            <RestrictChart onDone={setDone} />
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

/** Restricts (`restrict`) or opens one chart or record; says what it did, or why not, beside it. */
function LabelButton({ reference, restrict, what, onDone }: { reference: string; restrict: boolean; what: string; onDone: (message: string) => void }) {
  const change = useLabelChange();
  const text = restrict ? 'Restrict chart' : reference.startsWith('Patient/') ? 'Unrestrict chart' : 'Remove restriction';
  return (
    <span className="rr-change">
      <Button
        size="sm"
        variant={restrict ? 'danger' : 'secondary'}
        isDisabled={change.isPending}
        onPress={() => change.mutate({ reference, restrict }, { onSuccess: () => onDone(restrict ? `${what} is now restricted.` : `${what} is no longer restricted.`) })}
      >
        {text}
      </Button>
      {change.isError && (
        <span className="h-field-error" role="alert">
          Not changed: {errorMessage(change.error)}
        </span>
      )}
    </span>
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

function RestrictChart({ onDone }: { onDone: (message: string) => void }) {
  const [name, setName] = useState('');
  const found = usePatientsNamed(name);
  return (
    <Panel title="Restrict a chart">
      <div className="rr-find">
        <TextField label="Patient name" value={name} onChange={setName} description="At least two letters of the family or given name. Restricted charts are listed above, not here." />
      </div>
      {name.trim().length >= 2 && (
        <QueryView query={found} what="patients" isEmpty={(b) => matches(b).length === 0} empty={<EmptyState title="No unrestricted chart has that name." />}>
          {(bundle) => (
            <ul className="rr-found" aria-label="Patients found">
              {matches(bundle).map((p: Patient) => (
                <li key={p.id}>
                  <span>
                    {familyFirst(p.name)} {p.birthDate ? <span className="muted">born {dateText(p.birthDate)}</span> : null}
                  </span>
                  <LabelButton reference={`Patient/${p.id}`} restrict what={`${givenFirst(p.name)}'s chart`} onDone={onDone} />
                </li>
              ))}
            </ul>
          )}
        </QueryView>
      )}
    </Panel>
  );
}
