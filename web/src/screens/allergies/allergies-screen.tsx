import type { AllergyIntolerance, Patient } from '@medplum/fhirtypes';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useParams } from 'react-router';
import { useUser } from '../../auth/auth-context.tsx';
import { DraftNotice } from '../../auth/draft-notice.tsx';
import { allergyStatus, isNoKnownAllergy } from '../../chart/summary.ts';
import {
  ALLERGY_CATEGORIES,
  ALLERGY_CLINICAL_STATUSES,
  ALLERGY_TYPES,
  ALLERGY_VERIFICATION_STATUSES,
  allergyForm,
  allergyFrom,
  CRITICALITIES,
  EMPTY_ALLERGY,
  noKnownAllergies,
  SEVERITIES,
  assertsAllergy,
  supersededNoKnownAllergies,
  validateAllergy,
  type AllergyForm,
} from '../../clinical-lists/allergy-entry.ts';
import { Badge, Button, ErrorState, Select, TextField, type DataColumn } from '../../design/index.ts';
import { conceptText, dateText } from '../../fhir-format/values.ts';
import { errorAdvice, errorMessage } from '../../fhir/fhir-client.ts';
import { useFhir } from '../../fhir/fhir-context.tsx';
import { matches, useSearch } from '../../fhir/queries.ts';
import { QueryView } from '../../fhir/query-view.tsx';
import { CodedEntryPicker } from '../../terminology/coded-entry-picker.tsx';
import { systemName, VALUE_SETS } from '../../terminology/value-sets.ts';
import { EntryDialog } from '../lists/entry-dialog.tsx';
import { CorrectionMarks } from '../chart/correction-marks.tsx';
import { ListPage } from '../lists/list-page.tsx';
import { ListTable } from '../lists/list-table.tsx';
import { useEntryForm } from '../lists/use-entry-form.ts';
import { useEntrySave } from '../lists/use-entry-save.ts';

const label = (options: ReadonlyArray<{ id: string; label: string }>, id: string | undefined) => options.find((o) => o.id === id)?.label ?? id ?? '—';

export function describeAllergy(a: AllergyIntolerance): string {
  const reaction = a.reaction?.[0];
  return [
    conceptText(a.code),
    label(ALLERGY_CLINICAL_STATUSES, a.clinicalStatus?.coding?.[0]?.code),
    a.criticality && `criticality ${label(CRITICALITIES, a.criticality).toLowerCase()}`,
    reaction && `${conceptText(reaction.manifestation?.[0])}${reaction.severity ? ` (${reaction.severity})` : ''}`,
  ]
    .filter(Boolean)
    .join(' · ');
}

