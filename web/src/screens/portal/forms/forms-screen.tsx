import type { Practitioner, Questionnaire, Task } from '@medplum/fhirtypes';
import { useLocation } from 'react-router';
import { useUser } from '../../../auth/auth-context.tsx';
import { Badge, ButtonLink, EmptyState, ErrorState, Panel } from '../../../design/index.ts';
import { givenFirst } from '../../../fhir-format/patient.ts';
import { dateText } from '../../../fhir-format/values.ts';
import { matches, useRead, useSearch } from '../../../fhir/queries.ts';
import { QueryView } from '../../../fhir/query-view.tsx';
import { formCanonical, formDue, FORM_TASK_TOKEN, isOpenForm } from '../../../questionnaires/forms.ts';
import './forms.css';

/** The patient's form Tasks (sent by the practice), newest first. */
export function useFormTasks(patientId: string | undefined) {
  return useSearch<Task>('Task', { patient: patientId, code: FORM_TASK_TOKEN, _sort: '-_lastUpdated', _count: 100 }, { enabled: patientId !== undefined });
}

/** The practice's Questionnaire a form asks for (by its canonical; a version, if given, is the newest with that URL here too). */
export function useFormQuestionnaire(task: Task | undefined) {
  const url = task && formCanonical(task)?.split('|')[0];
  const found = useSearch<Questionnaire>('Questionnaire', { url, _count: 1, _sort: '-_lastUpdated' }, { enabled: url !== undefined });
  return { ...found, questionnaire: matches(found.data)[0] };
}

/**
 * `/portal/forms`: the forms the practice sent to fill before a visit (who sent each, by when) and
 * the ones already sent back. Filling one is `/portal/forms/:taskId`.
 */
export function FormsScreen() {
  const user = useUser();
  const patientId = user.patient;
  const forms = useFormTasks(user.limited ? undefined : patientId);
  if (!patientId) return <ErrorState title="No record is open" message="This sign-in is not for a patient's record." advice="Sign out and sign in again." />;
  return (
    <div className="portal-screen">
      <h1 className="portal-title">Forms</h1>
      {user.limited ? (
        <p className="portal-notice" role="note">
          Forms from the practice are part of the private record. The person they are for fills them in.
        </p>
      ) : (
        <QueryView query={forms} what="your forms">
          {(bundle) => {
            const all = matches(bundle);
            const open = all.filter(isOpenForm);
            const done = all.filter((t) => t.status === 'completed');
            return (
              <>
                <Panel title="To fill in">
                  {open.length === 0 ? (
                    <EmptyState title="Nothing to fill in.">When your care team sends you a form before a visit, it shows here.</EmptyState>
                  ) : (
                    <ul className="portal-list">
                      {open.map((t) => (
                        <FormRow key={t.id} task={t} />
                      ))}
                    </ul>
                  )}
                </Panel>
                <Panel title="Sent to your care team">
                  {done.length === 0 ? (
                    <EmptyState title="No forms sent yet.">Forms you send show here.</EmptyState>
                  ) : (
                    <ul className="portal-list">
                      {done.map((t) => (
                        <FormRow key={t.id} task={t} />
                      ))}
                    </ul>
                  )}
                </Panel>
              </>
            );
          }}
        </QueryView>
      )}
    </div>
  );
}

function FormRow({ task }: { task: Task }) {
  const { search } = useLocation();
  const { questionnaire } = useFormQuestionnaire(task);
  const title = questionnaire?.title ?? questionnaire?.name ?? 'Form';
  const due = formDue(task);
  const open = isOpenForm(task);
  const overdue = open && due !== undefined && due < new Date().toISOString().slice(0, 10);
  return (
    <li className="portal-form">
      <div className="portal-form-about">
        <p className="portal-result-head">
          <span>{title}</span>
          {task.status === 'in-progress' && <Badge tone="info">Started</Badge>}
          {task.status === 'completed' && <Badge tone="success">Sent</Badge>}
        </p>
        <p className="portal-result-meta">
          From <Sender task={task} />
          {task.authoredOn && <> · {dateText(task.authoredOn)}</>}
        </p>
        {open && due && <p className={overdue ? 'portal-form-due portal-form-overdue' : 'portal-form-due'}>{overdue ? `Was wanted by ${dateText(due)}: please fill it in now` : `Please fill in by ${dateText(due)}`}</p>}
        {!open && task.status === 'completed' && <p className="portal-result-meta">Sent {dateText(task.lastModified ?? task.meta?.lastUpdated)}</p>}
      </div>
      {open && (
        <ButtonLink href={`/portal/forms/${task.id}${search}`} variant={task.status === 'in-progress' ? 'secondary' : 'primary'} aria-label={`${task.status === 'in-progress' ? 'Continue' : 'Fill in'} ${title}`}>
          {task.status === 'in-progress' ? 'Continue' : 'Fill in'}
        </ButtonLink>
      )}
    </li>
  );
}

/** Who sent the form: the clinician's name, else "your care team". */
export function Sender({ task }: { task: Task }) {
  const ref = task.requester?.reference;
  const id = ref?.startsWith('Practitioner/') ? ref.slice('Practitioner/'.length) : undefined;
  const practitioner = useRead<Practitioner>('Practitioner', id).data;
  const name = practitioner?.name?.[0];
  if (!practitioner || !name) return <>{task.requester?.display ?? 'your care team'}</>;
  return <>{[name.prefix?.[0], givenFirst([name])].filter(Boolean).join(' ')}</>;
}

/** On My health: a short line when forms are waiting, leading to them. Nothing otherwise (not even while loading). */
export function FormsWaitingHint({ patientId }: { patientId: string }) {
  const { search } = useLocation();
  const forms = useFormTasks(patientId);
  const waiting = matches(forms.data).filter(isOpenForm).length;
  if (waiting === 0) return null;
  return (
    <p className="portal-notice portal-forms-hint" role="note">
      <span>
        {waiting === 1 ? 'Your care team sent you a form to fill in.' : `Your care team sent you ${waiting} forms to fill in.`}
      </span>
      <ButtonLink href={`/portal/forms${search}`} variant="secondary" size="sm">
        {waiting === 1 ? 'Fill it in' : 'See forms'}
      </ButtonLink>
    </p>
  );
}
