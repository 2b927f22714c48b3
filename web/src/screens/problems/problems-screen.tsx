import type { Condition, Patient } from '@medplum/fhirtypes';
import { useState } from 'react';
import { useParams } from 'react-router';
import { DraftNotice } from '../../auth/draft-notice.tsx';
import { problemList } from '../../chart/summary.ts';
import { today } from '../../clinical-lists/entry-context.ts';
import { conditionFrom, EMPTY_PROBLEM, problemForm, PROBLEM_CLINICAL_STATUSES, PROBLEM_VERIFICATION_STATUSES, resolvedCondition, validateProblem, type ProblemForm } from '../../clinical-lists/problem-entry.ts';
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

type Editing = { kind: 'add' } | { kind: 'edit'; condition: Condition } | { kind: 'resolve'; condition: Condition };

const statusLabel = (code: string | undefined) => PROBLEM_CLINICAL_STATUSES.find((s) => s.id === code)?.label ?? code ?? 'Unknown';

export function describeProblem(c: Condition): string {
  const status = statusLabel(c.clinicalStatus?.coding?.[0]?.code);
  const verification = PROBLEM_VERIFICATION_STATUSES.find((s) => s.id === c.verificationStatus?.coding?.[0]?.code)?.label;
  return [conceptText(c.code), status, verification, c.onsetDateTime && `onset ${dateText(c.onsetDateTime)}`, c.abatementDateTime && `ended ${dateText(c.abatementDateTime)}`, c.note?.[0]?.text && `note “${c.note[0].text}”`]
    .filter(Boolean)
    .join(' · ');
}

/** `/patients/:patientId/problems`: the problem list, current and past; add, edit and resolve problems. */
export function ProblemsScreen() {
  const { patientId } = useParams();
  const [editing, setEditing] = useState<Editing | undefined>();
  const conditions = useSearch<Condition>('Condition', { patient: patientId, category: 'problem-list-item', _count: 200 }, { enabled: patientId !== undefined });
  if (!patientId) return null;

  const columns = (past: boolean): DataColumn<Condition>[] => [
    {
      id: 'problem',
      header: 'Problem',
      isRowHeader: true,
      cell: (c) => (
        <span className="list-item-name">
          {conceptText(c.code) || 'Unnamed problem'}
          {c.code?.coding?.[0] && (
            <span className="list-item-code">
              {systemName(c.code.coding[0].system)} {c.code.coding[0].code}
            </span>
          )}
          <CorrectionMarks patientId={patientId} item={`Condition/${c.id}`} />
        </span>
      ),
    },
    { id: 'status', header: 'Status', cell: (c) => <Badge tone={past ? 'neutral' : 'info'}>{statusLabel(c.clinicalStatus?.coding?.[0]?.code)}</Badge> },
    { id: 'verification', header: 'Verification', cell: (c) => PROBLEM_VERIFICATION_STATUSES.find((s) => s.id === c.verificationStatus?.coding?.[0]?.code)?.label ?? '—' },
    { id: 'onset', header: 'Onset', cell: (c) => dateText(c.onsetDateTime ?? c.onsetPeriod?.start) || '—' },
    ...(past ? [{ id: 'ended', header: 'Ended', cell: (c: Condition) => dateText(c.abatementDateTime ?? c.abatementPeriod?.start) || '—' }] : []),
    {
      id: 'actions',
      header: 'Actions',
      cell: (c) => {
        const name = conceptText(c.code) || 'problem';
        return (
          <span className="list-actions">
            <Button size="sm" variant="quiet" onPress={() => setEditing({ kind: 'edit', condition: c })} aria-label={`Edit ${name}`}>
              Edit
            </Button>
            {!past && (
              <Button size="sm" variant="quiet" onPress={() => setEditing({ kind: 'resolve', condition: c })} aria-label={`Resolve ${name}`}>
                Resolve
              </Button>
            )}
          </span>
        );
      },
    },
  ];

  return (
    <ListPage patientId={patientId} title="Problems" actions={
        <>
          <Button variant="primary" onPress={() => setEditing({ kind: 'add' })}>
            Add problem
          </Button>
        </>
      }>
      {(patient) => (
        <>
          <QueryView query={conditions} what="problems" skeletonLines={6}>
            {(bundle) => {
              const { active, inactive } = problemList(matches(bundle));
              return (
                <>
                  <ListTable title={`Current problems (${active.length})`} label="Current problems" columns={columns(false)} rows={active} rowKey={(c) => c.id!} empty="No current problems recorded." />
                  <ListTable title={`Past problems (${inactive.length})`} label="Past problems: resolved or inactive" columns={columns(true)} rows={inactive} rowKey={(c) => c.id!} empty="No past problems recorded." />
                </>
              );
            }}
          </QueryView>
          {editing?.kind === 'resolve' ? (
            <ResolveDialog key={editing.condition.id} patient={patient} condition={editing.condition} onClose={() => setEditing(undefined)} />
          ) : editing ? (
            <ProblemDialog key={editing.kind === 'edit' ? editing.condition.id : 'new'} patient={patient} stored={editing.kind === 'edit' ? editing.condition : undefined} onClose={() => setEditing(undefined)} />
          ) : null}
        </>
      )}
    </ListPage>
  );
}

