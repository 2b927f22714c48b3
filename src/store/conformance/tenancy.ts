/** Tenancy isolation: the same ids in two practices never meet in reads, searches, history or includes. */
import { describe, expect } from 'vitest';
import type { SearchCriterion } from '../../fhir/search/types.ts';
import type { FhirStore } from '../store.ts';
import type { Harness } from './harness.ts';
import { criterion, ids, observation, patient, put, remove, searchRequest, sorted } from './fixtures.ts';

async function seed(store: FhirStore, tenant: string, family: string, extra: boolean): Promise<void> {
  await store.transaction(tenant, async (tx) => {
    await put(tx, patient('p1', { family, identifier: 'SAME', org: 'org1' }));
    await put(tx, { resourceType: 'Organization', id: 'org1', name: family + ' Clinic' });
    await put(tx, observation('o1', { subject: 'Patient/p1', code: 'SAME' }));
    if (extra) await put(tx, observation('o2', { subject: 'Patient/p1', code: 'ONLY-A' }));
  });
}

export function tenancySuite(h: Harness): void {
  describe('tenancy', () => {
    h.test('tenancy: reads, versions and deletes are per tenant', async () => {
      const store = await h.store();
      const [a, b] = [h.tenant(), h.tenant()];
      await seed(store, a, 'Alpha', true);
      await seed(store, b, 'Beta', false);
      await store.transaction(a, (tx) => put(tx, patient('p1', { family: 'Alpha2' })));
      expect((await store.reader(a).readCurrent('Patient', 'p1'))?.versionId).toBe('2');
      expect((await store.reader(b).readCurrent('Patient', 'p1'))?.versionId).toBe('1');
      expect((await store.reader(b).readCurrent('Patient', 'p1'))?.resource).toMatchObject({ name: [{ family: 'Beta' }] });
      expect(await store.reader(b).readCurrent('Observation', 'o2')).toBeUndefined();
      expect(await store.reader(b).readVersion('Patient', 'p1', '2')).toBeUndefined();
      await store.transaction(b, (tx) => remove(tx, 'Observation', 'o1'));
      expect((await store.reader(a).readCurrent('Observation', 'o1'))?.deleted).toBe(false);
      // expectedVersion checks the tenant's own row.
      const written = await store.transaction(b, (tx) => put(tx, patient('p1', { family: 'Beta2' }), 1));
      expect(written.versionId).toBe('2');
    });

    h.test('tenancy: search, chains, _has, includes and history never cross tenants', async () => {
      const store = await h.store();
      const [a, b] = [h.tenant(), h.tenant()];
      await seed(store, a, 'Alpha', true);
      await seed(store, b, 'Beta', false);
      const find = async (tenant: string, type: string, ...criteria: SearchCriterion[]): Promise<string[]> =>
        sorted(ids((await store.reader(tenant).search(searchRequest(type, criteria))).resources));
      expect(await find(b, 'Patient', criterion.string('family', ['alpha']))).toEqual([]);
      expect(await find(b, 'Patient', criterion.token('identifier', [{ code: 'SAME' }]))).toEqual(['p1']);
      expect(await find(b, 'Observation', criterion.token('code', [{ code: 'ONLY-A' }]))).toEqual([]);
      expect(await find(b, 'Observation', { param: 'subject', type: 'reference', values: [], chain: { targetType: 'Patient', criterion: criterion.string('family', ['alpha']) } })).toEqual([]);
      expect(await find(b, 'Patient', { param: '_has', type: 'special', values: [], has: { sourceType: 'Observation', referenceParam: 'subject', criterion: criterion.token('code', [{ code: 'ONLY-A' }]) } })).toEqual([]);
      expect(await find(a, 'Patient', { param: '_has', type: 'special', values: [], has: { sourceType: 'Observation', referenceParam: 'subject', criterion: criterion.token('code', [{ code: 'ONLY-A' }]) } })).toEqual(['p1']);
      const withIncludes = await store.reader(b).search(
        searchRequest('Patient', [], {
          include: [{ sourceType: 'Patient', param: 'organization', iterate: false }],
          revinclude: [{ sourceType: 'Observation', param: 'subject', iterate: false }],
        }),
      );
      expect(withIncludes.total).toBe(1);
      expect(withIncludes.included.map((r) => `${r.resourceType}/${r.id}`).sort()).toEqual(['Observation/o1', 'Organization/org1']);
      expect(withIncludes.included.find((r) => r.resourceType === 'Organization')).toMatchObject({ name: 'Beta Clinic' });
      const historyB = await store.reader(b).history({ count: 100 });
      expect(historyB.total).toBe(3);
      expect((await store.reader(a).history({ count: 100 })).total).toBe(4);
      expect((await store.reader(b).history({ resourceType: 'Observation', count: 100 })).entries.map((e) => e.id)).toEqual(['o1']);
      expect((await store.reader(h.tenant()).search(searchRequest([], []))).total).toBe(0);
    });
  });
}
