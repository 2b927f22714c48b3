import type { Bundle, BundleEntry, Questionnaire, QuestionnaireResponse, Task } from '@medplum/fhirtypes';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useLocation, useParams } from 'react-router';
import { useUser } from '../../../auth/auth-context.tsx';
import { DraftNotice } from '../../../auth/draft-notice.tsx';
import { useDraft } from '../../../auth/use-draft.ts';
import { Button, ButtonLink, ErrorState, LoadingSkeleton } from '../../../design/index.ts';
import { dateText } from '../../../fhir-format/values.ts';
import { errorAdvice, errorMessage } from '../../../fhir/fhir-client.ts';
import { useFhir } from '../../../fhir/fhir-context.tsx';
import { useRead } from '../../../fhir/queries.ts';
import { answersOf, formDue, formOutput, formQuestionsOf, formResponse, formResponseId, isOpenForm, missingAnswers } from '../../../questionnaires/forms.ts';
import { QuestionList } from '../../../questionnaires/question-list.tsx';
import type { Answers } from '../../../questionnaires/screening.ts';
import { Sender, useFormQuestionnaire } from './forms-screen.tsx';
import './forms.css';

/**
 * `/portal/forms/:taskId`: one form, filled on a phone. Every answer is kept in this browser as
 * it is typed (a draft); "Save and finish later" stores the answers as in progress on the server
 * (the form then shows as started, on any device); "Send" files them as completed with the form
 * marked done, in one transaction — the server scores a PHQ-9 or GAD-7 and refuses one with a
 * question unanswered. Nothing typed is lost on an error.
 */
export function FormFillScreen() {
  const { taskId } = useParams();
  const { search } = useLocation();
  const task = useRead<Task>('Task', taskId);
  const { questionnaire, ...found } = useFormQuestionnaire(task.data);
  const savedId = task.data && formResponseId(task.data);
  const saved = useRead<QuestionnaireResponse>('QuestionnaireResponse', savedId);
  const shown = useRef(false);
  const back = (
    <p className="portal-form-back">
      <ButtonLink href={`/portal/forms${search}`} variant="secondary">
        Back to forms
      </ButtonLink>
    </p>
  );
  const failed = task.error ?? found.error ?? saved.error;
  if (failed) {
    return (
      <div className="portal-screen">
        <h1 className="portal-title">Form</h1>
        <ErrorState title="Could not open this form" message={errorMessage(failed)} advice={errorAdvice(failed)} onRetry={() => void Promise.all([task.refetch(), found.refetch(), saved.refetch()])} />
        {back}
      </div>
    );
  }
  // Once the form is open it stays: a refetch after saving (the Task now points at the saved
  // answers, which are then read) must not replace it with a skeleton and lose its state.
  if (!shown.current && (!task.data || found.isPending || (savedId !== undefined && !saved.data))) {
    return (
      <div className="portal-screen">
        <h1 className="portal-title">Form</h1>
        <LoadingSkeleton lines={6} label="Loading the form" />
      </div>
    );
  }
  if (!questionnaire || !task.data) {
    return (
      <div className="portal-screen">
        <h1 className="portal-title">Form</h1>
        <ErrorState title="This form is no longer available" message="The practice no longer offers the questions of this form." advice="Send your care team a message if you think it should be here." />
        {back}
      </div>
    );
  }
  shown.current = true;
  return <FillForm key={task.data.id} task={task.data} questionnaire={questionnaire} saved={saved.data} back={back} />;
}

type Outcome = 'saved' | 'sent';

