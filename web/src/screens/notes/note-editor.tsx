import type { DocumentReference, Patient, Practitioner, Reference } from '@medplum/fhirtypes';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { Label, TextArea, TextField } from 'react-aria-components';
import { useUser } from '../../auth/auth-context.tsx';
import { DraftNotice } from '../../auth/draft-notice.tsx';
import { useDraft } from '../../auth/use-draft.ts';
import { Button, ErrorState } from '../../design/index.ts';
import { errorAdvice, errorMessage, FhirApiError } from '../../fhir/fhir-client.ts';
import { useFhir } from '../../fhir/fhir-context.tsx';
import { dateText } from '../../fhir-format/values.ts';
import { INSERT_KINDS, insertAt, type InsertKind } from '../../notes/chart-inserts.ts';
import { sectionsOf, signActionFor, signedNote, withSections } from '../../notes/note-resource.ts';
import { noteMarkdown, sectionsWordCount, type NoteSection } from '../../notes/note-text.ts';
import { useChartInserts, useMe } from './note-new-screen.tsx';
import { NoteText } from './note-view.tsx';
import { SignDialog } from './sign-dialog.tsx';
import { SignStateBadge } from './sign-state-badge.tsx';

interface DraftValue {
  sections: NoteSection[];
  related: Reference[];
}

/** How long after the last keystroke the draft is saved to the server. */
const SAVE_AFTER_MS = 1000;

type SaveStatus = { kind: 'saved'; at?: string } | { kind: 'unsaved' } | { kind: 'saving' } | { kind: 'failed'; error: unknown } | { kind: 'conflict'; theirs: DocumentReference };

/**
 * The draft note: a text box per section, chart data inserted with a button or Alt+Shift+V/P/M/A
 * (marked in the text as inserted, with its as-of time), a word count, and "Sign". What is typed
 * is kept in this browser at once (useDraft) and saved to the server a second after typing
 * stops, with If-Match on the version it started from: when someone else saved the same draft
 * meanwhile, their version is shown and nothing is overwritten until the user chooses.
 */
