import type { MedicationRequest, Patient } from '@medplum/fhirtypes';
import { useState } from 'react';
import { useParams } from 'react-router';
import { DraftNotice } from '../../auth/draft-notice.tsx';
import { medicationList, STALE_MEDICATION_DAYS, type MedicationRow } from '../../chart/summary.ts';
import { discontinuedRequest, DOSE_UNITS, EMPTY_MEDICATION, FREQUENCIES, MEDICATION_STATUSES, medicationForm, medicationRequestFrom, ROUTES, sigFromParts, validateMedication, type MedicationForm } from '../../clinical-lists/medication-entry.ts';
import { Badge, Button, Select, TextField, type DataColumn } from '../../design/index.ts';
import { dateText } from '../../fhir-format/values.ts';
import { directionsText } from '../../orders/sig.ts';
import { matches, useSearch } from '../../fhir/queries.ts';
import { QueryView } from '../../fhir/query-view.tsx';
import { CodedEntryPicker } from '../../terminology/coded-entry-picker.tsx';
import { systemName, VALUE_SETS } from '../../terminology/value-sets.ts';
import { EntryDialog } from '../lists/entry-dialog.tsx';
import { CorrectionMarks } from '../chart/correction-marks.tsx';
import { ListPage } from '../lists/list-page.tsx';
import { ListTable } from '../lists/list-table.tsx';
import { useEntryForm } from '../lists/use-entry-form.ts';

type Editing = { kind: 'add' } | { kind: 'edit'; request: MedicationRequest } | { kind: 'discontinue'; request: MedicationRequest };

const STATUS_TEXT: Record<string, string> = { active: 'Active', 'on-hold': 'On hold', stopped: 'Stopped', completed: 'Completed', cancelled: 'Cancelled', draft: 'Draft', unknown: 'Unknown' };

export function describeMedication(m: MedicationRequest): string {
  return [m.medicationCodeableConcept?.text ?? m.medicationCodeableConcept?.coding?.[0]?.display, STATUS_TEXT[m.status] ?? m.status, m.dosageInstruction?.[0]?.text, m.statusReason?.text && `reason “${m.statusReason.text}”`].filter(Boolean).join(' · ');
}

/** `/patients/:patientId/medications`: current and past medications; add, edit and discontinue. */
export function MedicationsScreen() {
  const { patientId } = useParams();
  const [editing, setEditing] = useState<Editing | undefined>();
  const requests = useSearch<MedicationRequest>('MedicationRequest', { patient: patientId, _count: 200 }, { enabled: patientId !== undefined });
  if (!patientId) return null;

  const columns = (past: boolean): DataColumn<MedicationRow>[] => [
    {
      id: 'medication',
      header: 'Medication',
      isRowHeader: true,
      cell: (r) => (
        <span className="list-item-name">
          {r.name}
          {r.request.medicationCodeableConcept?.coding?.[0] && (
            <span className="list-item-code">
              {systemName(r.request.medicationCodeableConcept.coding[0].system)} {r.request.medicationCodeableConcept.coding[0].code}
            </span>
          )}
          <CorrectionMarks patientId={patientId} item={`MedicationRequest/${r.request.id}`} />
        </span>
      ),
    },
    // A taper (several dosages in sequence) reads whole, as its order does.
    { id: 'sig', header: 'How taken', cell: (r) => ((r.request.dosageInstruction?.length ?? 0) > 1 ? directionsText(r.request.dosageInstruction) : r.request.dosageInstruction?.[0]?.text) || '—' },
    {
      id: 'status',
      header: 'Status',
      cell: (r) => (
        <span className="list-actions">
          <Badge tone={past ? 'neutral' : r.request.status === 'on-hold' ? 'warning' : 'info'}>{STATUS_TEXT[r.request.status] ?? r.request.status}</Badge>
          {r.stale && <Badge tone="warning">Review: not renewed in {Math.round(STALE_MEDICATION_DAYS / 30)} months</Badge>}
        </span>
      ),
    },
    { id: 'authored', header: past ? 'Prescribed' : 'Prescribed', cell: (r) => dateText(r.request.authoredOn) || '—' },
    ...(past ? [{ id: 'reason', header: 'Reason stopped', cell: (r: MedicationRow) => r.request.statusReason?.text ?? '—' }] : []),
    {
      id: 'actions',
      header: 'Actions',
      cell: (r) => (
        <span className="list-actions">
          <Button size="sm" variant="quiet" onPress={() => setEditing({ kind: 'edit', request: r.request })} aria-label={`Edit ${r.name}`}>
            Edit
          </Button>
          {!past && (
            <Button size="sm" variant="quiet" onPress={() => setEditing({ kind: 'discontinue', request: r.request })} aria-label={`Discontinue ${r.name}`}>
              Discontinue
            </Button>
          )}
        </span>
      ),
    },
  ];

  return (
    <ListPage patientId={patientId} title="Medications" actions={
        <>
          <Button variant="primary" onPress={() => setEditing({ kind: 'add' })}>
            Add medication
          </Button>
        </>
      }>
      {(patient) => (
        <>
          <QueryView query={requests} what="medications" skeletonLines={6}>
            {(bundle) => {
              const { current, past } = medicationList(matches(bundle));
              return (
                <>
                  <ListTable title={`Current medications (${current.length})`} label="Current medications" columns={columns(false)} rows={current} rowKey={(r) => r.request.id!} empty="No current medications recorded." />
                  <ListTable title={`Past medications (${past.length})`} label="Past medications: stopped or completed" columns={columns(true)} rows={past} rowKey={(r) => r.request.id!} empty="No past medications recorded." />
                </>
              );
            }}
          </QueryView>
          {editing?.kind === 'discontinue' ? (
            <DiscontinueDialog key={editing.request.id} patient={patient} request={editing.request} onClose={() => setEditing(undefined)} />
          ) : editing ? (
            <MedicationDialog key={editing.kind === 'edit' ? editing.request.id : 'new'} patient={patient} stored={editing.kind === 'edit' ? editing.request : undefined} onClose={() => setEditing(undefined)} />
          ) : null}
        </>
      )}
    </ListPage>
  );
}

