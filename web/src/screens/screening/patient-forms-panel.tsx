import type { Observation, Patient, Questionnaire, QuestionnaireResponse, Task } from '@medplum/fhirtypes';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useUser } from '../../auth/auth-context.tsx';
import { checkSameChart } from '../../clinical-lists/entry-context.ts';
import { Badge, Button, EmptyState, ErrorState, Panel, Select, TextField } from '../../design/index.ts';
import { dateText } from '../../fhir-format/values.ts';
import { errorAdvice, errorMessage } from '../../fhir/fhir-client.ts';
import { useFhir } from '../../fhir/fhir-context.tsx';
import { matches, useRead, useSearch } from '../../fhir/queries.ts';
import { QueryView } from '../../fhir/query-view.tsx';
import { answersOf, formCanonical, formDue, formQuestionsOf, formResponseId, formTask, FORM_TASK_TOKEN, isPatientEntered } from '../../questionnaires/forms.ts';
import { bandTone, scoreView } from '../../questionnaires/screening.ts';
import { useParams } from 'react-router';

const STATUS: Record<string, { text: string; tone: 'neutral' | 'info' | 'success' | 'warning' }> = {
  requested: { text: 'Waiting for the patient', tone: 'neutral' },
  'in-progress': { text: 'Started by the patient', tone: 'info' },
  completed: { text: 'Filled in', tone: 'success' },
  cancelled: { text: 'Cancelled', tone: 'warning' },
};

/**
 * The forms sent to this patient to fill in the portal (docs/questionnaires.md#forms-sent-to-the-patient):
 * send one (the practice's questionnaires: intake, PHQ-9 …, with a date it is wanted by), see
 * where each stands, and read the answers the patient filed — marked as entered by the patient,
 * with the server's score for a scored one.
 */
export function PatientFormsPanel({ patient, questionnaires }: { patient: Patient; questionnaires: readonly Questionnaire[] }) {
  const tasks = useSearch<Task>('Task', { patient: patient.id!, code: FORM_TASK_TOKEN, _sort: '-_lastUpdated', _count: 50 });
  const fillable = questionnaires.filter((q) => q.status === 'active' && formQuestionsOf(q).length > 0);
  return (
    <Panel title="Forms for the patient to fill in" level={3}>
      <SendForm patient={patient} questionnaires={fillable} />
      <QueryView query={tasks} what="forms sent" isEmpty={(b) => matches(b).length === 0} empty={<EmptyState title="No form sent to this patient yet.">They fill in a form sent here in the patient portal, before the visit.</EmptyState>}>
        {(bundle) => (
          <ul className="patient-forms">
            {matches(bundle).map((t) => (
              <SentForm key={t.id} task={t} questionnaires={questionnaires} />
            ))}
          </ul>
        )}
      </QueryView>
    </Panel>
  );
}

function SendForm({ patient, questionnaires }: { patient: Patient; questionnaires: readonly Questionnaire[] }) {
  const fhir = useFhir();
  const user = useUser();
  const queryClient = useQueryClient();
  const { patientId: onScreen } = useParams();
  const [chosen, setChosen] = useState<string | undefined>();
  const [due, setDue] = useState('');
  const send = useMutation({
    mutationFn: async (questionnaire: Questionnaire) => {
      checkSameChart(patient.id!, onScreen);
      return fhir.create(formTask({ questionnaire, patientId: patient.id!, requester: user.fhirUser, due: due || undefined, now: new Date() }));
    },
    onSuccess: async () => {
      setChosen(undefined);
      setDue('');
      await queryClient.invalidateQueries({ queryKey: ['fhir', 'Task'] });
    },
  });
  const questionnaire = questionnaires.find((q) => q.id === chosen);
  return (
    <form
      className="patient-forms-send"
      onSubmit={(e) => {
        e.preventDefault();
        if (questionnaire) send.mutate(questionnaire);
      }}
    >
      <Select
        label="Form"
        placeholder="Choose a form"
        options={questionnaires.map((q) => ({ id: q.id!, label: q.title ?? q.name ?? q.url ?? q.id! }))}
        selectedKey={chosen ?? null}
        onSelectionChange={(key) => {
          setChosen(key);
          send.reset();
        }}
      />
      <TextField label="Fill in by (optional)" type="date" value={due} onChange={setDue} />
      <Button type="submit" variant="primary" isDisabled={!questionnaire || send.isPending}>
        {send.isPending ? 'Sending…' : 'Send to the patient'}
      </Button>
      {send.isSuccess && (
        <p className="patient-forms-sent" role="status">
          Sent. The patient sees it under Forms in the portal.
        </p>
      )}
      {send.isError && <ErrorState title="The form was not sent" message={errorMessage(send.error)} advice={errorAdvice(send.error)} />}
    </form>
  );
}

