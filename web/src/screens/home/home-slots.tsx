import { InboxCounts } from '../inbox/inbox-counts.tsx';
import { UnsignedNotesCount } from '../notes/unsigned-notes.tsx';

/**
 * The places on the home screen that other parts of the app fill: the inbox counts (results,
 * messages, refills, tasks) and the count of notes waiting for a signature, each in a `dt`/`dd`
 * pair of the physician's "Needs you" list.
 */
export function InboxCountsSlot() {
  return (
    <div data-slot="inbox-counts">
      <dt>Inbox</dt>
      <dd>
        <InboxCounts />
      </dd>
    </div>
  );
}

export function UnsignedNotesSlot() {
  return (
    <div data-slot="unsigned-notes">
      <dt>Unsigned notes</dt>
      <dd>
        <UnsignedNotesCount />
      </dd>
    </div>
  );
}
