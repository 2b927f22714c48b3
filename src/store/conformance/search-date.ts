/** Date search with range semantics for every prefix, and `_lastUpdated`. */
import { describe, expect } from 'vitest';
import type { SearchCriterion } from '../../fhir/search/types.ts';
import type { FhirStore } from '../store.ts';
import type { Harness } from './harness.ts';
import { criterion, ids, patient, put, searchRequest, sorted } from './fixtures.ts';

export function searchDateSuite(h: Harness): void {
  describe('search: date', () => {
    let store: FhirStore;
    let tenant: string;
    const find = async (...criteria: SearchCriterion[]): Promise<string[]> =>
      sorted(ids((await store.reader(tenant).search(searchRequest('Patient', criteria))).resources));

    h.test('search date: eq and ne compare ranges at the stored and searched precision', async () => {
      store = await h.store();
      tenant = h.tenant();
      await store.transaction(tenant, async (tx) => {
        await put(tx, patient('a', { birthDate: '1970-01-01' }));
        await put(tx, patient('b', { birthDate: '1970-06-15' }));
        await put(tx, patient('c', { birthDate: '1971-01-01' }));
        await put(tx, patient('d', { birthDate: '1969-12-31' }));
        await put(tx, patient('e'));
        await put(tx, patient('f', { birthDate: '1970' }));
      });
      expect(await find(criterion.date('birthdate', 'eq', '1970'))).toEqual(['a', 'b', 'f']);
      expect(await find(criterion.date('birthdate', 'eq', '1970-06'))).toEqual(['b']);
      expect(await find(criterion.date('birthdate', 'eq', '1970-06-15'))).toEqual(['b']);
      expect(await find(criterion.date('birthdate', 'ne', '1970'))).toEqual(['c', 'd']);
    });

    h.test('search date: gt, lt, ge, le', async () => {
      expect(await find(criterion.date('birthdate', 'gt', '1970'))).toEqual(['c']);
      expect(await find(criterion.date('birthdate', 'gt', '1970-06-15'))).toEqual(['c', 'f']);
      expect(await find(criterion.date('birthdate', 'lt', '1970'))).toEqual(['d']);
      expect(await find(criterion.date('birthdate', 'lt', '1970-06-15'))).toEqual(['a', 'd', 'f']);
      expect(await find(criterion.date('birthdate', 'ge', '1970'))).toEqual(['a', 'b', 'c', 'f']);
      expect(await find(criterion.date('birthdate', 'le', '1970'))).toEqual(['a', 'b', 'd', 'f']);
    });

    h.test('search date: sa, eb, ap', async () => {
      expect(await find(criterion.date('birthdate', 'sa', '1970-06-15'))).toEqual(['c']);
      expect(await find(criterion.date('birthdate', 'eb', '1970-06-15'))).toEqual(['a', 'd']);
      const approx = await find(criterion.date('birthdate', 'ap', '1970-01-01'));
      expect(approx).toContain('a');
      expect(approx).not.toContain('e');
    });

    h.test('search date: _lastUpdated uses the stored instant', async () => {
      const t2 = h.tenant();
      const x = await store.transaction(t2, (tx) => put(tx, patient('x')));
      await new Promise((r) => setTimeout(r, 5));
      const y = await store.transaction(t2, (tx) => put(tx, patient('y')));
      const search = async (c: SearchCriterion): Promise<string[]> => sorted(ids((await store.reader(t2).search(searchRequest('Patient', [c]))).resources));
      expect(await search(criterion.date('_lastUpdated', 'ge', y.lastUpdated))).toEqual(['y']);
      expect(await search(criterion.date('_lastUpdated', 'lt', y.lastUpdated))).toEqual(['x']);
      expect(await search(criterion.date('_lastUpdated', 'eq', x.lastUpdated))).toEqual(['x']);
      expect(await search(criterion.date('_lastUpdated', 'gt', x.lastUpdated.slice(0, 4)))).toEqual([]);
    });
  });
}
