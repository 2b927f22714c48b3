/**
 * `searchAnyOf`: resources matching any branch (each branch's criteria AND-ed), each branch cut off
 * at `limit`, every result also matching the extra criteria, once each, never another practice's
 * or a deleted one.
 */
import { describe, expect } from 'vitest';
import { criterion, patient, put, remove } from './fixtures.ts';
import type { Harness } from './harness.ts';

export function anyOfSuite(h: Harness): void {
  describe(`${h.name}: any of several searches`, () => {
    h.test('searchAnyOf: the union of the branches, each limited, narrowed by the criteria', async () => {
      const store = await h.store();
      const tenant = h.tenant();
      await store.transaction(tenant, async (tx) => {
        await put(tx, patient('p1', { family: 'Lindqvist', birthDate: '1971-05-09', gender: 'female' }));
        await put(tx, patient('p2', { family: 'Lindquist', birthDate: '1971-09-05', gender: 'male' }));
        await put(tx, patient('p3', { family: 'Berg', birthDate: '1971-05-09', gender: 'female' }));
        await put(tx, patient('p4', { family: 'Lind', birthDate: '1990-01-01', identifier: 'X-1' }));
        await put(tx, patient('gone', { family: 'Lindqvist', birthDate: '1971-05-09' }));
        await remove(tx, 'Patient', 'gone');
      });
      await store.transaction(h.tenant(), (tx) => put(tx, patient('p1', { family: 'Lindqvist', birthDate: '1971-05-09' })));
      const ids = async (branches: Parameters<typeof criterion.string>[][], o: { limit?: number; criteria?: ReturnType<typeof criterion.token>[] } = {}) =>
        (
          await store.reader(tenant).searchAnyOf({
            resourceType: 'Patient',
            branches: branches.map((branch) => branch.map((args) => criterion.string(...args))),
            criteria: o.criteria ?? [],
            limit: o.limit ?? 10,
          })
        )
          .map((r) => r.id)
          .sort();
      const bornThen = criterion.date('birthdate', 'eq', '1971-05-09');
      const both = await store.reader(tenant).searchAnyOf({ resourceType: 'Patient', branches: [[bornThen], [criterion.string('family', ['lindq'])], [criterion.token('identifier', [{ system: 'urn:mrn', code: 'X-1' }])]], criteria: [], limit: 10 });
      expect(both.map((r) => r.id).sort()).toEqual(['p1', 'p2', 'p3', 'p4']);
      // Branches AND their own criteria.
      const narrow = await store.reader(tenant).searchAnyOf({ resourceType: 'Patient', branches: [[bornThen, criterion.string('family', ['lind'])]], criteria: [], limit: 10 });
      expect(narrow.map((r) => r.id)).toEqual(['p1']);
      expect(await ids([[['family', ['lind']]]], { limit: 2 })).toHaveLength(2);
      expect(await ids([[['family', ['lind']]]], { criteria: [criterion.token('gender', [{ code: 'male' }])] })).toEqual(['p2']);
      expect(await ids([])).toEqual([]);
    });
  });
}
