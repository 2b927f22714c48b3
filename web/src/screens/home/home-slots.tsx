import { InboxCounts } from '../inbox/inbox-counts.tsx';

/**
 * The places on the home screen that other parts of the app fill: the inbox counts (results,
 * messages, refills, tasks) and the count of notes waiting for a signature. Until those exist each
 * slot says so, and the layout already has their room, so nothing moves when they arrive.
 * Replace the body of a slot with the real count; keep the `<div>` with its `dt`/`dd`.
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
      <dd className="muted">Arrives with visit notes</dd>
    </div>
  );
}