function FillForm({ task, questionnaire, saved, back }: { task: Task; questionnaire: Questionnaire; saved: QuestionnaireResponse | undefined; back: ReactNode }) {
  const fhir = useFhir();
  const user = useUser();
  const queryClient = useQueryClient();
  const patientId = task.for!.reference!.slice('Patient/'.length);
  const title = questionnaire.title ?? questionnaire.name ?? 'Form';
  const questions = formQuestionsOf(questionnaire);
  // Answers saved on the server are the starting point; what was typed here since is kept on top.
  const draft = useDraft<Answers>(`portal-form.${task.id}`, patientId, answersOf(saved));
  const answers = draft.value;
  const [missing, setMissing] = useState<ReadonlySet<string>>(new Set());
  const [responseId, setResponseId] = useState(saved?.id);
  const open = isOpenForm(task);
  const due = formDue(task);

  const write = useMutation({
    mutationFn: async (status: 'in-progress' | 'completed'): Promise<Outcome> => {
      if (!user.fhirUser) throw new Error('This account is not linked to your record, so it cannot fill in forms.');
      const current = await fhir.read<Task>('Task', task.id!);
      const response = formResponse(questionnaire, answers, { patientId, author: user.fhirUser, status, now: new Date(), ...(responseId ? { id: responseId } : {}) });
      const responseUrl = responseId ? `QuestionnaireResponse/${responseId}` : 'urn:uuid:' + crypto.randomUUID();
      const entry: BundleEntry[] = [
        responseId
          ? { resource: response, request: { method: 'PUT', url: responseUrl } }
          : { fullUrl: responseUrl, resource: response, request: { method: 'POST', url: 'QuestionnaireResponse' } },
        { resource: { ...current, status: status === 'completed' ? 'completed' : 'in-progress', output: formOutput(responseUrl) }, request: { method: 'PUT', url: `Task/${task.id}` } },
      ];
      // The answers and the form's status together, or neither.
      const result = await fhir.transaction({ resourceType: 'Bundle', type: 'transaction', entry } as Bundle);
      const location = result.entry?.[0]?.response?.location;
      const id = location?.match(/QuestionnaireResponse\/([^/]+)/)?.[1];
      if (id) setResponseId(id);
      return status === 'completed' ? 'sent' : 'saved';
    },
    onSuccess: async (outcome) => {
      // The server holds the answers now; the local copy is only needed again for new typing.
      if (outcome === 'sent') draft.clear();
      await Promise.all([queryClient.invalidateQueries({ queryKey: ['fhir', 'Task'] }), queryClient.invalidateQueries({ queryKey: ['fhir', 'QuestionnaireResponse'] })]);
    },
  });

  const doneRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (write.data === 'sent') doneRef.current?.focus();
  }, [write.data]);

  if (write.data === 'sent' || !open) {
    return (
      <div className="portal-screen">
        <h1 className="portal-title">{title}</h1>
        <div className="portal-form-done" role="status" tabIndex={-1} ref={doneRef}>
          <p>
            <strong>{write.data === 'sent' ? 'Sent. Thank you.' : task.status === 'completed' ? 'You sent this form.' : 'This form is closed.'}</strong>
          </p>
          <p>{task.status === 'cancelled' ? 'Your care team no longer needs it.' : 'Your care team will see your answers before your visit.'}</p>
        </div>
        <NotReadAtOnce />
        {back}
      </div>
    );
  }

  const send = () => {
    const left = missingAnswers(questions, answers);
    setMissing(new Set(left.map((q) => q.linkId)));
    if (left.length === 0) write.mutate('completed');
  };
  const left = missingAnswers(questions, answers);
  const answered = questions.filter((q) => answers[q.linkId]?.trim()).length;

  return (
    <div className="portal-screen">
      <h1 className="portal-title">{title}</h1>
      <p className="portal-result-meta">
        From <Sender task={task} />
        {due && <> · please fill in by {dateText(due)}</>}
      </p>
      <form
        className="portal-form-fill"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <DraftNotice draft={draft} />
        <NotReadAtOnce />
        {questionnaire.description && <p className="portal-form-stem">{questionnaire.description}</p>}
        <QuestionList
          layout="touch"
          questions={questions}
          answers={answers}
          missing={missing}
          onAnswer={(linkId, value) => {
            draft.setValue({ ...answers, [linkId]: value });
            write.reset();
          }}
        />
        {missing.size > 0 && left.length > 0 && (
          <p className="portal-form-missing" role="alert">
            Please answer {left.length === 1 ? 'question' : 'questions'} {left.map((q) => q.number).join(', ')} before sending.
          </p>
        )}
        {write.data === 'saved' && (
          <p className="portal-form-saved" role="status">
            Saved. You can finish it later, on this or another device.
          </p>
        )}
        {write.isError && <ErrorState title={write.variables === 'completed' ? 'Your form was not sent' : 'Your answers were not saved'} message={errorMessage(write.error)} advice={`${errorAdvice(write.error)} Your answers are kept on this device.`} />}
        <div className="portal-form-actions">
          <span className="muted" aria-live="polite">
            {answered} of {questions.length} answered
          </span>
          <Button type="button" variant="secondary" isDisabled={write.isPending} onPress={() => write.mutate('in-progress')}>
            {write.isPending && write.variables === 'in-progress' ? 'Saving…' : 'Save and finish later'}
          </Button>
          <Button type="submit" variant="primary" isDisabled={write.isPending}>
            {write.isPending && write.variables === 'completed' ? 'Sending…' : 'Send to my care team'}
          </Button>
        </div>
      </form>
      {back}
    </div>
  );
}

/**
 * Forms are read before the visit, not as they arrive: a patient who needs help now (a PHQ-9's
 * item 9 asks about self-harm) is told where to get it, on every form.
 */
function NotReadAtOnce() {
  return (
    <p className="portal-form-urgent" role="note">
      Your answers are not read right away. If you need help now, call the practice. In an emergency, call 911. If you are thinking about hurting yourself, call or text 988 (Suicide &amp; Crisis Lifeline), any time.
    </p>
  );
}
