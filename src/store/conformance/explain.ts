/**
 * `explainSearch`: the statements a search runs, each with the database's plan, and the search's
 * own answer unchanged by being explained.
 */
import { describe, expect } from 'vitest';
import type { Harness } from './harness.ts';
import { criterion, patient, put, searchRequest } from './fixtures.ts';

export function explainSuite(h: Harness): void {
  describe('explainSearch', () => {
    h.test('explainSearch returns the statements a search runs with their plans', async () => {
      const store = await h.store();
      const tenant = h.tenant();
      await store.transaction(tenant, async (tx) => {
        for (const id of ['a', 'b', 'c']) await put(tx, patient(id, { family: 'Plan' }));
      });
      const request = searchRequest('Patient', [criterion.string('family', ['Pla'])], { total: 'accurate' });
      const plans = await store.explainSearch(tenant, request);
      expect(plans.length).toBeGreaterThan(0);
      for (const p of plans) {
        expect(p.sql).toMatch(/^(WITH|SELECT)\b/);
        expect(p.params).toContain(tenant);
        // SQLite: EXPLAIN QUERY PLAN lines (SEARCH/SCAN …); PostgreSQL: EXPLAIN ANALYZE with timings.
        expect(p.plan).toMatch(store.dialect === 'sqlite' ? /\b(SEARCH|SCAN)\b/ : /actual time=/);
      }
      expect((await store.reader(tenant).search(request)).total).toBe(3);
    });
  });
}
