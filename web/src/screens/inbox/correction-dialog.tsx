/**
 * A patient's correction request, opened from the inbox: the item as the chart has it now (with the
 * way to the chart to edit it), what the patient says is wrong and what it should say, and the
 * answer — accept, saying what was changed (an edit made since the request is attached as the
 * item's amended version), or deny with the reason. The patient reads the answer in the portal;
 * the server refuses a denial without a reason and an answer from someone who may not change the
 * item (docs/portal.md, "Corrections"). What is typed is a draft until it is saved.
 */
import type { Resource, Task } from '@medplum/fhirtypes';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { DraftNotice } from '../../auth/draft-notice.tsx';
import { useDraft } from '../../auth/use-draft.ts';
import { acceptedAnswer, chartSectionOf, deniedAnswer, itemText, proposedWording } from '../../corrections/correction-requests.ts';
import { Button, Dialog, ErrorState, LoadingSkeleton, TextField } from '../../design/index.ts';
import { dateText } from '../../fhir-format/values.ts';
import { errorAdvice, errorMessage } from '../../fhir/fhir-client.ts';
import { useFhir } from '../../fhir/fhir-context.tsx';
import { useRead } from '../../fhir/queries.ts';
import type { InboxItem } from '../../inbox/inbox-items.ts';
import './correction-dialog.css';

type Answer = 'accept' | 'deny';

export function CorrectionDialog({ item, me, onClose }: { item: InboxItem; me: string; onClose: () => void }) {
  const fhir = useFhir();
  const queryClient = useQueryClient();
  const task = item.resource as Task;
  const [type, id] = (task.focus?.reference ?? '').replace(/\/_history\/[^/]+$/, '').split('/') as [string, string | undefined];
  const current = useRead<Resource>(type as Resource['resourceType'], id);
  const draft = useDraft<{ answer?: Answer; text: string }>(`correction-answer-${task.id}`, item.patientId, { text: '' });
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>();
  const [tried, setTried] = useState(false);
  const answer = draft.value.answer;
  const missing = draft.value.text.trim() === '';
  const section = chartSectionOf(task.focus?.reference);
  const proposed = proposedWording(task);

  const save = async () => {
    setTried(true);
    if (answer === undefined || missing) return;
    setSaving(true);
    setError(undefined);
    try {
      const at = new Date().toISOString();
      let decided: Task;
      if (answer === 'accept') {
        // The item as it is now: when it changed after the request, that version is the amendment.
        const now = id === undefined ? undefined : await fhir.read<Resource>(type as Resource['resourceType'], id);
        const edited = now?.meta?.lastUpdated !== undefined && task.authoredOn !== undefined && now.meta.lastUpdated > task.authoredOn;
        decided = acceptedAnswer(task, draft.value.text, edited ? `${type}/${id}/_history/${now!.meta!.versionId}` : undefined, me, at);
      } else {
        decided = deniedAnswer(task, draft.value.text, me, at);
      }
      // On the version the inbox showed: someone else's answer meanwhile is refused (412), not overwritten.
      await fhir.update({ ...decided, id: task.id! }, task.meta?.versionId ? { ifMatch: task.meta.versionId } : {});
      draft.clear();
      await queryClient.invalidateQueries({ queryKey: ['fhir', 'Task'] });
      onClose();
    } catch (err) {
      setError(err);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Dialog
      title={item.title}
      isOpen
      onOpenChange={(open) => !open && onClose()}
      actions={
        <>
          <Button onPress={onClose}>Close</Button>
          {answer === 'accept' && (
            <Button variant="primary" isDisabled={saving} onPress={() => void save()}>
              Accept the correction
            </Button>
          )}
          {answer === 'deny' && (
            <Button variant="danger" isDisabled={saving} onPress={() => void save()}>
              Deny the request
            </Button>
          )}
        </>
      }
    >
      <p className="inbox-dialog-patient">
        Patient: <strong>{item.patientName}</strong>
        {item.patientMrn && <> · MRN {item.patientMrn}</>}
        {task.authoredOn && <> · asked {dateText(task.authoredOn)}</>}
        {task.requester?.reference?.startsWith('RelatedPerson/') && <> · by their proxy</>}
      </p>
      <dl className="inbox-correction">
        <dt>In the chart now</dt>
        <dd>
          {current.isPending ? <LoadingSkeleton lines={1} label="Loading the item" /> : current.isError ? 'This item could not be read.' : itemText(current.data)}
          {section && item.patientId && (
            <>
              {' '}
              <Link to={`/patients/${item.patientId}/${section}`}>Open in the chart to edit</Link>
            </>
          )}
        </dd>
        <dt>The patient says this is wrong</dt>
        <dd>
          <blockquote className="inbox-quote">{task.description}</blockquote>
        </dd>
        {proposed && (
          <>
            <dt>They say it should say</dt>
            <dd>
              <blockquote className="inbox-quote">{proposed}</blockquote>
            </dd>
          </>
        )}
      </dl>
      <DraftNotice draft={draft} />
      {error !== undefined && <ErrorState title="The answer was not saved" message={errorMessage(error)} advice={errorAdvice(error)} />}
      <div className="inbox-correction-choice" role="group" aria-label="Your answer">
        <Button variant={answer === 'accept' ? 'primary' : 'secondary'} aria-pressed={answer === 'accept'} onPress={() => draft.setValue({ ...draft.value, answer: 'accept' })}>
          Accept
        </Button>
        <Button variant={answer === 'deny' ? 'primary' : 'secondary'} aria-pressed={answer === 'deny'} onPress={() => draft.setValue({ ...draft.value, answer: 'deny' })}>
          Deny
        </Button>
      </div>
      {answer !== undefined && (
        <TextField
          key={answer}
          label={answer === 'accept' ? 'What was changed (the patient is told)' : 'Reason for the denial (the patient is told)'}
          description={
            answer === 'accept'
              ? 'Edit the item in the chart first if it needs it; a change made since the request is attached to the answer.'
              : 'The patient may then file a statement of disagreement, kept with the item.'
          }
          multiline
          isRequired
          value={draft.value.text}
          onChange={(text) => draft.setValue({ ...draft.value, text })}
          isInvalid={tried && missing}
          errorMessage={answer === 'accept' ? 'Say what was changed.' : 'A denial needs its reason.'}
          autoFocus
        />
      )}
    </Dialog>
  );
}
