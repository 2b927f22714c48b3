/**
 * `lock(key)` makes check-then-create atomic: 50 transactions that each lock the same key,
 * search, and create only if nothing matched, leave exactly one resource — the pattern
 * behind conditional create (`If-None-Exist`).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import type { FhirStore } from '../store.ts';
import type { Harness } from './harness.ts';
import { criterion, patient, put, searchRequest } from './fixtures.ts';

function createIfNone(store: FhirStore, tenant: string, identifier: string): Promise<'created' | 'found'> {
  return store.transaction(tenant, async (tx) => {
    await tx.lock(`Patient?identifier=urn:mrn|${identifier}`);
    const found = await tx.search(searchRequest('Patient', [criterion.token('identifier', [{ system: 'urn:mrn', code: identifier }])], { count: 1 }));
    if (found.resources.length > 0) return 'found';
    await put(tx, patient(randomUUID(), { identifier }), 0);
    return 'created';
  });
}

export function conditionalLockSuite(h: Harness): void {
  describe('conditional create with lock', () => {
    h.test('conditional-lock: 50 parallel lock-search-create transactions create exactly one resource', async () => {
      const store = await h.store();
      const tenant = h.tenant();
      const outcomes = await Promise.all(Array.from({ length: 50 }, () => createIfNone(store, tenant, 'MRN-1')));
      expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
      const all = await store.reader(tenant).search(searchRequest('Patient', [criterion.token('identifier', [{ code: 'MRN-1' }])]));
      expect(all.total).toBe(1);
    });

    h.test('conditional-lock: across two store instances, and different keys do not block each other', async () => {
      const store = await h.store();
      const other = await h.open();
      const tenant = h.tenant();
      try {
        const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => createIfNone(i % 2 ? store : other, tenant, `MRN-${i % 4}`)));
        expect(outcomes.filter((o) => o === 'created')).toHaveLength(4);
        const all = await store.reader(tenant).search(searchRequest('Patient'));
        expect(all.total).toBe(4);
      } finally {
        await other.close();
      }
    });

    h.test('conditional-lock: committed reads through store.reader() inside locked transactions do not starve', async () => {
      const store = await h.store();
      const tenant = h.tenant();
      // More transactions than a pool has connections, all queued on one lock, each reading outside its transaction.
      const outcomes = await Promise.all(
        Array.from({ length: 30 }, () =>
          store.transaction(tenant, async (tx) => {
            await tx.lock('reader-inside');
            const found = await store.reader(tenant).search(searchRequest('Patient', [criterion.token('identifier', [{ code: 'MRN-R' }])]));
            if (found.total) return 'found';
            await put(tx, patient(randomUUID(), { identifier: 'MRN-R' }));
            return 'created';
          }),
        ),
      );
      expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
    });

    h.test('conditional-lock: the same key in two tenants creates one resource in each', async () => {
      const store = await h.store();
      const [a, b] = [h.tenant(), h.tenant()];
      const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => createIfNone(store, i % 2 ? a : b, 'MRN-T')));
      expect(outcomes.filter((o) => o === 'created')).toHaveLength(2);
      for (const tenant of [a, b]) expect((await store.reader(tenant).search(searchRequest('Patient'))).total).toBe(1);
    });
  });
}
