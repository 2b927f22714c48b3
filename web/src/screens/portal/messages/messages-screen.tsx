/**
 * The portal's Messages (docs/portal.md#messages), phone first: the list of conversations with the
 * care team (`/portal/messages`), one conversation with its answer box (`/portal/messages/:id`),
 * and a new message (`/portal/messages/new`). Replies arrive live (use-portal-messages.ts).
 */
import type { Patient, Practitioner, Reference } from '@medplum/fhirtypes';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useUser } from '../../../auth/auth-context.tsx';
import { DraftNotice } from '../../../auth/draft-notice.tsx';
import { useDraft } from '../../../auth/use-draft.ts';
import { Badge, Button, ButtonLink, EmptyState, ErrorState, LoadingSkeleton, TextField } from '../../../design/index.ts';
import { dateText } from '../../../fhir-format/values.ts';
import { givenFirst } from '../../../fhir-format/patient.ts';
import { errorAdvice, errorMessage } from '../../../fhir/fhir-client.ts';
import { useRead } from '../../../fhir/queries.ts';
import { attachmentsOf, fromPatientSide, isCareTeam, isUnread, messageText, newMessage, patientReply, type Thread } from '../../../messages/threads.ts';
import { usePracticeSettings } from '../../../practice/use-practice-settings.ts';
import { ThreadMessages } from '../../messages/thread-messages.tsx';
import { AttachmentPicker, SendError, useSendMessage, type Chosen } from './message-form.tsx';
import { usePortalMessages, useSeenThreads } from './use-portal-messages.ts';
import './messages.css';

/** A limited proxy sees no messages (they are clinical): said plainly instead of an empty list. */
function PrivateMessages() {
  const user = useUser();
  const patient = useRead<Patient>('Patient', user.patient).data;
  const name = patient ? givenFirst(patient.name) : 'this person';
  return (
    <p className="portal-notice" role="note">
      Messages between {name} and their care team are private to them.
    </p>
  );
}

export function MessagesScreen() {
  const user = useUser();
  const patientId = user.limited ? undefined : user.patient;
  const { query, threads } = usePortalMessages(patientId);
  const { seen } = useSeenThreads(patientId);
  return (
    <div className="portal-screen">
      <div className="messages-head">
        <h1 className="portal-title">Messages</h1>
        {patientId && (
          <ButtonLink variant="primary" href="/portal/messages/new">
            New message
          </ButtonLink>
        )}
      </div>
      {user.limited ? (
        <PrivateMessages />
      ) : query.isPending ? (
        <LoadingSkeleton lines={4} label="Loading your messages" />
      ) : query.isError ? (
        <ErrorState title="Your messages could not be loaded" message={errorMessage(query.error)} advice={errorAdvice(query.error)} onRetry={() => void query.refetch()} />
      ) : threads.length === 0 ? (
        <EmptyState title="No messages yet">
          <p>Write to your care team about anything that is not urgent: a question, a photo of a rash, a letter from another doctor.</p>
        </EmptyState>
      ) : (
        <ul className="message-threads" aria-label="Conversations">
          {threads.map((t) => (
            <ThreadRow key={t.id} thread={t} unread={isUnread(t, seen[t.id])} me={user.fhirUser} />
          ))}
        </ul>
      )}
      {!user.limited && <p className="messages-urgent">Messages are answered during opening hours. For anything urgent, call the practice; in an emergency, call 911.</p>}
    </div>
  );
}

function ThreadRow({ thread, unread, me }: { thread: Thread; unread: boolean; me: string | undefined }) {
  const last = thread.last;
  const who = last.sender?.reference === me ? 'You' : fromPatientSide(last) ? 'Patient' : 'Care team';
  const files = attachmentsOf(last).length;
  const text = messageText(last) || (files > 0 ? `${files} file${files === 1 ? '' : 's'}` : '');
  return (
    <li className="message-thread" data-unread={unread || undefined}>
      <Link to={`/portal/messages/${thread.id}`} className="message-thread-link">
        <span className="message-thread-top">
          <span className="message-thread-subject">{thread.subject}</span>
          <span className="portal-when">{dateText(last.sent)}</span>
        </span>
        <span className="message-thread-last">
          {unread && <Badge tone="info">New reply</Badge>} {who}: {text.length > 90 ? `${text.slice(0, 89)}…` : text}
        </span>
      </Link>
    </li>
  );
}

/** The patient's care team as the record names it (their `generalPractitioner`): whom a new message goes to. */
function useCareTeam(patientId: string | undefined): { recipients: Reference[]; ready: boolean; failed: unknown } {
  const patient = useRead<Patient>('Patient', patientId);
  return { recipients: (patient.data?.generalPractitioner ?? []).filter(isCareTeam), ready: patient.isSuccess, failed: patient.error };
}

/** Whom the message goes to, by name when the record names a person. */
function RecipientLine({ recipients }: { recipients: Reference[] }) {
  const first = recipients[0]?.reference;
  const id = first?.startsWith('Practitioner/') ? first.slice('Practitioner/'.length) : undefined;
  const doctor = useRead<Practitioner>('Practitioner', id).data;
  const name = doctor ? givenFirst(doctor.name) : '';
  return <p className="message-to">To: {name ? `${name} and your care team` : 'your care team'}</p>;
}