/** `/patients/:patientId/allergies`: active and past allergies, "no known allergies", add and edit. */
export function AllergiesScreen() {
  const { patientId } = useParams();
  const user = useUser();
  const [editing, setEditing] = useState<{ stored?: AllergyIntolerance } | undefined>();
  const allergies = useSearch<AllergyIntolerance>('AllergyIntolerance', { patient: patientId, _count: 200 }, { enabled: patientId !== undefined });
  const nka = useEntrySave<AllergyIntolerance>('AllergyIntolerance', patientId ?? '', undefined);
  const fhir = useFhir();
  const queryClient = useQueryClient();
  // A recorded allergy ends "no known allergies"; each such entry is updated on the version read.
  const supersede = useMutation({
    mutationFn: (entries: AllergyIntolerance[]) =>
      Promise.all(entries.map((a) => fhir.update({ ...supersededNoKnownAllergies(a), id: a.id! }, a.meta?.versionId !== undefined ? { ifMatch: a.meta.versionId } : {}))),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['fhir', 'AllergyIntolerance'] }),
  });
  if (!patientId) return null;
  const activeNka = matches(allergies.data).filter((a) => isNoKnownAllergy(a) && (a.clinicalStatus?.coding?.[0]?.code ?? 'active') === 'active');

  const columns = (past: boolean): DataColumn<AllergyIntolerance>[] => [
    {
      id: 'substance',
      header: 'Substance',
      isRowHeader: true,
      cell: (a) => (
        <span className="list-item-name">
          {conceptText(a.code) || 'Unnamed substance'}
          {a.code?.coding?.[0] && (
            <span className="list-item-code">
              {systemName(a.code.coding[0].system)} {a.code.coding[0].code}
            </span>
          )}
          <CorrectionMarks patientId={patientId} item={`AllergyIntolerance/${a.id}`} />
        </span>
      ),
    },
    { id: 'reaction', header: 'Reaction', cell: (a) => (a.reaction?.[0] ? `${conceptText(a.reaction[0].manifestation?.[0])}${a.reaction[0].severity ? ` (${a.reaction[0].severity})` : ''}` : '—') },
    { id: 'category', header: 'Category', cell: (a) => `${label(ALLERGY_CATEGORIES, a.category?.[0])} ${a.type === 'intolerance' ? 'intolerance' : 'allergy'}` },
    { id: 'criticality', header: 'Criticality', cell: (a) => (a.criticality === 'high' && !past ? <Badge tone="danger">High</Badge> : label(CRITICALITIES, a.criticality)) },
    { id: 'status', header: 'Status', cell: (a) => `${label(ALLERGY_CLINICAL_STATUSES, a.clinicalStatus?.coding?.[0]?.code)}, ${label(ALLERGY_VERIFICATION_STATUSES, a.verificationStatus?.coding?.[0]?.code).toLowerCase()}` },
    {
      id: 'actions',
      header: 'Actions',
      cell: (a) => (
        <Button size="sm" variant="quiet" onPress={() => setEditing({ stored: a })} aria-label={`Edit ${conceptText(a.code) || 'allergy'}`}>
          Edit
        </Button>
      ),
    },
  ];

  return (
    <ListPage patientId={patientId} title="Allergies" actions={
        <>
          <Button variant="primary" onPress={() => setEditing({})}>
            Add allergy
          </Button>
        </>
      }>
      {(patient) => (
        <>
          <QueryView query={allergies} what="allergies" skeletonLines={6}>
            {(bundle) => {
              const all = matches(bundle);
              const status = allergyStatus(all);
              const nkaEntry = all.find((a) => isNoKnownAllergy(a) && a.clinicalStatus?.coding?.[0]?.code !== 'inactive');
              const past = all.filter((a) => !isNoKnownAllergy(a) && !status.active.includes(a));
              return (
                <>
                  <div className="allergy-assertion" role="status">
                    {status.active.length > 0 ? (
                      <Badge tone="danger">{status.active.length === 1 ? '1 active allergy' : `${status.active.length} active allergies`}</Badge>
                    ) : status.noneKnown ? (
                      <span>
                        <Badge tone="success">No known allergies</Badge> recorded {dateText(nkaEntry?.recordedDate)}
                      </span>
                    ) : (
                      <>
                        <Badge tone="warning">Allergies not recorded</Badge>
                        <span className="muted">Not the same as none: ask, then record an allergy or that there are none.</span>
                        <Button
                          size="sm"
                          onPress={() => void nka.save(noKnownAllergies({ patientId: patient.id!, ...(user.fhirUser ? { fhirUser: user.fhirUser } : {}), now: new Date() }))}
                          isDisabled={nka.isPending}
                        >
                          Record “No known allergies”
                        </Button>
                      </>
                    )}
                  </div>
                  {supersede.error ? (
                    <ErrorState title="“No known allergies” is still recorded beside the allergy" message={errorMessage(supersede.error)} advice={`${errorAdvice(supersede.error)} Then edit or reload the allergy list.`} />
                  ) : null}
                  {nka.error ? <ErrorState title="“No known allergies” was not saved" message={errorMessage(nka.error)} advice={errorAdvice(nka.error)} /> : null}
                  <ListTable title={`Active allergies (${status.active.length})`} label="Active allergies" columns={columns(false)} rows={status.active} rowKey={(a) => a.id!} empty={status.noneKnown ? 'No known allergies.' : 'No active allergies recorded.'} />
                  <ListTable title={`Inactive, resolved or refuted (${past.length})`} label="Inactive, resolved or refuted allergies" columns={columns(true)} rows={past} rowKey={(a) => a.id!} empty="None." />
                </>
              );
            }}
          </QueryView>
          {editing && (
            <AllergyDialog
              key={editing.stored?.id ?? 'new'}
              patient={patient}
              stored={editing.stored}
              onClose={() => setEditing(undefined)}
              onSaved={(form) => {
                if (assertsAllergy(form) && activeNka.length > 0) supersede.mutate(activeNka);
              }}
            />
          )}
        </>
      )}
    </ListPage>
  );
}

