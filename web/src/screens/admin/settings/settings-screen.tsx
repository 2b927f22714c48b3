/**
 * Practice settings (`/administration/settings`): the practice's own Organization as a form in
 * sections (settings-sections.tsx). What is typed is a draft in this browser until saved; leaving
 * with unsaved changes asks first; a refused save shows the server's words at the field it names
 * and keeps everything typed. Saved with If-Match on the version the draft started from, so a
 * colleague's change in between is never silently undone. The rules: docs/decisions/0004-practice-settings.md.
 */
import type { Organization } from '@medplum/fhirtypes';
import { format } from 'date-fns';
import { useEffect, useRef, useState } from 'react';
import { useBlocker } from 'react-router';
import { DraftNotice } from '../../../auth/draft-notice.tsx';
import { useDraft } from '../../../auth/use-draft.ts';
import { Button, Dialog, EmptyState, ErrorState } from '../../../design/index.ts';
import { errorAdvice, errorMessage, FhirApiError } from '../../../fhir/fhir-client.ts';
import { useUpdate } from '../../../fhir/mutations.ts';
import { matches } from '../../../fhir/queries.ts';
import { QueryView } from '../../../fhir/query-view.tsx';
import { fieldOfExpression, formFrom, formProblems, organizationFrom, type SettingsField, type SettingsForm } from '../../../practice/practice-settings.ts';
import { usePracticeSettings } from '../../../practice/use-practice-settings.ts';
import { AttachmentsSection, DetailsSection, ResultsReleaseSection, SelfSchedulingSection, SessionSection, VisitTypesSection } from './settings-sections.tsx';
import './settings.css';

export function SettingsScreen() {
  const { query, organization } = usePracticeSettings();
  return (
    <div className="screen settings-screen">
      <div className="screen-header">
        <h1>Practice settings</h1>
      </div>
      <QueryView
        query={query}
        what="the practice settings"
        skeletonLines={8}
        isEmpty={() => organization === undefined}
        empty={
          <EmptyState title="This practice has no settings record yet.">
            <p>Heron creates it when the server starts. Ask whoever runs Heron to restart it, then reload this page.</p>
          </EmptyState>
        }
      >
        {() => <SettingsEditor key={organization!.id} opened={organization!} />}
      </QueryView>
    </div>
  );
}

const same = (a: SettingsForm, b: SettingsForm) => JSON.stringify(a) === JSON.stringify(b);

/** The server's OperationOutcome issues by form field; those it does not place, as sentences. */
function serverProblems(error: unknown): { fields: Partial<Record<SettingsField, string>>; other: string[] } {
  const fields: Partial<Record<SettingsField, string>> = {};
  const other: string[] = [];
  if (!(error instanceof FhirApiError) || error.status === 412) return { fields, other };
  for (const i of error.outcome?.issue ?? []) {
    const field = i.expression?.map(fieldOfExpression).find((f) => f !== undefined);
    const text = i.diagnostics ?? i.details?.text ?? 'Not accepted.';
    if (field) fields[field] ??= text;
    else other.push(text);
  }
  return { fields, other };
}

/** What is kept as a draft: the form, and the version it was started from (a draft restored tomorrow must not silently undo a colleague's change made meanwhile). */
interface SettingsDraft {
  version: string;
  form: SettingsForm;
}
const draftOf = (org: Organization): SettingsDraft => ({ version: org.meta?.versionId ?? '', form: formFrom(org) });

