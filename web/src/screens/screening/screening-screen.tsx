import type { Bundle, Observation, Patient, Questionnaire } from '@medplum/fhirtypes';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Radio, RadioGroup, Label } from 'react-aria-components';
import { useParams } from 'react-router';
import { useUser } from '../../auth/auth-context.tsx';
import { DraftNotice } from '../../auth/draft-notice.tsx';
import { useDraft } from '../../auth/use-draft.ts';
import { checkSameChart, WrongPatientError } from '../../clinical-lists/entry-context.ts';
import { Badge, Button, EmptyState, ErrorState, Panel } from '../../design/index.ts';
import { dateText } from '../../fhir-format/values.ts';
import { errorAdvice, errorMessage } from '../../fhir/fhir-client.ts';
import { useFhir } from '../../fhir/fhir-context.tsx';
import { matches, useSearch } from '../../fhir/queries.ts';
import { QueryView } from '../../fhir/query-view.tsx';
import { isPatientEntered } from '../../questionnaires/forms.ts';
import { QuestionList } from '../../questionnaires/question-list.tsx';
import { PatientFormsPanel } from './patient-forms-panel.tsx';
import { bandTone, isScreening, lowestBand, questionsOf, responseFrom, scoreCodeOf, scoreView, unanswered, type Answers } from '../../questionnaires/screening.ts';
import { ListPage } from '../lists/list-page.tsx';
import { TrendPlot } from '../trend-plot/trend-plot.tsx';
import './screening.css';
import { DialogPatient } from '../lists/dialog-patient.tsx';

/**
 * `/patients/:patientId/screening`: the practice's scored questionnaires (PHQ-9, GAD-7 …). Pick
 * one, answer it (kept as a draft of this chart until saved), save: the server scores it and saves
 * the answers and the score together; the score, its band, any flagged answer and the trend of
 * past scores are shown.
 */
export function ScreeningScreen() {
  const { patientId } = useParams();
  const questionnaires = useSearch<Questionnaire>('Questionnaire', { status: 'active', _count: 50, _sort: 'title' });
  const [chosen, setChosen] = useState<string | undefined>();
  if (!patientId) return null;
  return (
    <ListPage patientId={patientId} title="Screening">
      {(patient) => (
        <>
          <QueryView
            query={questionnaires}
            what="questionnaires"
            isEmpty={(b) => matches(b).filter(isScreening).length === 0}
            empty={
              <EmptyState title="This practice has no screening questionnaires yet.">
                <p>An administrator adds PHQ-9 and GAD-7 with `heron practice load-content`.</p>
              </EmptyState>
            }
          >
            {(bundle) => {
              const list = matches(bundle).filter(isScreening);
              const current = list.find((q) => q.id === chosen) ?? list[0]!;
              return (
                <>
                  <RadioGroup className="screening-choice" orientation="horizontal" value={current.id!} onChange={setChosen}>
                    <Label className="screening-choice-label">Questionnaire</Label>
                    {list.map((q) => (
                      <Radio key={q.id} value={q.id!} className="question-option">
                        {q.title ?? q.name}
                      </Radio>
                    ))}
                  </RadioGroup>
                  <ScoreHistory key={`history-${current.id}`} patientId={patientId} questionnaire={current} />
                  <AnswerForm key={`form-${current.id}`} patient={patient} questionnaire={current} />
                  <PatientFormsPanel patient={patient} questionnaires={matches(bundle)} />
                </>
              );
            }}
          </QueryView>
        </>
      )}
    </ListPage>
  );
}

function ScoreHistory({ patientId, questionnaire }: { patientId: string; questionnaire: Questionnaire }) {
  const code = scoreCodeOf(questionnaire)!;
  const title = questionnaire.title ?? questionnaire.name ?? 'Score';
  // The lowest band (minimal) is the reference range; a score above it is marked on the trend.
  const range = lowestBand(questionnaire);
  const scores = useSearch<Observation>('Observation', { patient: patientId, code: `${code.system}|${code.code}`, _sort: '-date', _count: 50 });
  return (
    <Panel title={`${title}: scores`} level={3}>
      <QueryView query={scores} what={`${title} scores`} isEmpty={(b) => matches(b).length === 0} empty={<EmptyState title={`No ${title} score recorded yet.`}>Answer it below: it is scored when saved.</EmptyState>}>
        {(bundle) => {
          const list = matches(bundle).filter((o) => o.status !== 'entered-in-error' && o.valueQuantity?.value !== undefined);
          const latest = list[0] && scoreView(list[0]);
          return (
            <div className="screening-history">
              {latest && (
                <p className="screening-latest">
                  Latest: <strong className="screening-total">{latest.total}</strong> {latest.band && <Badge tone={bandTone(latest.bandCode)}>{latest.band}</Badge>} <span className="muted">{dateText(latest.when)}</span>
                  {isPatientEntered(list[0]!.performer?.[0]) && <Badge tone="info">Entered by the patient</Badge>}
                </p>
              )}
              {latest?.flags.map((f) => (
                <p key={f} className="screening-flag">
                  <Badge tone="danger">Flag</Badge> {f}
                </p>
              ))}
              {list.length > 0 && (
                <TrendPlot
                  measure={`${title} total score`}
                  unit="points"
                  range={range}
                  points={list.map((o) => ({ id: o.id!, when: o.effectiveDateTime ?? o.issued ?? '', value: o.valueQuantity!.value!, flag: range && o.valueQuantity!.value! > range.high ? ('high' as const) : ('normal' as const) }))}
                />
              )}
            </div>
          );
        }}
      </QueryView>
    </Panel>
  );
}

