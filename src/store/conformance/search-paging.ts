/** Sorting, keyset cursors in both directions, totals, multi-type search and unsupported input. */
import { describe, expect } from 'vitest';
import type { SearchRequest } from '../../fhir/search/types.ts';
import type { FhirStore } from '../store.ts';
import type { Harness } from './harness.ts';
import { expectFhirError } from './harness.ts';
import { criterion, ids, observation, patient, put, searchRequest, sortBy } from './fixtures.ts';

export function searchPagingSuite(h: Harness): void {
  describe('search: sort, paging, totals', () => {
    let store: FhirStore;
    let tenant: string;
    const find = async (request: SearchRequest): Promise<string[]> => ids((await store.reader(tenant).search(request)).resources);

    h.test('search sort: _id, parameters (missing values last) and multiple keys', async () => {
      store = await h.store();
      tenant = h.tenant();
      const inOrder = [
        patient('b', { family: 'Young', birthDate: '1990-01-01' }),
        patient('a', { family: 'Old', birthDate: '1950-01-01' }),
        patient('d', { family: 'Middle', birthDate: '1970-01-01' }),
        patient('c'),
        patient('e', { family: 'Middle', birthDate: '1971-01-01' }),
      ];
      for (const p of inOrder) {
        // Distinct lastUpdated values, so the _lastUpdated order is the write order.
        await store.transaction(tenant, (tx) => put(tx, p));
        await new Promise((r) => setTimeout(r, 3));
      }
      expect(await find(searchRequest('Patient', [], { sort: [sortBy('_id', 'token')] }))).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(await find(searchRequest('Patient', [], { sort: [sortBy('_id', 'token', true)] }))).toEqual(['e', 'd', 'c', 'b', 'a']);
      expect(await find(searchRequest('Patient', [], { sort: [sortBy('birthdate', 'date')] }))).toEqual(['a', 'd', 'e', 'b', 'c']);
      expect(await find(searchRequest('Patient', [], { sort: [sortBy('birthdate', 'date', true)] }))).toEqual(['b', 'e', 'd', 'a', 'c']);
      expect(await find(searchRequest('Patient', [], { sort: [sortBy('family', 'string'), sortBy('birthdate', 'date', true)] }))).toEqual(['e', 'd', 'a', 'b', 'c']);
      expect(await find(searchRequest('Patient', [], { sort: [sortBy('_lastUpdated', 'date')] }))).toEqual(['b', 'a', 'd', 'c', 'e']);
      // The default order is _lastUpdated, then id: stable and insertion-like.
      expect(await find(searchRequest('Patient'))).toEqual(['b', 'a', 'd', 'c', 'e']);
    });

    h.test('search paging: next cursors visit every match once; prev cursors walk back', async () => {
      const t = h.tenant();
      await store.transaction(t, async (tx) => {
        for (let i = 0; i < 23; i++) await put(tx, patient(`p${String(i).padStart(2, '0')}`, { family: i % 3 === 0 ? undefined : `F${i % 5}` }));
      });
      const reader = store.reader(t);
      for (const sort of [[], [sortBy('family', 'string')], [sortBy('family', 'string', true)], [sortBy('_id', 'token', true)]]) {
        const base = searchRequest('Patient', [], { count: 5, sort });
        const all = ids((await reader.search({ ...base, count: 100 })).resources);
        expect(all).toHaveLength(23);
        const pages: string[][] = [];
        let page = await reader.search(base);
        expect(page.prevCursor).toBeUndefined();
        for (;;) {
          expect(page.total).toBe(23);
          pages.push(ids(page.resources));
          if (!page.nextCursor) break;
          page = await reader.search({ ...base, cursor: page.nextCursor });
          expect(page.prevCursor).toBeDefined();
        }
        expect(pages.flat()).toEqual(all);
        expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 3]);
        // Walk back from the last page.
        const back: string[][] = [];
        while (page.prevCursor) {
          page = await reader.search({ ...base, cursor: page.prevCursor });
          back.unshift(ids(page.resources));
          expect(page.nextCursor).toBeDefined();
        }
        expect(back).toEqual(pages.slice(0, -1));
      }
    });

    h.test('search paging: total none/accurate, count 0, invalid cursor', async () => {
      const reader = store.reader(tenant);
      const none = await reader.search(searchRequest('Patient', [], { total: 'none' }));
      expect(none.total).toBeUndefined();
      expect(none.resources).toHaveLength(5);
      const countOnly = await reader.search(searchRequest('Patient', [criterion.string('family', ['middle'])], { count: 0 }));
      expect(countOnly.total).toBe(2);
      expect(countOnly.resources).toEqual([]);
      expect(countOnly.nextCursor).toBeUndefined();
      const estimate = await reader.search(searchRequest('Patient', [], { total: 'estimate' }));
      expect(estimate.total).toBeGreaterThanOrEqual(5);
      await expectFhirError(reader.search(searchRequest('Patient', [], { cursor: 'garbage' })), 'invalid');
    });

    h.test('search: several types and all types in one search', async () => {
      const t = h.tenant();
      await store.transaction(t, async (tx) => {
        await put(tx, patient('x'));
        await put(tx, observation('x', { subject: 'Patient/x' }));
        await put(tx, observation('y', { subject: 'Patient/x' }));
        await put(tx, { resourceType: 'Organization', id: 'x', name: 'Org' });
      });
      const reader = store.reader(t);
      const two = await reader.search(searchRequest(['Patient', 'Observation'], [criterion.token('_id', [{ code: 'x' }])], { sort: [sortBy('_id', 'token')] }));
      expect(two.resources.map((r) => `${r.resourceType}/${r.id}`)).toEqual(['Observation/x', 'Patient/x']);
      const all = await reader.search(searchRequest([], [], { count: 2, sort: [sortBy('_id', 'token')] }));
      expect(all.total).toBe(4);
      const next = await reader.search(searchRequest([], [], { count: 2, sort: [sortBy('_id', 'token')], cursor: all.nextCursor }));
      expect([...all.resources, ...next.resources].map((r) => `${r.resourceType}/${r.id}`)).toEqual(['Observation/x', 'Organization/x', 'Patient/x', 'Observation/y']);
      const byRef = await reader.search(searchRequest(['Observation', 'Patient'], [criterion.reference('subject', [{ targetType: 'Patient', targetId: 'x' }])]));
      expect(byRef.total).toBe(2);
    });

    h.test('search: unsupported parameter types and modifiers are invalid requests', async () => {
      const reader = store.reader(tenant);
      await expectFhirError(reader.search(searchRequest('Patient', [{ param: 'x', type: 'composite', values: [{ kind: 'string', value: 'a' }] }])), 'invalid');
      await expectFhirError(reader.search(searchRequest('Patient', [criterion.string('family', ['a'], 'below')])), 'invalid');
      await expectFhirError(reader.search(searchRequest('Patient', [{ param: 'family', type: 'string', values: [{ kind: 'token', code: 'a' }] }])), 'invalid');
    });
  });
}
