import type { Immunization, Patient } from '@medplum/fhirtypes';
import { useState } from 'react';
import { useParams } from 'react-router';
import { DraftNotice } from '../../auth/draft-notice.tsx';
import { immunizationHistory } from '../../chart/summary.ts';
import { emptyImmunization, immunizationForm, immunizationFrom, IMMUNIZATION_ROUTES, NOT_DONE_REASONS, SITES, SOURCES, validateImmunization, type ImmunizationForm } from '../../clinical-lists/immunization-entry.ts';
import { Badge, Button, Select, TextField, type DataColumn } from '../../design/index.ts';
import { conceptText, dateText } from '../../fhir-format/values.ts';
import { matches, useSearch } from '../../fhir/queries.ts';
import { QueryView } from '../../fhir/query-view.tsx';
import { CodedEntryPicker } from '../../terminology/coded-entry-picker.tsx';
import { systemName, VALUE_SETS } from '../../terminology/value-sets.ts';
import { EntryDialog } from '../lists/entry-dialog.tsx';
import { CorrectionMarks } from '../chart/correction-marks.tsx';
import { ListPage } from '../lists/list-page.tsx';
import { ListTable } from '../lists/list-table.tsx';
import { useEntryForm } from '../lists/use-entry-form.ts';

export function describeImmunization(i: Immunization): string {
  return [conceptText(i.vaccineCode), i.status === 'not-done' ? `not given (${conceptText(i.statusReason)})` : 'given', dateText(i.occurrenceDateTime), i.lotNumber && `lot ${i.lotNumber}`].filter(Boolean).join(' · ');
}

/** `/patients/:patientId/immunizations`: doses given (latest per vaccine marked) and vaccines not given; add and edit. */
export function ImmunizationsScreen() {
  const { patientId } = useParams();
  const [editing, setEditing] = useState<{ stored?: Immunization } | undefined>();
  const immunizations = useSearch<Immunization>('Immunization', { patient: patientId, _sort: '-date', _count: 200 }, { enabled: patientId !== undefined });
  if (!patientId) return null;

  const columns = (notDone: boolean, latest: Set<Immunization>, doses: Map<Immunization, number>): DataColumn<Immunization>[] => [
    {
      id: 'vaccine',
      header: 'Vaccine',
      isRowHeader: true,
      cell: (i) => (
        <span className="list-item-name">
          {conceptText(i.vaccineCode) || 'Unnamed vaccine'}
          {i.vaccineCode.coding?.[0] && (
            <span className="list-item-code">
              {systemName(i.vaccineCode.coding[0].system)} {i.vaccineCode.coding[0].code}
            </span>
          )}
          <CorrectionMarks patientId={patientId} item={`Immunization/${i.id}`} />
        </span>
      ),
    },
    { id: 'date', header: 'Date', cell: (i) => dateText(i.occurrenceDateTime) || i.occurrenceString || '—' },
    notDone
      ? { id: 'reason', header: 'Why not given', cell: (i) => conceptText(i.statusReason) || '—' }
      : { id: 'latest', header: 'Series', cell: (i) => (latest.has(i) ? <Badge tone="info">Latest of {doses.get(i)} {doses.get(i) === 1 ? 'dose' : 'doses'}</Badge> : <span className="muted">Earlier dose</span>) },
    { id: 'lot', header: 'Lot', cell: (i) => i.lotNumber ?? '—' },
    { id: 'site', header: 'Site, route', cell: (i) => [conceptText(i.site), conceptText(i.route)].filter(Boolean).join(', ') || '—' },
    { id: 'source', header: 'Source', cell: (i) => (i.primarySource === false ? 'Reported' : 'Given here') },
    {
      id: 'actions',
      header: 'Actions',
      cell: (i) => (
        <Button size="sm" variant="quiet" onPress={() => setEditing({ stored: i })} aria-label={`Edit ${conceptText(i.vaccineCode) || 'immunization'} of ${dateText(i.occurrenceDateTime)}`}>
          Edit
        </Button>
      ),
    },
  ];

  return (
    <ListPage patientId={patientId} title="Immunizations" actions={
        <>
          <Button variant="primary" onPress={() => setEditing({})}>
            Add immunization
          </Button>
        </>
      }>
      {(patient) => (
        <>
          <QueryView query={immunizations} what="immunizations" skeletonLines={6}>
            {(bundle) => {
              const all = matches(bundle).filter((i) => i.status !== 'entered-in-error');
              const history = immunizationHistory(all);
              const latest = new Set(history.map((h) => h.latest));
              const doses = new Map(history.map((h) => [h.latest, h.doses]));
              const given = all.filter((i) => i.status === 'completed');
              const notGiven = all.filter((i) => i.status === 'not-done');
              return (
                <>
                  <ListTable title={`Given (${given.length} ${given.length === 1 ? 'dose' : 'doses'} of ${history.length} ${history.length === 1 ? 'vaccine' : 'vaccines'})`} label="Immunizations given, newest first" columns={columns(false, latest, doses)} rows={given} rowKey={(i) => i.id!} empty="No immunizations recorded." />
                  <ListTable title={`Not given (${notGiven.length})`} label="Immunizations not given" columns={columns(true, latest, doses)} rows={notGiven} rowKey={(i) => i.id!} empty="None recorded." />
                </>
              );
            }}
          </QueryView>
          {editing && <ImmunizationDialog key={editing.stored?.id ?? 'new'} patient={patient} stored={editing.stored} onClose={() => setEditing(undefined)} />}
        </>
      )}
    </ListPage>
  );
}

