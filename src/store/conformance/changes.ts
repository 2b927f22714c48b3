/**
 * The change feed (`FhirStore.changes`, for Subscriptions): a committed transaction's versions
 * are told to listeners, with their practice; a rolled-back one never is; a large transaction is
 * told in full. On PostgreSQL another store instance on the same database (another app server)
 * hears them too.
 */
import { describe, expect } from 'vitest';
import type { CommittedChange, FhirStore } from '../store.ts';
import type { Harness } from './harness.ts';
import { patient, put, remove } from './fixtures.ts';

interface Heard {
  tenant: string;
  changes: readonly CommittedChange[];
}

async function listening(store: FhirStore): Promise<{ heard: Heard[]; stop: () => Promise<void>; until: (n: number) => Promise<void> }> {
  const heard: Heard[] = [];
  const stop = await store.changes.listen((tenant, changes) => heard.push({ tenant, changes }));
  const until = async (n: number) => {
    const deadline = Date.now() + 5000;
    while (heard.flatMap((h) => h.changes).length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  };
  return { heard, stop, until };
}

/** Long enough for a notification that would come to have come. */
const settle = () => new Promise((r) => setTimeout(r, 300));

export function changesSuite(h: Harness): void {
  describe('changes', () => {
    h.test('changes: a committed transaction is told with its practice and versions; a rolled-back one never', async () => {
      const store = await h.store();
      const tenant = h.tenant();
      const { heard, stop, until } = await listening(store);
      try {
        await expect(
          store.transaction(tenant, async (tx) => {
            await put(tx, patient('rolled-back'));
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        await store.transaction(tenant, async (tx) => {
          await put(tx, patient('p1'));
          await put(tx, patient('p1', { family: 'Again' }));
        });
        await store.transaction(tenant, (tx) => remove(tx, 'Patient', 'p1'));
        await until(3);
        await settle();
        const mine = heard.filter((x) => x.tenant === tenant);
        expect(mine.map((x) => x.changes)).toEqual([
          [
            { resourceType: 'Patient', id: 'p1', versionId: '1', deleted: false },
            { resourceType: 'Patient', id: 'p1', versionId: '2', deleted: false },
          ],
          [{ resourceType: 'Patient', id: 'p1', versionId: '3', deleted: true }],
        ]);
      } finally {
        await stop();
      }
    });

    h.test('changes: a transaction of 2,000 versions is told in full, in order', async () => {
      const store = await h.store();
      const tenant = h.tenant();
      const { heard, stop, until } = await listening(store);
      try {
        await store.transaction(tenant, async (tx) => {
          for (let i = 0; i < 2000; i++) await put(tx, patient(`bulk-${i}`));
        });
        await until(2000);
        expect(heard.filter((x) => x.tenant === tenant).flatMap((x) => x.changes.map((c) => c.id))).toEqual(Array.from({ length: 2000 }, (_, i) => `bulk-${i}`));
      } finally {
        await stop();
      }
    }, 60_000);

    h.test('changes: a stopped listener hears nothing more', async () => {
      const store = await h.store();
      const tenant = h.tenant();
      const { heard, stop } = await listening(store);
      await stop();
      await store.transaction(tenant, (tx) => put(tx, patient('after-stop')));
      await settle();
      expect(heard.filter((x) => x.tenant === tenant)).toEqual([]);
    });

    h.test('changes: on PostgreSQL, another store instance on the same database hears them (another app server)', async () => {
      const store = await h.store();
      if (store.dialect !== 'postgres') return; // SQLite serves from one process: told in-process only
      const other = await h.open();
      const tenant = h.tenant();
      const { heard, stop, until } = await listening(other);
      try {
        await store.transaction(tenant, (tx) => put(tx, patient('elsewhere')));
        await until(1);
        expect(heard.filter((x) => x.tenant === tenant).flatMap((x) => x.changes)).toEqual([{ resourceType: 'Patient', id: 'elsewhere', versionId: '1', deleted: false }]);
      } finally {
        await stop();
        await other.close();
      }
    });
  });
}