function SentForm({ task, questionnaires }: { task: Task; questionnaires: readonly Questionnaire[] }) {
  const url = formCanonical(task)?.split('|')[0];
  const questionnaire = questionnaires.find((q) => q.url === url);
  const title = questionnaire?.title ?? questionnaire?.name ?? url ?? 'Form';
  const status = STATUS[task.status] ?? { text: task.status, tone: 'neutral' as const };
  const responseId = task.status === 'completed' ? formResponseId(task) : undefined;
  const due = formDue(task);
  return (
    <li className="patient-form">
      <p className="patient-form-head">
        <strong>{title}</strong> <Badge tone={status.tone}>{status.text}</Badge>
        <span className="muted">
          sent {dateText(task.authoredOn)}
          {due && task.status !== 'completed' && `, wanted by ${dateText(due)}`}
        </span>
      </p>
      {responseId && <FiledAnswers responseId={responseId} questionnaire={questionnaire} />}
    </li>
  );
}

/** The answers the patient sent, with who entered them and, for a scored form, the server's score. */
function FiledAnswers({ responseId, questionnaire }: { responseId: string; questionnaire: Questionnaire | undefined }) {
  const response = useRead<QuestionnaireResponse>('QuestionnaireResponse', responseId);
  const scores = useSearch<Observation>('Observation', { 'derived-from': `QuestionnaireResponse/${responseId}`, 'status:not': 'entered-in-error' });
  const score = matches(scores.data)[0];
  const view = score && scoreView(score);
  return (
    <QueryView query={response} what="the patient's answers" skeletonLines={2}>
      {(r) => {
        const answers = answersOf(r);
        const questions = questionnaire ? formQuestionsOf(questionnaire) : [];
        return (
          <div className="patient-form-answers">
            <p className="patient-form-meta">
              {isPatientEntered(r.author) ? <Badge tone="info">Entered by the patient</Badge> : <Badge>Entered by staff</Badge>} <span className="muted">{dateText(r.authored ?? r.meta?.lastUpdated, true)}</span>
              {view && (
                <span className="patient-form-score">
                  Score <strong className="screening-total">{view.total}</strong> {view.band && <Badge tone={bandTone(view.bandCode)}>{view.band}</Badge>}
                </span>
              )}
            </p>
            {view?.flags.map((f) => (
              <p key={f} className="screening-flag">
                <Badge tone="danger">Flag</Badge> {f}
              </p>
            ))}
            <details>
              <summary>Answers</summary>
              <dl className="patient-form-list">
                {(questions.length > 0 ? questions : (r.item ?? []).map((i, n) => ({ linkId: i.linkId, number: n + 1, text: i.text ?? i.linkId, options: [], kind: 'text' as const, required: false }))).map((q) => {
                  const value = answers[q.linkId];
                  const shown = q.options.find((o) => o.code === value)?.display ?? value;
                  return (
                    <div key={q.linkId}>
                      <dt>
                        {q.number}. {q.text}
                      </dt>
                      <dd>{shown ?? <span className="muted">Not answered</span>}</dd>
                    </div>
                  );
                })}
              </dl>
            </details>
          </div>
        );
      }}
    </QueryView>
  );
}
