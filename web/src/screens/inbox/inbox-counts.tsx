import './inbox.css';
import { Link } from 'react-router';
import { INBOX_KINDS, KIND_LABELS } from '../../inbox/inbox-items.ts';
import { useInbox } from './use-inbox.ts';

/** Inbox counts by category, each a link to the inbox showing that category (for the home screen). */
export function InboxCounts() {
  const { counts, tasks, messages, owners } = useInbox();
  if (owners.me === undefined) return <p className="muted">No inbox: this account is not a practitioner.</p>;
  if (tasks.isError || messages.isError) return <p className="muted">The inbox could not be loaded.</p>;
  if (!tasks.isSuccess || !messages.isSuccess) return <p className="muted">Loading the inbox…</p>;
  return (
    <ul className="inbox-counts" aria-label="Inbox by category">
      {INBOX_KINDS.map((kind) => (
        <li key={kind}>
          <Link to={`/inbox?show=${kind}`}>
            <span className="inbox-counts-number">{counts[kind]}</span> {(counts[kind] === 1 ? KIND_LABELS[kind].one : KIND_LABELS[kind].many).toLowerCase()}
          </Link>
        </li>
      ))}
    </ul>
  );
}