export function NewMessageScreen() {
  const user = useUser();
  const navigate = useNavigate();
  const patientId = user.limited ? undefined : user.patient;
  const draft = useDraft('portal-new-message', patientId, { subject: '', text: '' });
  const [files, setFiles] = useState<Chosen[]>([]);
  const [tried, setTried] = useState(false);
  const team = useCareTeam(patientId);
  const limits = usePracticeSettings().settings.attachments;
  const send = useSendMessage(patientId ?? '', (sent) => {
    draft.clear();
    void navigate(`/portal/messages/${sent.id}`);
  });
  if (!patientId) return user.limited ? <PrivateMessages /> : <ErrorState title="No record is open" message="This sign-in is not for a patient's record." advice="Sign out and sign in again." />;
  const { subject, text } = draft.value;
  const missing = subject.trim() === '' ? 'subject' : text.trim() === '' && files.length === 0 ? 'text' : undefined;
  const submit = () => {
    setTried(true);
    if (missing || !user.fhirUser) return;
    send.mutate({ files, build: (attachments) => newMessage({ patientId, sender: user.fhirUser!, subject, text, attachments, recipients: team.recipients, at: new Date().toISOString() }) });
  };
  return (
    <div className="portal-screen">
      <p className="messages-back">
        <Link to="/portal/messages">← All messages</Link>
      </p>
      <h1 className="portal-title">New message</h1>
      {!team.ready ? (
        team.failed ? <ErrorState title="Your record could not be loaded" message={errorMessage(team.failed)} advice={errorAdvice(team.failed)} /> : <LoadingSkeleton lines={3} label="Loading" />
      ) : team.recipients.length === 0 ? (
        <p className="portal-notice" role="note">
          Your record does not name your doctor yet, so messages cannot be sent from here. Please call the practice.
        </p>
      ) : (
        <form
          className="message-form"
          aria-label="New message to your care team"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <RecipientLine recipients={team.recipients} />
          <DraftNotice draft={draft} />
          <TextField
            label="Subject"
            value={subject}
            onChange={(v) => draft.setValue({ ...draft.value, subject: v })}
            isRequired
            isInvalid={tried && missing === 'subject'}
            errorMessage="Say in a few words what it is about."
            placeholder="e.g. Rash on my arm"
          />
          <TextField
            label="Message"
            multiline
            value={text}
            onChange={(v) => draft.setValue({ ...draft.value, text: v })}
            isInvalid={tried && missing === 'text'}
            errorMessage="Write your message (or attach a file)."
          />
          <AttachmentPicker chosen={files} onChange={setFiles} limits={limits} idPrefix="new-message" />
          {send.isError && <SendError error={send.error} />}
          <div className="message-actions">
            <Button type="submit" variant="primary" isDisabled={send.isPending}>
              {send.isPending ? 'Sending…' : 'Send message'}
            </Button>
          </div>
        </form>
      )}
    </div>
  );
}

export function ThreadScreen() {
  const user = useUser();
  const { threadId } = useParams();
  const patientId = user.limited ? undefined : user.patient;
  const { query, threads, people } = usePortalMessages(patientId);
  const { markSeen } = useSeenThreads(patientId);
  const thread = threads.find((t) => t.id === threadId);
  const lastSent = thread?.last.sent;
  // Opening the thread (and each reply arriving while it is open) marks it seen.
  useEffect(() => {
    if (thread) markSeen(thread.id, lastSent);
  }, [thread, lastSent, markSeen]);
  if (user.limited) return <PrivateMessages />;
  return (
    <div className="portal-screen">
      <p className="messages-back">
        <Link to="/portal/messages">← All messages</Link>
      </p>
      {query.isPending ? (
        <LoadingSkeleton lines={5} label="Loading the conversation" />
      ) : query.isError ? (
        <ErrorState title="The conversation could not be loaded" message={errorMessage(query.error)} advice={errorAdvice(query.error)} onRetry={() => void query.refetch()} />
      ) : !thread || !patientId ? (
        <EmptyState title="This conversation was not found">
          <p>
            <Link to="/portal/messages">See all your messages</Link>
          </p>
        </EmptyState>
      ) : (
        <>
          <h1 className="portal-title">{thread.subject}</h1>
          <ThreadMessages messages={thread.messages} people={people} {...(user.fhirUser ? { me: user.fhirUser } : {})} ownSide="patient" />
          <ReplyForm thread={thread} patientId={patientId} />
        </>
      )}
    </div>
  );
}

function ReplyForm({ thread, patientId }: { thread: Thread; patientId: string }) {
  const user = useUser();
  const draft = useDraft(`portal-reply-${thread.id}`, patientId, '');
  const [files, setFiles] = useState<Chosen[]>([]);
  const limits = usePracticeSettings().settings.attachments;
  const [sentAt, setSentAt] = useState<string>();
  const send = useSendMessage(patientId, (sent) => {
    draft.clear();
    draft.setValue('');
    setFiles([]);
    setSentAt(sent.sent);
  });
  const empty = draft.value.trim() === '' && files.length === 0;
  return (
    <form
      className="message-form message-reply"
      aria-label="Reply"
      onSubmit={(e) => {
        e.preventDefault();
        if (empty || !user.fhirUser) return;
        send.mutate({ files, build: (attachments) => patientReply(thread, { patientId, sender: user.fhirUser!, text: draft.value, attachments, at: new Date().toISOString() }) });
      }}
    >
      <DraftNotice draft={draft} />
      <TextField label="Your reply" multiline value={draft.value} onChange={draft.setValue} />
      <AttachmentPicker chosen={files} onChange={setFiles} limits={limits} idPrefix={`reply-${thread.id}`} />
      {send.isError && <SendError error={send.error} />}
      {sentAt && !send.isError && (
        <p className="message-sent" role="status">
          Sent.
        </p>
      )}
      <div className="message-actions">
        <Button type="submit" variant="primary" isDisabled={send.isPending || empty}>
          {send.isPending ? 'Sending…' : 'Send reply'}
        </Button>
      </div>
    </form>
  );
}