function ImmunizationDialog({ patient, stored, onClose }: { patient: Patient; stored: Immunization | undefined; onClose: () => void }) {
  const { form, set, errors, draft, dialog } = useEntryForm({
    type: 'Immunization',
    patient,
    stored,
    draftName: `immunization.${stored?.id ?? 'new'}`,
    initial: stored ? immunizationForm(stored) : emptyImmunization(new Date()),
    validate: validateImmunization,
    build: immunizationFrom,
    onClose,
  });
  return (
    <EntryDialog title={stored ? 'Edit immunization' : 'Add immunization'} what="immunization" describe={describeImmunization} {...dialog}>
      <DraftNotice draft={draft} />
      <CodedEntryPicker
        label="Vaccine"
        valueSet={VALUE_SETS.vaccines}
        what="vaccines"
        value={form.vaccine}
        onChange={(vaccine) => set(vaccine ? { vaccine } : { vaccine: undefined })}
        placeholder="e.g. influenza, Tdap, zoster, COVID-19"
        isRequired
        autoFocus={!stored}
        {...(errors.vaccine ? { errorMessage: errors.vaccine } : {})}
      />
      <div className="entry-form-row">
        <Select label="Given?" options={[{ id: 'completed', label: 'Given' }, { id: 'not-done', label: 'Not given' }]} selectedKey={form.status} onSelectionChange={(k) => set({ status: k as ImmunizationForm['status'] })} />
        <TextField label="Date" type="date" value={form.date} onChange={(date) => set({ date })} isRequired isInvalid={errors.date !== undefined} errorMessage={errors.date} />
        {form.status === 'not-done' ? (
          <Select label="Why not given" options={NOT_DONE_REASONS} selectedKey={form.reason || null} onSelectionChange={(reason) => set({ reason })} isRequired placeholder="Choose a reason" isInvalid={errors.reason !== undefined} {...(errors.reason ? { errorMessage: errors.reason } : {})} />
        ) : (
          <TextField label="Lot number" value={form.lot} onChange={(lot) => set({ lot })} />
        )}
      </div>
      <div className="entry-form-row">
        <Select label="Site" options={SITES} selectedKey={form.site} onSelectionChange={(site) => set({ site })} />
        <Select label="Route" options={IMMUNIZATION_ROUTES} selectedKey={form.route} onSelectionChange={(route) => set({ route })} />
        <Select label="Source" options={SOURCES} selectedKey={form.source} onSelectionChange={(k) => set({ source: k as ImmunizationForm['source'] })} />
      </div>
    </EntryDialog>
  );
}
