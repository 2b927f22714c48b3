import type { ActivityDefinition } from '@medplum/fhirtypes';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, ClosableDialog, ErrorState, TextField } from '../../design/index.ts';
import { errorAdvice, errorMessage } from '../../fhir/fhir-client.ts';
import { useFhir } from '../../fhir/fhir-context.tsx';
import { matches } from '../../fhir/queries.ts';
import { durationMinutes, visitTypeDefinition } from '../../schedule/visit-types.ts';
import { useVisitTypes } from './schedule-data.ts';

/** Practice administrators keep the catalogue (directory `cu`): docs/access.md. */
export function editsVisitTypes(role: string): boolean {
  return role === 'practice-admin';
}

function checkMinutes(text: string): string | undefined {
  const n = Number(text);
  return Number.isInteger(n) && n >= 5 && n <= 480 ? undefined : 'From 5 to 480 minutes.';
}

/**
 * The practice's visit types: rename, change the length, retire (status `retired`: no longer
 * offered, booked appointments keep theirs), add. Each is an ActivityDefinition saved with If-Match.
 */
export function VisitTypesDialog({ onClose }: { onClose: () => void }) {
  const { query } = useVisitTypes();
  const fhir = useFhir();
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: (d: ActivityDefinition) => (d.id ? fhir.update(d as ActivityDefinition & { id: string }, d.meta?.versionId ? { ifMatch: d.meta.versionId } : {}) : fhir.create(d)),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['fhir', 'ActivityDefinition'] }),
  });
  const [title, setTitle] = useState('');
  const [minutes, setMinutes] = useState('20');
  const [error, setError] = useState<string>();
  const definitions = matches(query.data);

  return (
    <ClosableDialog title="Visit types" onClose={onClose}>
      <p className="muted">What the booking dialog offers, and how long each visit lasts.</p>
      {save.error ? <ErrorState title="Not saved" message={errorMessage(save.error)} advice={errorAdvice(save.error)} /> : null}
      <ul className="visit-types">
        {definitions.map((d) => (
          <VisitTypeRow key={`${d.id}-${d.meta?.versionId}`} definition={d} onSave={(next) => save.mutate(next)} pending={save.isPending} />
        ))}
      </ul>
      <div className="visit-types-add">
        <TextField label="New visit type" value={title} onChange={setTitle} isInvalid={error !== undefined} errorMessage={error} />
        <TextField label="Minutes" inputMode="numeric" value={minutes} onChange={setMinutes} />
        <Button
          variant="primary"
          isDisabled={save.isPending}
          onPress={() => {
            const problem = !title.trim() ? 'Name the visit type.' : checkMinutes(minutes);
            setError(problem);
            if (problem) return;
            save.mutate(visitTypeDefinition(title, Number(minutes)), { onSuccess: () => (setTitle(''), setMinutes('20')) });
          }}
        >
          Add
        </Button>
      </div>
    </ClosableDialog>
  );
}

function VisitTypeRow({ definition, onSave, pending }: { definition: ActivityDefinition; onSave: (d: ActivityDefinition) => void; pending: boolean }) {
  const [title, setTitle] = useState(definition.title ?? '');
  const [minutes, setMinutes] = useState(String(durationMinutes(definition.timingDuration) ?? ''));
  const problem = checkMinutes(minutes);
  const changed = title.trim() !== (definition.title ?? '') || minutes !== String(durationMinutes(definition.timingDuration) ?? '');
  return (
    <li className="visit-types-row">
      <TextField label="Name" value={title} onChange={setTitle} />
      <TextField label="Minutes" inputMode="numeric" value={minutes} onChange={setMinutes} isInvalid={problem !== undefined} errorMessage={problem} />
      <Button size="sm" variant="primary" isDisabled={pending || !changed || problem !== undefined || !title.trim()} onPress={() => onSave(visitTypeDefinition(title, Number(minutes), definition))} aria-label={`Save ${definition.title}`}>
        Save
      </Button>
      <Button size="sm" variant="quiet" isDisabled={pending} onPress={() => onSave({ ...definition, status: 'retired' })} aria-label={`Retire ${definition.title}`}>
        Retire
      </Button>
    </li>
  );
}
