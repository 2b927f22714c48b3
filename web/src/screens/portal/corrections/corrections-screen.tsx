/**
 * `/portal/corrections` (no tab; linked from My health and Privacy): the patient's requests to
 * correct their record, each with its state and the practice's answer — what was changed, or why
 * not — and, for a denial, the patient's right to file a statement of disagreement, which is kept
 * with the record (a message about the request: web/src/corrections/correction-requests.ts).
 */
import type { Communication, Task } from '@medplum/fhirtypes';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { useUser } from '../../../auth/auth-context.tsx';
import { DraftNotice } from '../../../auth/draft-notice.tsx';
import { useDraft } from '../../../auth/use-draft.ts';
import { answerOf, DISAGREEMENT_TOKEN, proposedWording, stateOf, statementOfDisagreement, statementsByRequest, type CorrectionState } from '../../../corrections/correction-requests.ts';
import { Badge, Button, EmptyState, ErrorState, Panel, TextField, type BadgeTone } from '../../../design/index.ts';
import { dateText } from '../../../fhir-format/values.ts';
import { errorAdvice, errorMessage } from '../../../fhir/fhir-client.ts';
import { useFhir } from '../../../fhir/fhir-context.tsx';
import { matches, useSearch } from '../../../fhir/queries.ts';
import { QueryView } from '../../../fhir/query-view.tsx';
import { ANSWER_WITHIN, useCorrectionRequests } from './ask-correction.tsx';

const STATE_LABELS: Record<CorrectionState, { label: string; tone: BadgeTone }> = {
  waiting: { label: 'Waiting for an answer', tone: 'info' },
  accepted: { label: 'Accepted', tone: 'success' },
  denied: { label: 'Denied', tone: 'warning' },
  withdrawn: { label: 'Withdrawn', tone: 'neutral' },
};

export function CorrectionsScreen() {
  const user = useUser();
  const patientId = user.patient;
  if (!patientId) return <ErrorState title="No record is open" message="This sign-in is not for a patient's record." advice="Sign out and sign in again." />;
  return (
    <div className="portal-screen">
      <h1 className="portal-title">Correction requests</h1>
      <p className="portal-intro">
        You can ask your practice to correct something in your record: choose “Ask to correct this” next to it on <Link to="/portal">My health</Link>. The practice answers {ANSWER_WITHIN}.
      </p>
      {user.limited ? (
        <p className="portal-notice" role="note">
          Correction requests are part of the private record.
        </p>
      ) : (
        <Requests patientId={patientId} />
      )}
    </div>
  );
}

function Requests({ patientId }: { patientId: string }) {
  const requests = useCorrectionRequests(patientId);
  const statements = useSearch<Communication>('Communication', { patient: patientId, category: DISAGREEMENT_TOKEN, _count: 100 });
  const byRequest = statementsByRequest(matches(statements.data));
  return (
    <QueryView query={requests} what="your correction requests" isEmpty={(b) => matches(b).length === 0} empty={<EmptyState title="You have not asked for any corrections." />}>
      {(bundle) => (
        <ul className="portal-corrections" aria-label="Your correction requests">
          {matches(bundle).map((task) => (
            <RequestCard key={task.id} task={task} statements={byRequest.get(`Task/${task.id}`) ?? []} statementsReady={statements.isSuccess} patientId={patientId} />
          ))}
        </ul>
      )}
    </QueryView>
  );
}

function RequestCard({ task, statements, statementsReady, patientId }: { task: Task; statements: Communication[]; statementsReady: boolean; patientId: string }) {
  const state = stateOf(task);
  const item = task.focus?.display ?? 'An item of your record';
  const proposed = proposedWording(task);
  return (
    <li className="portal-correction" data-testid="correction">
      <Panel title={item}>
        <p className="portal-correction-state">
          <Badge tone={STATE_LABELS[state].tone}>{STATE_LABELS[state].label}</Badge>
          <span className="portal-when"> Asked {dateText(task.authoredOn)}</span>
        </p>
        <dl className="portal-correction-words">
          <dt>What you said is wrong</dt>
          <dd>{task.description}</dd>
          {proposed && (
            <>
              <dt>What you said it should say</dt>
              <dd>{proposed}</dd>
            </>
          )}
          {state === 'accepted' && (
            <>
              <dt>What the practice changed</dt>
              <dd>{answerOf(task) || 'Your record was corrected.'}</dd>
            </>
          )}
          {state === 'denied' && (
            <>
              <dt>Why the practice did not change it</dt>
              <dd>{answerOf(task)}</dd>
            </>
          )}
        </dl>
        {state === 'denied' && statementsReady && <Disagreement task={task} statements={statements} patientId={patientId} />}
      </Panel>
    </li>
  );
}

/** A denied request: the patient's right to disagree in writing, and what they filed. */
function Disagreement({ task, statements, patientId }: { task: Task; statements: Communication[]; patientId: string }) {
  const user = useUser();
  const fhir = useFhir();
  const queryClient = useQueryClient();
  const draft = useDraft(`disagreement-${task.id}`, patientId, '');
  const [writing, setWriting] = useState(draft.value !== '');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<unknown>();
  if (statements.length > 0) {
    return (
      <div className="portal-disagreement">
        <h3>Your statement of disagreement</h3>
        {statements.map((s) => (
          <p key={s.id}>
            {s.payload?.find((p) => p.contentString)?.contentString} <span className="portal-when">· {dateText(s.sent)}</span>
          </p>
        ))}
        <p className="portal-when">It is kept with this part of your record, and the practice has been told.</p>
      </div>
    );
  }
  const send = async () => {
    if (draft.value.trim() === '' || user.fhirUser === undefined) return;
    setSending(true);
    setError(undefined);
    try {
      await fhir.create(statementOfDisagreement(task, user.fhirUser, draft.value, new Date().toISOString()));
      draft.clear();
      setWriting(false);
      await queryClient.invalidateQueries({ queryKey: ['fhir', 'Communication'] });
    } catch (err) {
      setError(err);
    } finally {
      setSending(false);
    }
  };
  return (
    <div className="portal-disagreement">
      <p>If you disagree, you can write a statement of disagreement. It is kept with this part of your record, and the practice is told.</p>
      {writing ? (
        <>
          <DraftNotice draft={draft} />
          {error !== undefined && <ErrorState title="Your statement was not sent" message={errorMessage(error)} advice={errorAdvice(error)} />}
          <TextField label="Your statement of disagreement" multiline value={draft.value} onChange={draft.setValue} autoFocus />
          <div className="portal-actions">
            <Button variant="primary" isDisabled={sending || draft.value.trim() === ''} onPress={() => void send()}>
              {sending ? 'Sending…' : 'Add my statement'}
            </Button>
            <Button variant="quiet" onPress={() => setWriting(false)}>
              Not now
            </Button>
          </div>
        </>
      ) : (
        <Button onPress={() => setWriting(true)}>Write a statement of disagreement</Button>
      )}
    </div>
  );
}
