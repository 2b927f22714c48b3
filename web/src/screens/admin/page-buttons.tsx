import { useState } from 'react';
import { cursorOf } from '../../admin-api/admin-views.ts';
import { Button } from '../../design/index.ts';

/**
 * Paging through an admin API list by its `next` cursor. The cursors of the pages before are kept
 * here, so "Previous page" goes back without the server keeping any state.
 */
export function usePages() {
  const [cursors, setCursors] = useState<string[]>([]);
  return {
    cursor: cursors.at(-1),
    page: cursors.length + 1,
    first: () => setCursors([]),
    back: () => setCursors((c) => c.slice(0, -1)),
    after: (next: string | undefined) => setCursors((c) => [...c, cursorOf(next)!]),
  };
}

export function PageButtons({ pages, next }: { pages: ReturnType<typeof usePages>; next: string | undefined }) {
  return (
    <div className="admin-paging">
      <Button size="sm" variant="secondary" isDisabled={pages.page === 1} onPress={pages.back}>
        Previous page
      </Button>
      <span className="muted">Page {pages.page}</span>
      <Button size="sm" variant="secondary" isDisabled={next === undefined} onPress={() => pages.after(next)}>
        Next page
      </Button>
    </div>
  );
}
