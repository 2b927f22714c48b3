/**
 * "Ask to correct this" on an item of My health: a small form (what is wrong, what it should say)
 * that sends the practice a correction request (web/src/corrections/correction-requests.ts).
 * What is typed is kept as a draft until it is sent, so an error or a closed tab loses nothing.
 */
import type { Task } from '@medplum/fhirtypes';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { useUser } from '../../../auth/auth-context.tsx';
import { DraftNotice } from '../../../auth/draft-notice.tsx';
import { useDraft } from '../../../auth/use-draft.ts';
import { CORRECTION_TOKEN, correctionRequest, correctionsByItem, stateOf, type CorrectableItem, type CorrectionState } from '../../../corrections/correction-requests.ts';
import { Button, Dialog, ErrorState, TextField } from '../../../design/index.ts';
import { errorAdvice, errorMessage } from '../../../fhir/fhir-client.ts';
import { useFhir } from '../../../fhir/fhir-context.tsx';
import { matches, useSearch } from '../../../fhir/queries.ts';
import './corrections.css';

/** The time the practice has to answer (HIPAA: 60 days, once extendable by 30). */
export const ANSWER_WITHIN = 'within 60 days';

const ASKED: Record<CorrectionState, string> = {
  waiting: 'You asked to correct this: waiting for an answer',
  accepted: 'You asked to correct this: accepted',
  denied: 'You asked to correct this: not accepted',
  withdrawn: 'You asked to correct this: withdrawn',
};

/** The patient's correction requests: one search for the whole page (and the corrections page). */
export function useCorrectionRequests(patientId: string, enabled = true) {
  return useSearch<Task>('Task', { patient: patientId, code: CORRECTION_TOKEN, _sort: '-authored-on', _count: 100 }, { enabled });
}

export function AskToCorrect({ item, patientId }: { item: CorrectableItem; patientId: string }) {
  const user = useUser();
  const [open, setOpen] = useState(false);
  // A limited proxy sees allergies and vaccinations but cannot ask to change them (the server refuses too).
  const allowed = !user.limited && user.fhirUser !== undefined;
  const requests = useCorrectionRequests(patientId, allowed);
  const newest = correctionsByItem(matches(requests.data)).get(item.reference)?.[0];
  if (!allowed) return null;
  return (
    <span className="portal-correct">
      {newest && (
        <Link to="/portal/corrections" className="portal-correct-asked">
          {ASKED[stateOf(newest)]}
        </Link>
      )}
      <Button size="sm" variant="quiet" onPress={() => setOpen(true)} aria-label={`Ask to correct this: ${item.display}`}>
        Ask to correct this
      </Button>
      {open && <AskDialog item={item} patientId={patientId} requester={user.fhirUser!} onClose={() => setOpen(false)} />}
    </span>
  );
}

interface Words {
  wrong: string;
  shouldSay: string;
}

function AskDialog({ item, patientId, requester, onClose }: { item: CorrectableItem; patientId: string; requester: string; onClose: () => void }) {
  const fhir = useFhir();
  const queryClient = useQueryClient();
  const draft = useDraft<Words>(`correction-${item.reference}`, patientId, { wrong: '', shouldSay: '' });
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<unknown>();
  const [sent, setSent] = useState<Task | undefined>();
  const [tried, setTried] = useState(false);
  const missing = draft.value.wrong.trim() === '';

  const send = async () => {
    setTried(true);
    if (missing) return;
    setSending(true);
    setError(undefined);
    try {
      const task = await fhir.create(correctionRequest(item, patientId, requester, draft.value.wrong, draft.value.shouldSay, new Date().toISOString()));
      draft.clear();
      setSent(task);
      await queryClient.invalidateQueries({ queryKey: ['fhir', 'Task'] });
    } catch (err) {
      setError(err);
    } finally {
      setSending(false);
    }
  };

  if (sent) {
    return (
      <Dialog title="Request sent" isOpen onOpenChange={(o) => !o && onClose()} actions={<Button variant="primary" onPress={onClose}>Close</Button>}>
        <p role="status">
          The practice will look at your request about <strong>{item.display}</strong> and answer {ANSWER_WITHIN}.
        </p>
        <p>
          <Link to="/portal/corrections">See your correction requests</Link>
        </p>
      </Dialog>
    );
  }
  return (
    <Dialog
      title="Ask to correct this"
      isOpen
      onOpenChange={(o) => !o && onClose()}
      actions={
        <>
          <Button onPress={onClose}>Cancel</Button>
          <Button variant="primary" isDisabled={sending} onPress={() => void send()}>
            {sending ? 'Sending…' : 'Send request'}
          </Button>
        </>
      }
    >
      <p className="portal-correct-item">
        About: <strong>{item.display}</strong>
      </p>
      <p className="portal-when">You have the right to ask your practice to correct your record. They will answer {ANSWER_WITHIN}.</p>
      <DraftNotice draft={draft} />
      {error !== undefined && <ErrorState title="Your request was not sent" message={errorMessage(error)} advice={errorAdvice(error)} />}
      <TextField
        label="What is wrong?"
        multiline
        isRequired
        value={draft.value.wrong}
        onChange={(wrong) => draft.setValue({ ...draft.value, wrong })}
        isInvalid={tried && missing}
        errorMessage="Say what is wrong, so the practice knows what to look at."
        autoFocus
      />
      <TextField label="What should it say? (optional)" multiline value={draft.value.shouldSay} onChange={(shouldSay) => draft.setValue({ ...draft.value, shouldSay })} />
    </Dialog>
  );
}