function SettingsEditor({ opened }: { opened: Organization }) {
  const { query } = usePracticeSettings();
  // The latest version known here: the one opened, each one saved here, or theirs after a conflict.
  const [base, setBase] = useState(opened);
  const draft = useDraft<SettingsDraft>('practice-settings', undefined, draftOf(opened));
  const { form, version } = draft.value;
  const dirty = !same(form, formFrom(base));
  const [checked, setChecked] = useState<Partial<Record<SettingsField, string>>>({});
  const [savedAt, setSavedAt] = useState<number>();
  const save = useUpdate<Organization & { id: string }>();
  const server = serverProblems(save.error);
  const conflict = save.error instanceof FhirApiError && save.error.status === 412;
  const errors = { ...server.fields, ...checked };
  const formRef = useRef<HTMLFormElement>(null);
  const [attempt, setAttempt] = useState(0);

  const set = (patch: Partial<SettingsForm>) => {
    draft.setValue({ version, form: { ...form, ...patch } });
    setSavedAt(undefined);
    // A field's message goes when it is edited; the others stay until the next save.
    setChecked((c) => Object.fromEntries(Object.entries(c).filter(([k]) => !(k in patch))));
  };
  const startFrom = (org: Organization) => {
    setBase(org);
    draft.setValue(draftOf(org));
    draft.clear();
    setChecked({});
    save.reset();
  };

  // A restored draft that changes nothing is no draft.
  useEffect(() => {
    if (draft.restoredAt !== undefined && !dirty) draft.clear();
  }, [draft, dirty]);

  // After a refused save, focus the first field that needs attention.
  useEffect(() => {
    if (attempt > 0) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"], [data-invalid] input')?.focus();
  }, [attempt, save.error]);

  const submit = async () => {
    const problems = formProblems(form);
    setChecked(problems);
    setAttempt((n) => n + 1);
    if (Object.keys(problems).length > 0) return;
    try {
      // If-Match on the version the draft started from: a change made since answers 412.
      const saved = await save.mutateAsync(organizationFrom(form, { ...base, meta: { ...base.meta, versionId: version } }) as Organization & { id: string });
      startFrom(saved);
      setSavedAt(Date.now());
    } catch {
      // Shown from save.error; the form and its draft stay as typed.
    }
  };
  const takeTheirs = async () => {
    const latest = matches((await query.refetch()).data)[0];
    if (latest) startFrom(latest);
  };

  const blocker = useBlocker(({ currentLocation, nextLocation }) => dirty && currentLocation.pathname !== nextLocation.pathname);
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  const invalid = Object.keys(errors).length;
  const sections = { form, set, errors };
  return (
    <form
      ref={formRef}
      className="settings-form"
      aria-label="Practice settings"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <DraftNotice draft={draft} />
      {invalid > 0 && (
        <div className="settings-alert" role="alert">
          {invalid === 1 ? 'One field needs attention' : `${invalid} fields need attention`}; nothing was saved.
        </div>
      )}
      {conflict && (
        <div className="h-state" data-kind="error" role="alert">
          <p className="h-state-title">Someone else changed the settings after you started</p>
          <p>Nothing was saved. What you typed is still here (and kept as a draft).</p>
          <Button size="sm" variant="secondary" onPress={() => void takeTheirs()}>
            Discard mine, show theirs
          </Button>
        </div>
      )}
      {save.error && !conflict && server.other.length + Object.keys(server.fields).length === 0 && <ErrorState title="The settings were not saved" message={errorMessage(save.error)} advice={errorAdvice(save.error)} />}
      {server.other.length > 0 && <ErrorState title="The settings were not saved" message={server.other.join(' ')} advice="Change what is described, then save again." />}
      <DetailsSection {...sections} />
      <VisitTypesSection />
      <ResultsReleaseSection {...sections} />
      <SelfSchedulingSection {...sections} />
      <AttachmentsSection {...sections} />
      <SessionSection {...sections} />
      <div className="settings-save-bar">
        <Button type="submit" variant="primary" isDisabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save changes'}
        </Button>
        <Button
          variant="quiet"
          isDisabled={!dirty || save.isPending}
          onPress={() => startFrom(base)}
        >
          Discard changes
        </Button>
        <p className="settings-save-status" role="status" data-saved={(savedAt !== undefined && !dirty) || undefined}>
          {savedAt !== undefined && !dirty ? `✓ Saved at ${format(savedAt, 'HH:mm')}. Printouts use the new details now; the portal and sign-ins within a minute.` : dirty ? 'Unsaved changes' : ''}
        </p>
      </div>
      <Dialog
        title="Leave without saving?"
        role="alertdialog"
        isDismissable={false}
        isOpen={blocker.state === 'blocked'}
        onOpenChange={(open) => !open && blocker.reset?.()}
        actions={
          <>
            <Button variant="secondary" onPress={() => blocker.reset?.()}>
              Stay on this page
            </Button>
            <Button variant="danger" onPress={() => blocker.proceed?.()}>
              Leave
            </Button>
          </>
        }
      >
        <p>Your changes to the practice settings are not saved. They stay in this browser as a draft, and are offered again when you come back.</p>
      </Dialog>
    </form>
  );
}