interface Saved {
  score: Observation | undefined;
}

function AnswerForm({ patient, questionnaire }: { patient: Patient; questionnaire: Questionnaire }) {
  const fhir = useFhir();
  const user = useUser();
  const queryClient = useQueryClient();
  const { patientId: onScreen } = useParams();
  const openedFor = patient.id!;
  const draft = useDraft<Answers>(`screening.${questionnaire.id}`, openedFor, {});
  const [missing, setMissing] = useState<number[]>([]);
  const questions = questionsOf(questionnaire);
  const answers = draft.value;
  const answeredCount = questions.length - unanswered(questions, answers).length;
  const title = questionnaire.title ?? questionnaire.name ?? 'Questionnaire';

  const save = useMutation({
    mutationFn: async (): Promise<Saved> => {
      checkSameChart(openedFor, onScreen);
      const response = responseFrom(questionnaire, answers, { patientId: openedFor, ...(user.fhirUser ? { fhirUser: user.fhirUser } : {}), now: new Date() });
      // The server scores the answers; the transaction it answers saves both, or neither.
      const bundle = await fhir.invoke<Bundle>('QuestionnaireResponse', 'extract', response);
      const saved = await fhir.transaction(bundle);
      const scoreEntry = bundle.entry?.findIndex((e) => e.resource?.resourceType === 'Observation') ?? -1;
      const location = scoreEntry >= 0 ? saved.entry?.[scoreEntry]?.response?.location : undefined;
      const id = location?.match(/Observation\/([^/]+)/)?.[1];
      return { score: id ? await fhir.read<Observation>('Observation', id) : undefined };
    },
    onSuccess: async () => {
      // The answers are saved: the form starts empty again, the score stays shown above it.
      draft.discard();
      setMissing([]);
      await Promise.all([queryClient.invalidateQueries({ queryKey: ['fhir', 'Observation'] }), queryClient.invalidateQueries({ queryKey: ['fhir', 'QuestionnaireResponse'] })]);
    },
  });

  const submit = () => {
    const left = unanswered(questions, answers).map((q) => q.number);
    setMissing(left);
    if (left.length === 0) save.mutate();
  };
  const result = save.data?.score && scoreView(save.data.score);
  const resultRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (save.data) resultRef.current?.focus();
  }, [save.data]);

  return (
    <Panel title={`Answer ${title}`} level={3}>
      <form
        className="screening-form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <DialogPatient patient={patient} />
        <DraftNotice draft={draft} />
        {result && (
          <div className="screening-result" role="status" ref={resultRef} tabIndex={-1}>
            <p>
              Saved. {title} score <strong className="screening-total">{result.total}</strong> {result.band && <Badge tone={bandTone(result.bandCode)}>{result.band}</Badge>}
            </p>
            {result.flags.map((f) => (
              <p key={f} className="screening-flag">
                <Badge tone="danger">Flag</Badge> {f}
              </p>
            ))}
          </div>
        )}
        {questionnaire.description && <p className="screening-stem">{questionnaire.description}</p>}
        <QuestionList
          questions={questions}
          answers={answers}
          onAnswer={(linkId, code) => {
            draft.setValue({ ...answers, [linkId]: code });
            save.reset();
          }}
          missing={new Set(questions.filter((q) => missing.includes(q.number)).map((q) => q.linkId))}
        />
        {missing.length > 0 && unanswered(questions, answers).length > 0 && (
          <p className="screening-missing" role="alert">
            Answer every question to score it: {unanswered(questions, answers).map((q) => q.number).join(', ')} {unanswered(questions, answers).length === 1 ? 'is' : 'are'} not answered yet.
          </p>
        )}
        {save.isError && (
          <ErrorState
            title={save.error instanceof WrongPatientError ? 'Not saved: this is not the chart the answers were started in' : `The ${title} was not saved`}
            message={errorMessage(save.error)}
            advice={`${errorAdvice(save.error)} Your answers are kept.`}
          />
        )}
        <div className="screening-actions">
          <span className="muted" aria-live="polite">
            {answeredCount} of {questions.length} answered
          </span>
          <Button type="submit" variant="primary" isDisabled={save.isPending}>
            {save.isPending ? 'Scoring…' : 'Save and score'}
          </Button>
        </div>
      </form>
    </Panel>
  );
}