function MedicationDialog({ patient, stored, onClose }: { patient: Patient; stored: MedicationRequest | undefined; onClose: () => void }) {
  const { form, set, errors, draft, dialog } = useEntryForm({
    type: 'MedicationRequest',
    patient,
    stored,
    draftName: `medication.${stored?.id ?? 'new'}`,
    initial: stored ? medicationForm(stored) : EMPTY_MEDICATION,
    validate: validateMedication,
    build: medicationRequestFrom,
    onClose,
  });
  const generated = sigFromParts(form);

  return (
    <EntryDialog title={stored ? 'Edit medication' : 'Add medication'} what="medication" describe={describeMedication} {...dialog}>
      <DraftNotice draft={draft} />
      <CodedEntryPicker
        label="Medication"
        valueSet={VALUE_SETS.medications}
        what="medications"
        value={form.medication}
        onChange={(medication) => set(medication ? { medication } : { medication: undefined })}
        placeholder="e.g. metformin 500, lisinopril, atorvastatin 20"
        isRequired
        autoFocus={!stored}
        {...(errors.medication ? { errorMessage: errors.medication } : {})}
      />
      <div className="entry-form-row">
        <TextField label="Dose" value={form.dose} onChange={(dose) => set({ dose })} inputMode="decimal" isInvalid={errors.dose !== undefined} errorMessage={errors.dose} />
        <Select label="Unit" options={DOSE_UNITS} selectedKey={form.doseUnit} onSelectionChange={(doseUnit) => set({ doseUnit })} />
        <Select label="Route" options={ROUTES} selectedKey={form.route} onSelectionChange={(route) => set({ route })} />
      </div>
      <div className="entry-form-row">
        <Select label="Frequency" options={[{ id: '', label: 'Not structured' }, ...FREQUENCIES]} selectedKey={form.frequency} onSelectionChange={(frequency) => set({ frequency })} />
        <Select label="As needed" options={[{ id: 'no', label: 'No' }, { id: 'yes', label: 'Yes (PRN)' }]} selectedKey={form.asNeeded} onSelectionChange={(k) => set({ asNeeded: k as MedicationForm['asNeeded'] })} />
        <Select label="Status" options={MEDICATION_STATUSES} selectedKey={form.status} onSelectionChange={(k) => set({ status: k as MedicationForm['status'] })} />
      </div>
      <TextField
        label="Instructions (sig)"
        value={form.sig}
        onChange={(sig) => set({ sig })}
        placeholder={generated || 'e.g. 1 tablet by mouth twice daily with meals'}
        description={generated && !form.sig ? `Left empty, it is saved as “${generated}”.` : 'As the patient should read it.'}
        isInvalid={errors.sig !== undefined}
        errorMessage={errors.sig}
      />
    </EntryDialog>
  );
}

function DiscontinueDialog({ patient, request, onClose }: { patient: Patient; request: MedicationRequest; onClose: () => void }) {
  const name = request.medicationCodeableConcept?.text ?? request.medicationCodeableConcept?.coding?.[0]?.display ?? 'medication';
  const { form, set, errors, dialog } = useEntryForm({
    type: 'MedicationRequest',
    patient,
    stored: request,
    draftName: `medication.${request.id}.discontinue`,
    initial: { reason: '' },
    validate: ({ reason }) => (reason.trim() ? {} : { reason: 'Say why it is stopped (e.g. side effect, no longer needed, replaced).' }),
    build: ({ reason }, base) => discontinuedRequest(base ?? request, reason),
    onClose,
  });
  return (
    <EntryDialog title={`Discontinue ${name}`} what="medication" describe={describeMedication} saveLabel="Discontinue" {...dialog}>
      <p>It moves to past medications, with the reason.</p>
      <TextField label="Reason" value={form.reason} onChange={(reason) => set({ reason })} isRequired isInvalid={errors.reason !== undefined} errorMessage={errors.reason} autoFocus />
    </EntryDialog>
  );
}
