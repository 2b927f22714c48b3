import { Link } from 'react-router';
import './inbox-link.css';
import { useUser } from '../../auth/auth-context.tsx';
import { isClinician } from '../../app/roles.ts';
import { useInbox, useLiveInbox } from './use-inbox.ts';

/**
 * The top bar's way to the inbox, with how many items wait; it also keeps the inbox live (one
 * websocket for the whole app, whichever screen is open). Clinicians only.
 */
export function InboxLink() {
  const user = useUser();
  if (!isClinician(user.role) || !user.fhirUser?.startsWith('Practitioner/')) return null;
  return <LiveInboxLink />;
}

function LiveInboxLink() {
  const inbox = useInbox();
  useLiveInbox(inbox.owners);
  const total = inbox.tasks.isSuccess && inbox.messages.isSuccess ? inbox.counts.total : undefined;
  return (
    <Link to="/inbox" className="topbar-inbox" aria-label={total === undefined ? 'Inbox' : `Inbox, ${total} ${total === 1 ? 'item' : 'items'}`}>
      <span>Inbox</span>
      {total !== undefined && total > 0 && (
        <span className="topbar-inbox-count" aria-hidden="true">
          {total}
        </span>
      )}
    </Link>
  );
}
