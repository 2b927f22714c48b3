import type { Basic } from '@medplum/fhirtypes';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Dialog, ErrorState, Panel, TextField } from '../../design/index.ts';
import { errorAdvice, errorMessage, FhirApiError } from '../../fhir/fhir-client.ts';
import { useFhir } from '../../fhir/fhir-context.tsx';
import { matches } from '../../fhir/queries.ts';
import { QueryView } from '../../fhir/query-view.tsx';
import { noteMarkdown, parseNote } from '../../notes/note-text.ts';
import { availableTemplates, basicFromTemplate, type NoteTemplate } from '../../notes/templates.ts';
import { useTemplates } from './note-queries.ts';
import './notes.css';

interface Editing {
  template?: NoteTemplate;
  title: string;
  text: string;
}

/**
 * `/note-templates`: the practice's note templates (FHIR `Basic`, docs/notes.md), editable by its
 * clinicians. Heron's built-in templates are listed too; saving one stores the practice's own
 * copy, which then replaces it. Sections are written as `## Heading` lines; `@VITALS@`,
 * `@PROBLEMS@`, `@MEDS@` and `@ALLERGIES@` are filled with chart data when a note starts.
 */
export function TemplatesScreen() {
  const templates = useTemplates();
  const fhir = useFhir();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<Editing>();
  const save = useMutation({
    mutationFn: async (e: Editing) => {
      const sections = parseNote(e.text);
      if (e.title.trim() === '' || sections.length === 0) throw new Error('Give the template a title and at least one “## Heading” section.');
      const stored = e.template?.stored;
      const basic = basicFromTemplate({ title: e.title.trim(), sections }, stored);
      return stored?.id ? fhir.update(basic as Basic & { id: string }, { ifMatch: stored.meta?.versionId ?? '' }) : fhir.create(basic);
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['fhir', 'Basic'] });
      setEditing(undefined);
    },
  });
  const open = (e: Editing) => {
    save.reset();
    setEditing(e);
  };
  return (
    <div className="screen notes">
      <div className="notes-header">
        <div className="screen-header">
          <h1>Note templates</h1>
        </div>
        <Button variant="primary" onPress={() => open({ title: '', text: '## Subjective\n\n\n## Objective\n\n@VITALS@\n\n## Assessment\n\n\n## Plan\n\n' })}>
          New template
        </Button>
      </div>
      <Panel title="Templates of this practice" flush>
        <QueryView query={templates} what="templates">
          {(bundle) => (
            <ul className="note-template-list" aria-label="Templates">
              {availableTemplates(matches(bundle)).map((t) => (
                <li key={t.id}>
                  <div>
                    <strong>{t.title}</strong>
                    <span className="muted note-template-sections"> · {t.stored ? 'this practice' : 'built into Heron'} · {t.sections.map((s) => s.title).join(', ')}</span>
                  </div>
                  <Button size="sm" onPress={() => open({ template: t, title: t.title, text: noteMarkdown(t.sections) })} aria-label={`Edit ${t.title}`}>
                    Edit
                  </Button>
                </li>
              ))}
            </ul>
          )}
        </QueryView>
      </Panel>
      <Dialog
        title={editing?.template ? `Edit “${editing.template.title}”` : 'New template'}
        isOpen={editing !== undefined}
        onOpenChange={(o) => !o && !save.isPending && setEditing(undefined)}
        actions={
          <>
            <Button onPress={() => setEditing(undefined)} isDisabled={save.isPending}>
              Cancel
            </Button>
            <Button variant="primary" onPress={() => editing && save.mutate(editing)} isDisabled={save.isPending}>
              {save.isPending ? 'Saving…' : 'Save template'}
            </Button>
          </>
        }
      >
        {editing && (
          <div className="note-template-form">
            <TextField label="Title" value={editing.title} onChange={(title) => setEditing({ ...editing, title })} isRequired />
            <TextField
              label="Sections"
              description="One “## Heading” line per section, then its starting text. @VITALS@, @PROBLEMS@, @MEDS@ and @ALLERGIES@ are replaced by the chart’s data, marked as inserted."
              multiline
              value={editing.text}
              onChange={(text) => setEditing({ ...editing, text })}
            />
            {editing.template && !editing.template.stored && <p className="muted">Saving stores this practice’s own copy, shown instead of Heron’s.</p>}
          </div>
        )}
        {save.isError && (
          <ErrorState
            title="The template was not saved"
            message={errorMessage(save.error)}
            advice={save.error instanceof FhirApiError && save.error.status === 412 ? 'Someone else changed this template meanwhile. Copy your text, then close and reopen the template to see theirs.' : errorAdvice(save.error)}
          />
        )}
      </Dialog>
    </div>
  );
}
