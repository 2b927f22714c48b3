/** Instance, type and system history: order, deletes, `since`, `at`, totals and cursors. */
import { describe, expect } from 'vitest';
import type { FhirStore, HistoryQuery, StoredVersion } from '../store.ts';
import type { Harness } from './harness.ts';
import { expectFhirError } from './harness.ts';
import { observation, patient, put, remove } from './fixtures.ts';

const label = (v: StoredVersion): string => `${v.resourceType}/${v.id}/${v.versionId}`;

async function seed(store: FhirStore, tenant: string): Promise<StoredVersion[]> {
  const out: StoredVersion[] = [];
  // Separate transactions, in this order: p1 v1, p2 v1, o1 v1, p1 v2, p2 v2 (delete), p1 v3.
  out.push(await store.transaction(tenant, (tx) => put(tx, patient('p1', { family: 'A' }))));
  out.push(await store.transaction(tenant, (tx) => put(tx, patient('p2'))));
  out.push(await store.transaction(tenant, (tx) => put(tx, observation('o1'))));
  out.push(await store.transaction(tenant, (tx) => put(tx, patient('p1', { family: 'B' }))));
  out.push(await store.transaction(tenant, (tx) => remove(tx, 'Patient', 'p2')));
  out.push(await store.transaction(tenant, (tx) => put(tx, patient('p1', { family: 'C' }))));
  return out;
}

export function historySuite(h: Harness): void {
  describe('history', () => {
    h.test('history: instance, type and system levels list versions newest first, deletes included', async () => {
      const store = await h.store();
      const tenant = h.tenant();
      await seed(store, tenant);
      const reader = store.reader(tenant);
      const instance = await reader.history({ resourceType: 'Patient', id: 'p1', count: 10 });
      expect(instance.entries.map(label)).toEqual(['Patient/p1/3', 'Patient/p1/2', 'Patient/p1/1']);
      expect(instance.total).toBe(3);
      expect(instance.nextCursor).toBeUndefined();
      expect(instance.entries[2].resource).toMatchObject({ name: [{ family: 'A' }] });

      const type = await reader.history({ resourceType: 'Patient', count: 10 });
      expect(type.entries.map(label)).toEqual(['Patient/p1/3', 'Patient/p2/2', 'Patient/p1/2', 'Patient/p2/1', 'Patient/p1/1']);
      expect(type.entries[1]).toMatchObject({ deleted: true, method: 'DELETE' });
      expect(type.entries[1].resource).toBeUndefined();

      const system = await reader.history({ count: 10 });
      expect(system.entries.map(label)).toEqual(['Patient/p1/3', 'Patient/p2/2', 'Patient/p1/2', 'Observation/o1/1', 'Patient/p2/1', 'Patient/p1/1']);
      expect(system.total).toBe(6);
    });

    h.test('history: since keeps versions strictly after the instant', async () => {
      const store = await h.store();
      const tenant = h.tenant();
      const versions = await seed(store, tenant);
      const reader = store.reader(tenant);
      const cut = Date.parse(versions[2].lastUpdated);
      const page = await reader.history({ since: cut, count: 10 });
      const expected = versions.filter((v) => Date.parse(v.lastUpdated) > cut).map(label).reverse();
      expect(page.entries.map(label)).toEqual(expected);
      expect(page.total).toBe(expected.length);
      expect((await reader.history({ since: Date.parse(versions[5].lastUpdated), count: 10 })).entries).toEqual([]);
    });

    h.test('history: at returns the versions current at that instant', async () => {
      const store = await h.store();
      const tenant = h.tenant();
      const p1v1 = await store.transaction(tenant, (tx) => put(tx, patient('p1', { family: 'A' })));
      await new Promise((r) => setTimeout(r, 5));
      const p1v2 = await store.transaction(tenant, (tx) => put(tx, patient('p1', { family: 'B' })));
      await new Promise((r) => setTimeout(r, 5));
      const p2v1 = await store.transaction(tenant, (tx) => put(tx, patient('p2')));
      const reader = store.reader(tenant);
      const between = Date.parse(p1v2.lastUpdated) - 1;
      expect(Date.parse(p1v1.lastUpdated)).toBeLessThanOrEqual(between);
      const atBetween = await reader.history({ resourceType: 'Patient', at: between, count: 10 });
      expect(atBetween.entries.map(label)).toEqual(['Patient/p1/1']);
      const atEnd = await reader.history({ resourceType: 'Patient', at: Date.parse(p2v1.lastUpdated), count: 10 });
      expect(atEnd.entries.map(label)).toEqual(['Patient/p2/1', 'Patient/p1/2']);
      expect(atEnd.total).toBe(2);
      const before = await reader.history({ at: Date.parse(p1v1.lastUpdated) - 1, count: 10 });
      expect(before.entries).toEqual([]);
    });

    h.test('history: cursor paging walks every version once, in order, with a stable total', async () => {
      const store = await h.store();
      const tenant = h.tenant();
      await seed(store, tenant);
      const reader = store.reader(tenant);
      const all = (await reader.history({ count: 100 })).entries.map(label);
      const seen: string[] = [];
      let query: HistoryQuery = { count: 4 };
      for (let pages = 0; pages < 10; pages++) {
        const page = await reader.history(query);
        expect(page.total).toBe(pages === 0 ? 6 : 7);
        seen.push(...page.entries.map(label));
        if (!page.nextCursor) break;
        // A version written meanwhile must not shift later pages.
        if (pages === 0) await store.transaction(tenant, (tx) => put(tx, patient('late')));
        query = { count: 4, cursor: page.nextCursor };
      }
      expect(seen).toEqual(all);
      const count0 = await reader.history({ count: 0 });
      expect(count0.entries).toEqual([]);
      expect(count0.total).toBe(7);
    });

    h.test('history: a malformed cursor is an invalid request', async () => {
      const store = await h.store();
      await expectFhirError(store.reader(h.tenant()).history({ count: 10, cursor: 'not-a-cursor' }), 'invalid');
    });
  });
}
