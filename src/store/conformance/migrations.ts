/** Migrations: applied once even when two instances migrate at the same time; idempotent afterwards. */
import { describe, expect } from 'vitest';
import type { Harness } from './harness.ts';

export function migrationsSuite(h: Harness): void {
  describe('migrations', () => {
    h.test('migrations: concurrent migrate() on a fresh database applies each migration exactly once', async () => {
      const [a, b] = await Promise.all([h.open(), h.open()]);
      try {
        const [ra, rb] = await Promise.all([a.migrate(), b.migrate()]);
        expect(ra.map((r) => r.id)).toEqual(rb.map((r) => r.id));
        expect(ra.length).toBeGreaterThan(0);
        for (let i = 0; i < ra.length; i++) {
          const statuses = [ra[i].status, rb[i].status].sort();
          expect(statuses, ra[i].id).toEqual(['already-applied', 'applied']);
        }
        const again = await a.migrate();
        expect(again.every((r) => r.status === 'already-applied')).toBe(true);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    h.test('migrations: migrate() is idempotent on the shared store and the schema works', async () => {
      const store = await h.store();
      const results = await store.migrate();
      expect(results.length).toBeGreaterThan(0);
      expect(results.every((r) => r.status === 'already-applied')).toBe(true);
      expect(await store.reader(h.tenant()).readCurrent('Patient', 'none')).toBeUndefined();
    });
  });
}
