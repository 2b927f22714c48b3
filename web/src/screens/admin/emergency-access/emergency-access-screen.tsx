import { useState, type FormEvent } from 'react';
import { Form } from 'react-aria-components';
import { useDraft } from '../../../auth/use-draft.ts';
import { Badge, Button, EmptyState, LoadingSkeleton, Panel, Select, TextField } from '../../../design/index.ts';
import { errorMessage } from '../../../fhir/fhir-client.ts';
import { QueryView } from '../../../fhir/query-view.tsx';
import { dateText } from '../../../fhir-format/values.ts';
import { accessesOf, useEmergencyAccesses, useOpenedRecords, useReview, type EmergencyAccess, type ReviewFilter, type Verdict } from './emergency-access-data.ts';
import './emergency-access.css';

const FILTERS = [
  { id: 'unreviewed', label: 'Waiting for review' },
  { id: 'reviewed', label: 'Reviewed' },
  { id: 'all', label: 'All, waiting first' },
];
const VERDICTS = [
  { id: 'appropriate', label: 'Appropriate' },
  { id: 'inappropriate', label: 'Not appropriate' },
];

/**
 * `/administration/emergency-access`: every break-the-glass access, waiting ones first, with who,
 * which patient, the reason and what the grant opened; the administrator records a verdict and a
 * note, which the audit trail keeps as a new entry beside the access.
 */
export function EmergencyAccessScreen() {
  const [filter, setFilter] = useState<ReviewFilter>('unreviewed');
  const queue = useEmergencyAccesses(filter);
  return (
    <div className="screen">
      <div className="screen-header">
        <h1>Emergency access</h1>
        <p className="muted">Each time a clinician broke the glass to open a restricted record: review whether it was appropriate.</p>
      </div>
      <div className="ea-toolbar">
        <Select label="Show" options={FILTERS} selectedKey={filter} onSelectionChange={(key) => setFilter(key as ReviewFilter)} />
      </div>
      <QueryView
        query={queue}
        what="emergency accesses"
        isEmpty={(bundle) => accessesOf(bundle).length === 0}
        empty={<EmptyState title={filter === 'reviewed' ? 'No emergency access has been reviewed yet.' : 'No emergency access waits for review.'} />}
      >
        {(bundle) => (
          <ul className="ea-list" aria-label="Emergency accesses">
            {accessesOf(bundle).map((access) => (
              <li key={access.id}>
                <AccessCard access={access} />
              </li>
            ))}
          </ul>
        )}
      </QueryView>
    </div>
  );
}

function AccessCard({ access }: { access: EmergencyAccess }) {
  const review = access.review;
  return (
    <Panel
      title={`${access.who} opened ${access.patient.name}`}
      actions={review ? <VerdictBadge verdict={review.verdict} /> : <Badge tone="warning">Waiting for review</Badge>}
    >
      <dl className="ea-facts">
        <dt>Who</dt>
        <dd>
          {access.who}
          {access.role ? ` (${access.role})` : ''}
        </dd>
        <dt>Patient</dt>
        <dd>{access.patient.name}</dd>
        <dt>When</dt>
        <dd>{dateText(access.recorded, true)}</dd>
        <dt>Reason given</dt>
        <dd className="ea-reason">{access.reason}</dd>
      </dl>
      <OpenedRecords access={access} />
      {review ? (
        <div className="ea-review">
          <h3>Review</h3>
          <p>
            <VerdictBadge verdict={review.verdict} /> by {review.reviewer}, {dateText(review.recorded, true)}
          </p>
          <p className="ea-note">{review.note}</p>
        </div>
      ) : (
        <ReviewForm access={access} />
      )}
    </Panel>
  );
}

function VerdictBadge({ verdict }: { verdict: Verdict }) {
  return verdict === 'appropriate' ? <Badge tone="success">Appropriate</Badge> : <Badge tone="danger">Not appropriate</Badge>;
}

function OpenedRecords({ access }: { access: EmergencyAccess }) {
  const opened = useOpenedRecords(access);
  return (
    <div className="ea-opened">
      <h3>Opened during the grant</h3>
      {opened.isPending ? (
        <LoadingSkeleton lines={2} label="Loading what was opened" />
      ) : opened.isError ? (
        <p role="alert">Could not load what was opened: {errorMessage(opened.error)}</p>
      ) : opened.data.length === 0 ? (
        <p className="muted">Nothing was opened with this grant.</p>
      ) : (
        <ul>
          {opened.data.map((o) => (
            <li key={o.id}>
              <span className="ea-time">{dateText(o.recorded, true)}</span> {o.interaction}
              {o.what.length > 0 ? ` · ${o.what.join(', ')}` : ''}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

interface ReviewDraft {
  verdict: Verdict | '';
  note: string;
}

function ReviewForm({ access }: { access: EmergencyAccess }) {
  const draft = useDraft<ReviewDraft>(`emergency-review-${access.id}`, undefined, { verdict: '', note: '' });
  const save = useReview();
  const [tried, setTried] = useState(false);
  const { verdict, note } = draft.value;
  const missing = verdict === '' ? 'Choose a verdict.' : note.trim() === '' ? 'Write a note saying why.' : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (missing !== undefined || verdict === '') return;
    save.mutate({ id: access.id, verdict, note: note.trim() }, { onSuccess: () => draft.clear() });
  };
  return (
    <Form className="ea-review-form" validationBehavior="aria" onSubmit={submit} aria-label={`Review of ${access.who}'s access to ${access.patient.name}`}>
      <h3>Review</h3>
      <Select label="Verdict" placeholder="Choose…" options={VERDICTS} selectedKey={verdict || null} onSelectionChange={(key) => draft.setValue({ ...draft.value, verdict: key as Verdict })} />
      <TextField label="Note" multiline isRequired value={note} onChange={(value) => draft.setValue({ ...draft.value, note: value })} description="Kept in the audit trail with your name." />
      {tried && missing !== undefined && (
        <p className="h-field-error" role="alert">
          {missing}
        </p>
      )}
      {save.isError && (
        <p className="h-field-error" role="alert">
          The review was not recorded: {errorMessage(save.error)} Your note is kept.
        </p>
      )}
      <div>
        <Button type="submit" variant="primary" isDisabled={save.isPending}>
          {save.isPending ? 'Recording…' : 'Record review'}
        </Button>
      </div>
    </Form>
  );
}