function ProblemDialog({ patient, stored, onClose }: { patient: Patient; stored: Condition | undefined; onClose: () => void }) {
  const { form, set, errors, draft, dialog } = useEntryForm({
    type: 'Condition',
    patient,
    stored,
    draftName: `problem.${stored?.id ?? 'new'}`,
    initial: stored ? problemForm(stored) : EMPTY_PROBLEM,
    validate: validateProblem,
    build: conditionFrom,
    onClose,
  });

  return (
    <EntryDialog title={stored ? 'Edit problem' : 'Add problem'} what="problem" describe={describeProblem} {...dialog}>
      <DraftNotice draft={draft} />
      <CodedEntryPicker
        label="Problem"
        valueSet={VALUE_SETS.problems}
        what="problems"
        value={form.code}
        onChange={(code) => set(code ? { code } : { code: undefined })}
        placeholder="e.g. type 2 diabetes, hypertension, E11.9"
        isRequired
        autoFocus={!stored}
        {...(errors.code ? { errorMessage: errors.code } : {})}
      />
      <div className="entry-form-row">
        <Select label="Clinical status" options={PROBLEM_CLINICAL_STATUSES} selectedKey={form.clinicalStatus} onSelectionChange={(k) => set({ clinicalStatus: k as ProblemForm['clinicalStatus'] })} />
        <Select label="Verification" options={PROBLEM_VERIFICATION_STATUSES} selectedKey={form.verificationStatus} onSelectionChange={(k) => set({ verificationStatus: k as ProblemForm['verificationStatus'] })} />
      </div>
      <div className="entry-form-row">
        <TextField label="Onset" type="date" value={form.onset} onChange={(onset) => set({ onset })} isInvalid={errors.onset !== undefined} errorMessage={errors.onset} description="Leave empty when not known." />
        <TextField
          label="Ended"
          type="date"
          value={form.abatement}
          onChange={(abatement) => set({ abatement })}
          isInvalid={errors.abatement !== undefined}
          errorMessage={errors.abatement}
          description="For a resolved, inactive or remitted problem."
        />
      </div>
      <TextField label="Note" multiline value={form.note} onChange={(note) => set({ note })} />
    </EntryDialog>
  );
}

function ResolveDialog({ patient, condition, onClose }: { patient: Patient; condition: Condition; onClose: () => void }) {
  const { form, set, errors, dialog } = useEntryForm({
    type: 'Condition',
    patient,
    stored: condition,
    draftName: `problem.${condition.id}.resolve`,
    initial: { on: today(new Date()) },
    validate: ({ on }, now) => (!/^\d{4}-\d{2}-\d{2}$/.test(on) || on > today(now) ? { on: 'Enter the day it resolved: today or earlier.' } : {}),
    build: ({ on }, base) => resolvedCondition(base ?? condition, on),
    onClose,
  });
  return (
    <EntryDialog title={`Resolve ${conceptText(condition.code) || 'problem'}`} what="problem" describe={describeProblem} saveLabel="Resolve" {...dialog}>
      <p>It moves to past problems, with the day it resolved.</p>
      <TextField label="Resolved on" type="date" value={form.on} onChange={(on) => set({ on })} isInvalid={errors.on !== undefined} errorMessage={errors.on} autoFocus />
    </EntryDialog>
  );
}
