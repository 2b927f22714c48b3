/** Reindex: rows written by an out-of-date indexer are rebuilt from the stored resources, in every practice. */
import { describe, expect } from 'vitest';
import type { Harness } from './harness.ts';
import { criterion, ids, patient, put, searchRequest } from './fixtures.ts';

export function reindexSuite(h: Harness): void {
  describe('reindex', () => {
    h.test('reindex rebuilds every current resource of every practice and drops rows of deleted ones', async () => {
      const store = await h.store();
      const [a, b] = [h.tenant(), h.tenant()];
      // Another instance on the same database whose indexer knows nothing: its writes leave no rows.
      const stale = await h.open(() => []);
      try {
        await stale.transaction(a, async (tx) => {
          await put(tx, patient('p1', { family: 'Reindexed' }));
          await put(tx, patient('p2', { family: 'Reindexed' }));
        });
        await stale.transaction(b, (tx) => put(tx, patient('p1', { family: 'Reindexed' })));
      } finally {
        await stale.close();
      }
      const byFamily = searchRequest('Patient', [criterion.string('family', ['reindexed'])]);
      expect((await store.reader(a).search(byFamily)).resources).toEqual([]);

      const seen: number[] = [];
      const result = await store.reindex((p) => seen.push(p.done));
      expect(result.done).toBe(result.total);
      expect(result.total).toBeGreaterThanOrEqual(3);
      expect(seen.length).toBeGreaterThan(0);
      expect(ids((await store.reader(a).search(byFamily)).resources).sort()).toEqual(['p1', 'p2']);
      expect(ids((await store.reader(b).search(byFamily)).resources)).toEqual(['p1']);

      // Reindexing again changes nothing: same matches, no duplicate rows.
      await store.reindex();
      expect((await store.reader(a).search({ ...byFamily, total: 'accurate' })).total).toBe(2);
    });
  });
}
