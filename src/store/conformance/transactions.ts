/** Atomicity and visibility: all or nothing, own writes visible inside, nothing outside until commit. */
import { describe, expect } from 'vitest';
import type { StoreTransaction } from '../store.ts';
import type { Harness } from './harness.ts';
import { criterion, ids, observation, patient, put, searchRequest } from './fixtures.ts';

export function transactionsSuite(h: Harness): void {
  describe('transactions', () => {
    h.test('transactions: a throw rolls back every version, current row and index row, and is rethrown', async () => {
      const store = await h.store();
      const tenant = h.tenant();
      await store.transaction(tenant, (tx) => put(tx, patient('keep', { family: 'Before' })));
      const boom = new Error('boom');
      await expect(
        store.transaction(tenant, async (tx) => {
          await put(tx, patient('keep', { family: 'After' }));
          await put(tx, patient('new', { family: 'Fresh' }));
          await put(tx, observation('o1', { subject: 'Patient/new', code: 'RB' }));
          throw boom;
        }),
      ).rejects.toBe(boom);
      const reader = store.reader(tenant);
      expect((await reader.readCurrent('Patient', 'keep'))?.versionId).toBe('1');
      expect(await reader.readVersion('Patient', 'keep', '2')).toBeUndefined();
      expect(await reader.readCurrent('Patient', 'new')).toBeUndefined();
      expect(await reader.readCurrent('Observation', 'o1')).toBeUndefined();
      expect(ids((await reader.search(searchRequest('Patient', [criterion.string('family', ['after', 'fresh'])]))).resources)).toEqual([]);
      expect(ids((await reader.search(searchRequest('Patient', [criterion.string('family', ['before'])]))).resources)).toEqual(['keep']);
      expect((await reader.search(searchRequest('Observation', [criterion.token('code', [{ code: 'RB' }])]))).total).toBe(0);
      expect((await reader.history({ count: 10 })).total).toBe(1);
      // The store stays usable after a rollback.
      const next = await store.transaction(tenant, (tx) => put(tx, patient('keep', { family: 'Later' })));
      expect(next.versionId).toBe('2');
    });

    h.test('transactions: a failed write (precondition) inside rolls back earlier writes of the transaction', async () => {
      const store = await h.store();
      const tenant = h.tenant();
      await store.transaction(tenant, (tx) => put(tx, patient('a')));
      await expect(
        store.transaction(tenant, async (tx) => {
          await put(tx, patient('b'));
          await put(tx, patient('a'), 7);
        }),
      ).rejects.toMatchObject({ category: 'precondition-failed' });
      expect(await store.reader(tenant).readCurrent('Patient', 'b')).toBeUndefined();
    });

    h.test('transactions: reads inside see own writes; readers outside see them only after commit', async () => {
      const store = await h.store();
      const tenant = h.tenant();
      const outside = store.reader(tenant);
      const result = await store.transaction(tenant, async (tx) => {
        await put(tx, patient('p1', { family: 'Inside' }));
        const own = await tx.readCurrent('Patient', 'p1');
        const found = await tx.search(searchRequest('Patient', [criterion.string('family', ['inside'])]));
        const history = await tx.history({ resourceType: 'Patient', id: 'p1', count: 10 });
        const fromOutside = await outside.readCurrent('Patient', 'p1');
        const searchOutside = await outside.search(searchRequest('Patient'));
        return { own, found: ids(found.resources), history: history.total, fromOutside, outsideTotal: searchOutside.total };
      });
      expect(result.own?.versionId).toBe('1');
      expect(result.found).toEqual(['p1']);
      expect(result.history).toBe(1);
      expect(result.fromOutside).toBeUndefined();
      expect(result.outsideTotal).toBe(0);
      expect((await outside.readCurrent('Patient', 'p1'))?.versionId).toBe('1');
    });

    h.test('transactions: the handle is unusable after the transaction ends', async () => {
      const store = await h.store();
      const tenant = h.tenant();
      let leaked: StoreTransaction | undefined;
      await store.transaction(tenant, async (tx) => {
        leaked = tx;
      });
      await expect(put(leaked!, patient('late'))).rejects.toThrow();
      expect(await store.reader(tenant).readCurrent('Patient', 'late')).toBeUndefined();
    });

    h.test('transactions: the return value of the callback is returned', async () => {
      const store = await h.store();
      expect(await store.transaction(h.tenant(), async () => 42)).toBe(42);
    });
  });
}
