import { format } from 'date-fns';
import { Button } from '../design/index.ts';
import type { Draft } from './use-draft.ts';

/** "Restored what you typed at 14:02" with a way to start over; shown above a form with a restored draft. */
export function DraftNotice<T>({ draft }: { draft: Draft<T> }) {
  if (draft.restoredAt === undefined) return null;
  return (
    <div className="draft-notice" role="status">
      <span>Restored what you typed on {format(draft.restoredAt, 'd MMM, HH:mm')} (not saved yet).</span>
      <Button size="sm" variant="quiet" onPress={draft.discard}>
        Discard it
      </Button>
    </div>
  );
}