export function NoteEditor({ stored, patient }: { stored: DocumentReference; patient: Patient }) {
  const fhir = useFhir();
  const queryClient = useQueryClient();
  const user = useUser();
  const me = useMe();
  const patientId = patient.id!;
  const draft = useDraft<DraftValue>(`note-${stored.id}`, patientId, { sections: sectionsOf(stored), related: [] });
  const inserts = useChartInserts(patientId);
  const server = useRef(stored);
  const value = useRef(draft.value);
  value.current = draft.value;
  const pending = useRef<Promise<boolean>>(Promise.resolve(true));
  const [status, setStatus] = useState<SaveStatus>({ kind: 'saved' });
  const [signing, setSigning] = useState(false);
  const boxes = useRef<(HTMLTextAreaElement | null)[]>([]);
  const focused = useRef<number | undefined>(undefined);

  const isDirty = () => noteMarkdown(sectionsOf(server.current)) !== noteMarkdown(value.current.sections) || value.current.related.some((r) => !(server.current.context?.related ?? []).some((s) => s.reference === r.reference));

  /** Saves what is typed over `base` (the server's version it was typed on); saves run one after another. */
  const save = (base?: DocumentReference): Promise<boolean> => {
    pending.current = pending.current.then(async () => {
      const on = base ?? server.current;
      if (base === undefined && !isDirty()) return true;
      setStatus({ kind: 'saving' });
      try {
        const saved = await fhir.update(withSections(on, value.current.sections, value.current.related) as DocumentReference & { id: string }, { ifMatch: on.meta?.versionId ?? '' });
        server.current = saved;
        queryClient.setQueryData(['fhir', 'DocumentReference', 'read', saved.id], saved);
        setStatus({ kind: 'saved', at: saved.meta?.lastUpdated });
        return true;
      } catch (error) {
        if (error instanceof FhirApiError && error.status === 412) {
          const theirs = await fhir.read<DocumentReference>('DocumentReference', on.id!).catch(() => undefined);
          if (theirs) {
            setStatus({ kind: 'conflict', theirs });
            return false;
          }
        }
        setStatus({ kind: 'failed', error });
        return false;
      }
    });
    return pending.current;
  };

  // The cursor starts at the end of the first line, where a template leaves room to type.
  useEffect(() => {
    const box = boxes.current[0];
    if (!box) return;
    box.focus();
    const end = box.value.indexOf('\n');
    const at = end >= 0 ? end : box.value.length;
    box.setSelectionRange(at, at);
  }, []);

  useEffect(() => {
    if (status.kind === 'conflict' || !isDirty()) return;
    setStatus((s) => (s.kind === 'saving' ? s : { kind: 'unsaved' }));
    const timer = setTimeout(() => void save(), SAVE_AFTER_MS);
    return () => clearTimeout(timer);
    // Saves follow what is typed; `save` reads the latest through refs.
  }, [draft.value, status.kind === 'conflict']);

  const setSection = (i: number, text: string) => draft.setValue({ ...value.current, sections: value.current.sections.map((s, j) => (j === i ? { ...s, text } : s)) });

  const insert = (kind: InsertKind) => {
    const block = inserts.block(kind);
    if (!block) return;
    const sections = value.current.sections;
    const preferred = sections.findIndex((s) => s.title === INSERT_KINDS.find((k) => k.kind === kind)?.section);
    const i = focused.current ?? (preferred >= 0 ? preferred : sections.length - 1);
    const box = boxes.current[i];
    const at = box ? box.selectionStart : sections[i]!.text.length;
    const { text, caret } = insertAt(sections[i]!.text, at, block.text);
    draft.setValue({ sections: sections.map((s, j) => (j === i ? { ...s, text } : s)), related: [...value.current.related, ...block.sources] });
    requestAnimationFrame(() => {
      const target = boxes.current[i];
      target?.focus();
      target?.setSelectionRange(caret, caret);
    });
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (!e.altKey || !e.shiftKey) return;
    const kind = INSERT_KINDS.find((k) => e.code === `Key${k.key}`)?.kind;
    if (kind) {
      e.preventDefault();
      insert(kind);
    }
  };

  const words = sectionsWordCount(draft.value.sections);
  const action = signActionFor(stored, user);

  const sign = async (supervisor?: Reference<Practitioner>): Promise<void> => {
    await pending.current;
    if (!(await save())) throw new Error('The latest text could not be saved, so the note was not signed. See the message above.');
    if (!me) throw new Error('Your account is not linked to a practitioner.');
    const base = server.current;
    const signed = signedNote(base, me, new Date().toISOString(), action.kind === 'sign-for-cosignature' ? { supervisor: supervisor! } : 'sign');
    const saved = await fhir.update(signed as DocumentReference & { id: string }, { ifMatch: base.meta?.versionId ?? '' });
    draft.clear();
    queryClient.setQueryData(['fhir', 'DocumentReference', 'read', saved.id], saved);
    void queryClient.invalidateQueries({ queryKey: ['fhir', 'DocumentReference'] });
    void queryClient.invalidateQueries({ queryKey: ['fhir', 'Provenance'] });
  };

  return (
    <div className="note-editor">
      <DraftNotice draft={draft} />
      <div className="note-toolbar" role="toolbar" aria-label="Insert chart data">
        <span className="note-toolbar-label">Insert from chart:</span>
        {INSERT_KINDS.map((k) => (
          <Button key={k.kind} size="sm" variant="secondary" onPress={() => insert(k.kind)} isDisabled={!inserts.ready} aria-keyshortcuts={`Alt+Shift+${k.key}`}>
            {k.label} <kbd>Alt+Shift+{k.key}</kbd>
          </Button>
        ))}
      </div>
      {status.kind === 'conflict' && (
        <div className="h-state note-conflict" data-kind="error" role="alert">
          <p className="h-state-title">Someone else saved this draft after you opened it{status.theirs.meta?.lastUpdated ? ` (${dateText(status.theirs.meta.lastUpdated, true)})` : ''}.</p>
          <p>Their version:</p>
          <div className="note-theirs" tabIndex={0} role="region" aria-label="Their version of the draft">
            <NoteText sections={sectionsOf(status.theirs)} />
          </div>
          <p className="muted">Nothing you typed is lost: it is still below. Keep yours to save it over theirs, or take theirs.</p>
          <div className="note-conflict-actions">
            <Button variant="primary" onPress={() => void save(status.theirs)}>
              Keep mine
            </Button>
            <Button
              variant="secondary"
              onPress={() => {
                server.current = status.theirs;
                draft.setValue({ sections: sectionsOf(status.theirs), related: [] });
                setStatus({ kind: 'saved', at: status.theirs.meta?.lastUpdated });
              }}
            >
              Use theirs
            </Button>
          </div>
        </div>
      )}
      {status.kind === 'failed' && <ErrorState title="The draft was not saved to the server" message={errorMessage(status.error)} advice={`${errorAdvice(status.error)} What you typed is kept in this browser.`} onRetry={() => void save()} />}
      <div className="note-sections">
        {draft.value.sections.map((s, i) => (
          <TextField key={`${i}-${s.title}`} className="h-field note-section" value={s.text} onChange={(text) => setSection(i, text)} onFocus={() => (focused.current = i)}>
            <Label className="h-field-label note-section-title">{s.title}</Label>
            <TextArea
              ref={(el) => {
                boxes.current[i] = el;
              }}
              className="h-input note-section-text"
              rows={Math.min(12, Math.max(3, s.text.split('\n').length + 1))}
              onKeyDown={onKeyDown}
            />
          </TextField>
        ))}
      </div>
      <div className="note-footer">
        <SignStateBadge state="draft" />
        <span className="note-words" aria-live="polite">
          {words} {words === 1 ? 'word' : 'words'}
        </span>
        <span className="note-save-status muted" role="status">
          {status.kind === 'saving' ? 'Saving draft…' : status.kind === 'unsaved' ? 'Draft not saved yet' : status.kind === 'saved' ? `Draft saved${status.at ? ` ${dateText(status.at, true)}` : ''}` : ''}
        </span>
        {action.kind === 'none' ? (
          <span className="muted">{action.why}</span>
        ) : (
          <Button variant="primary" onPress={() => setSigning(true)}>
            {action.kind === 'sign-for-cosignature' ? 'Sign for co-signature…' : 'Sign…'}
          </Button>
        )}
      </div>
      <SignDialog isOpen={signing} onClose={() => setSigning(false)} patient={patient} title={stored.description ?? 'Visit note'} words={words} mode={action.kind === 'sign-for-cosignature' ? 'trainee' : 'sign'} onConfirm={sign} />
    </div>
  );
}
