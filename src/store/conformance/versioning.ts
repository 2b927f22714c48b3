/** Optimistic concurrency (`expectedVersion`) and the per-resource clock. */
import { describe, expect } from 'vitest';
import type { Harness } from './harness.ts';
import { expectFhirError } from './harness.ts';
import { patient, put, remove } from './fixtures.ts';

export function versioningSuite(h: Harness): void {
  describe('versioning', () => {
    h.test('versioning: a wrong expectedVersion fails with precondition-failed and writes nothing', async () => {
      const store = await h.store();
      const tenant = h.tenant();
      await store.transaction(tenant, (tx) => put(tx, patient('p1', { family: 'One' })));
      await expectFhirError(
        store.transaction(tenant, (tx) => put(tx, patient('p1', { family: 'Two' }), 2)),
        'precondition-failed',
      );
      const current = await store.reader(tenant).readCurrent('Patient', 'p1');
      expect(current?.versionId).toBe('1');
      const ok = await store.transaction(tenant, (tx) => put(tx, patient('p1', { family: 'Two' }), 1));
      expect(ok.versionId).toBe('2');
    });

    h.test('versioning: expectedVersion 0 means "must not exist, or only as deleted"', async () => {
      const store = await h.store();
      const tenant = h.tenant();
      const first = await store.transaction(tenant, (tx) => put(tx, patient('p1'), 0));
      expect(first.versionId).toBe('1');
      await expectFhirError(store.transaction(tenant, (tx) => put(tx, patient('p1'), 0)), 'precondition-failed');
      await store.transaction(tenant, (tx) => remove(tx, 'Patient', 'p1'));
      const recreated = await store.transaction(tenant, (tx) => put(tx, patient('p1'), 0));
      expect(recreated.versionId).toBe('3');
    });

    h.test('versioning: an expectedVersion on a missing resource fails', async () => {
      const store = await h.store();
      const tenant = h.tenant();
      await expectFhirError(store.transaction(tenant, (tx) => put(tx, patient('nobody'), 1)), 'precondition-failed');
      expect(await store.reader(tenant).readCurrent('Patient', 'nobody')).toBeUndefined();
    });

    h.test('versioning: lastUpdated strictly increases per resource even within one millisecond', async () => {
      const store = await h.store();
      const tenant = h.tenant();
      const versions = await store.transaction(tenant, async (tx) => {
        const out = [];
        for (let i = 0; i < 20; i++) out.push(await put(tx, patient('fast', { family: 'F' + i })));
        return out;
      });
      for (let i = 1; i < versions.length; i++) {
        expect(Date.parse(versions[i].lastUpdated)).toBeGreaterThan(Date.parse(versions[i - 1].lastUpdated));
        expect(versions[i].versionId).toBe(String(i + 1));
      }
      const current = await store.reader(tenant).readCurrent('Patient', 'fast');
      expect(current?.resource?.meta?.lastUpdated).toBe(versions[19].lastUpdated);
    });
  });
}