function AllergyDialog({ patient, stored, onClose, onSaved }: { patient: Patient; stored: AllergyIntolerance | undefined; onClose: () => void; onSaved: (form: AllergyForm) => void }) {
  const { form, set, errors, draft, dialog } = useEntryForm({
    type: 'AllergyIntolerance',
    patient,
    stored,
    draftName: `allergy.${stored?.id ?? 'new'}`,
    initial: stored ? allergyForm(stored) : EMPTY_ALLERGY,
    validate: validateAllergy,
    build: allergyFrom,
    onSaved,
    onClose,
  });
  return (
    <EntryDialog title={stored ? 'Edit allergy' : 'Add allergy'} what="allergy" describe={describeAllergy} {...dialog}>
      <DraftNotice draft={draft} />
      <CodedEntryPicker
        label="Substance"
        valueSet={VALUE_SETS.allergySubstances}
        what="substances"
        value={form.substance}
        onChange={(substance) => set(substance ? { substance } : { substance: undefined })}
        placeholder="e.g. penicillin, peanut, latex"
        isRequired
        autoFocus={!stored}
        {...(errors.substance ? { errorMessage: errors.substance } : {})}
      />
      <div className="entry-form-row">
        <Select label="Category" options={ALLERGY_CATEGORIES} selectedKey={form.category} onSelectionChange={(k) => set({ category: k as AllergyForm['category'] })} />
        <Select label="Type" options={ALLERGY_TYPES} selectedKey={form.type} onSelectionChange={(k) => set({ type: k as AllergyForm['type'] })} />
        <Select label="Criticality" options={CRITICALITIES} selectedKey={form.criticality} onSelectionChange={(k) => set({ criticality: k as AllergyForm['criticality'] })} />
      </div>
      <div className="entry-form-row entry-form-row-wide">
        <CodedEntryPicker
          label="Reaction"
          valueSet={VALUE_SETS.problems}
          what="reactions"
          value={form.manifestation}
          onChange={(manifestation) => set(manifestation ? { manifestation } : { manifestation: undefined })}
          placeholder="e.g. hives, anaphylaxis, rash"
          {...(errors.manifestation ? { errorMessage: errors.manifestation } : {})}
        />
        <Select label="Severity" options={SEVERITIES} selectedKey={form.severity} onSelectionChange={(k) => set({ severity: k as AllergyForm['severity'] })} />
      </div>
      <div className="entry-form-row">
        <Select label="Clinical status" options={ALLERGY_CLINICAL_STATUSES} selectedKey={form.clinicalStatus} onSelectionChange={(k) => set({ clinicalStatus: k as AllergyForm['clinicalStatus'] })} />
        <Select label="Verification" options={ALLERGY_VERIFICATION_STATUSES} selectedKey={form.verificationStatus} onSelectionChange={(k) => set({ verificationStatus: k as AllergyForm['verificationStatus'] })} />
      </div>
      <TextField label="Note" multiline value={form.note} onChange={(note) => set({ note })} />
    </EntryDialog>
  );
}
