/**
 * Migration 0015: the index behind `Observation/$lastn` — over the `code:lastn` rows of
 * `idx_composite` only (a partial index: other composite rows never pay for it), by subject
 * (text2), category (system2, code2), code (system1, code1), then date (end2) and id. A patient's
 * groups are found by skipping from one to the next, and each group's newest rows are its last
 * index entries (`sql/search/latest.ts`). The rows come from indexing, so an upgrade reindexes
 * the resources already stored (`reindex`).
 */
import type { Dialect } from '../sql/dialect.ts';
import type { Migration } from './migrate.ts';

/** The partial index's condition; queries repeat it literally so that both databases may use the index. */
export const LATEST_INDEX_CONDITION = "param = 'code:lastn'";

export const latestIndex: Migration = {
  id: '0015-latest-index',
  reindex: true,
  statements(_d: Dialect): string[] {
    return [`CREATE INDEX idx_composite_latest ON idx_composite (tenant, type, text2, system2, code2, system1, code1, end2, id) WHERE ${LATEST_INDEX_CONDITION}`];
  },
};
