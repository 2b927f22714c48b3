/**
 * Broad searches: more matches than the default total counts (`TOTAL_CAP`), where the store reads
 * pages in index order instead of collecting and sorting every match. Orders are checked against
 * the same order computed here, across pages and in both directions; totals against the cap.
 */
import type { Resource } from '@medplum/fhirtypes';
import { describe, expect } from 'vitest';
import type { SearchCriterion, SearchRequest, SortKey } from '../../fhir/search/types.ts';
import { TOTAL_CAP, type FhirStore } from '../store.ts';
import type { Harness } from './harness.ts';
import { criterion, ids, patient, put, remove, searchRequest, sortBy } from './fixtures.ts';

const COUNT = TOTAL_CAP + 50;

interface Made {
  id: string;
  families: string[];
  birthDate: string;
  gender: 'male' | 'female';
}

/** Patient i: most have a family (F0…F6), one in ten none, some the same family twice, some a second, earlier one (E0…E2). */
function made(i: number): Made {
  const id = `p${String(i).padStart(5, '0')}`;
  const families: string[] = [];
  if (i % 10 !== 9) families.push(`F${i % 7}`);
  if (i % 13 === 0 && families.length > 0) families.push(families[0]);
  if (i % 17 === 0) families.push(`E${i % 3}`);
  const birthDate = `19${50 + (i % 40)}-01-${String(1 + (i % 3)).padStart(2, '0')}`;
  return { id, families, birthDate, gender: i % 2 === 0 ? 'female' : 'male' };
}

function resourceOf(m: Made): Resource & { id: string } {
  return { resourceType: 'Patient', id: m.id, name: m.families.map((family) => ({ family })), birthDate: m.birthDate, gender: m.gender };
}

/** A parameter's sort value per FHIR: the smallest ascending, the largest descending; none sorts last either way. */
function expectedOrder(all: readonly Made[], key: (m: Made) => string[], descending: boolean): string[] {
  const withKey = all.map((m) => {
    const values = key(m).map((v) => v.toLowerCase()).sort();
    return { id: m.id, value: values.length === 0 ? undefined : descending ? values[values.length - 1] : values[0] };
  });
  const sign = descending ? -1 : 1;
  withKey.sort((a, b) => {
    if (a.value === undefined || b.value === undefined) {
      if (a.value !== b.value) return a.value === undefined ? 1 : -1;
    } else if (a.value !== b.value) return (a.value < b.value ? -1 : 1) * sign;
    // Ties (and the resources without a value) by id, in the direction of the key.
    return (a.id < b.id ? -1 : 1) * sign;
  });
  return withKey.map((k) => k.id);
}

export function searchBroadSuite(h: Harness): void {
  describe('search: broad (more matches than the default total counts)', () => {
    let store: FhirStore;
    let tenant: string;
    const all: Made[] = Array.from({ length: COUNT }, (_, i) => made(i));

    /** Every page by `next` cursors, then back by `prev` cursors from the last; both must agree. */
    const walk = async (criteria: SearchCriterion[], sort: SortKey[], count: number): Promise<string[]> => {
      const reader = store.reader(tenant);
      const base: SearchRequest = searchRequest('Patient', criteria, { sort, count, total: 'none' });
      const pages: string[][] = [];
      let page = await reader.search(base);
      for (;;) {
        pages.push(ids(page.resources));
        if (!page.nextCursor) break;
        page = await reader.search({ ...base, cursor: page.nextCursor });
      }
      const back: string[][] = [];
      while (page.prevCursor) {
        page = await reader.search({ ...base, cursor: page.prevCursor });
        back.unshift(ids(page.resources));
      }
      expect(back).toEqual(pages.slice(0, -1));
      return pages.flat();
    };

    h.test(
      'broad search: a parameter sort walks every match once in order, missing values last, equal values by id, both directions',
      async () => {
        store = await h.store();
        tenant = h.tenant();
        await store.transaction(tenant, async (tx) => {
          for (const m of all) await put(tx, resourceOf(m));
        });
        const family = (m: Made): string[] => m.families;
        expect(await walk([], [sortBy('family', 'string')], 97)).toEqual(expectedOrder(all, family, false));
        expect(await walk([], [sortBy('family', 'string', true)], 150)).toEqual(expectedOrder(all, family, true));
        const birthDate = (m: Made): string[] => [m.birthDate];
        const women = all.filter((m) => m.gender === 'female');
        expect(await walk([criterion.token('gender', [{ code: 'female' }])], [sortBy('birthdate', 'date', true)], 60)).toEqual(expectedOrder(women, birthDate, true));
      },
      120_000,
    );

    h.test('broad search: several sort keys and the default order page through every match', async () => {
      const byFamilyThenBirth = [...all].sort((a, b) => {
        const fa = [...a.families].sort()[0];
        const fb = [...b.families].sort()[0];
        if (fa !== fb) return fa === undefined ? 1 : fb === undefined ? -1 : fa < fb ? -1 : 1;
        if (a.birthDate !== b.birthDate) return a.birthDate < b.birthDate ? 1 : -1;
        return a.id < b.id ? -1 : 1;
      });
      expect(await walk([], [sortBy('family', 'string'), sortBy('birthdate', 'date', true)], 200)).toEqual(byFamilyThenBirth.map((m) => m.id));
      // A second key only the resource's own row holds (its last update): the walk reads that row.
      const stored = (await store.reader(tenant).search(searchRequest('Patient', [], { count: 1000, total: 'none' }))).resources;
      const updated = new Map(stored.map((r) => [r.id!, Date.parse(r.meta!.lastUpdated!)]));
      const byFamilyThenUpdated = [...all].sort((a, b) => {
        const fa = [...a.families].sort()[0];
        const fb = [...b.families].sort()[0];
        if (fa !== fb) return fa === undefined ? 1 : fb === undefined ? -1 : fa < fb ? -1 : 1;
        if (updated.get(a.id) !== updated.get(b.id)) return updated.get(b.id)! - updated.get(a.id)!;
        return a.id < b.id ? -1 : 1;
      });
      expect(await walk([], [sortBy('family', 'string'), sortBy('_lastUpdated', 'date', true)], 40)).toEqual(byFamilyThenUpdated.map((m) => m.id));
      const everyone = await walk([criterion.string('name', ['f'])], [], 250);
      expect([...everyone].sort()).toEqual(all.filter((m) => m.families.some((f) => f.startsWith('F'))).map((m) => m.id));
    });

    h.test('broad search: the default total is exact up to the cap and left out above it; accurate counts every match', async () => {
      const reader = store.reader(tenant);
      const everyone = searchRequest('Patient', [], { count: 10, total: 'estimate' });
      expect((await reader.search(everyone)).total).toBeUndefined();
      expect((await reader.search({ ...everyone, total: 'accurate' })).total).toBe(COUNT);
      expect((await reader.search({ ...everyone, total: 'accurate', count: 0 })).total).toBe(COUNT);
      const born = [criterion.date('birthdate', 'lt', '2000')];
      expect((await reader.search({ ...everyone, criteria: born })).total).toBeUndefined();
      expect((await reader.search({ ...everyone, criteria: born, total: 'accurate' })).total).toBe(COUNT);
      // Under the cap, the estimate is the exact count, though the type holds more resources.
      const withF3 = all.filter((m) => m.families.includes('F3')).length;
      expect(withF3).toBeLessThanOrEqual(TOTAL_CAP);
      expect((await reader.search({ ...everyone, criteria: [criterion.string('name', ['f3'])] })).total).toBe(withF3);
      const women = all.filter((m) => m.gender === 'female').length;
      expect(women).toBeLessThanOrEqual(TOTAL_CAP);
      expect((await reader.search({ ...everyone, criteria: [criterion.token('gender', [{ code: 'female' }])] })).total).toBe(women);
      // Over the cap with a criterion: left out.
      expect((await reader.search({ ...everyone, criteria: [criterion.string('name', ['f'])] })).total).toBeUndefined();
      expect((await reader.search({ ...everyone, total: 'none' })).total).toBeUndefined();
    });

    h.test('broad search: a substring total in a large type is exact under the cap, with five matching rows per resource', async () => {
      const own = await h.store();
      const t = h.tenant();
      // 90 of 420 Patients hold 'qq' in all five name rows; each one's rows sort together, so the
      // first few hundred rows read name fewer resources than match.
      await own.transaction(t, async (tx) => {
        for (let i = 0; i < 420; i++) {
          const n = String(i).padStart(3, '0');
          await put(tx, i % 14 < 3 ? patient(`q${n}`, { family: `qq${n}`, given: ['a', 'b', 'c', 'd'].map((x) => `qq${n}${x}`) }) : patient(`o${n}`, { family: `Other${n}`, given: ['Ann'] }));
        }
      });
      const found = await own.reader(t).search(searchRequest('Patient', [criterion.string('name', ['qq'], 'contains')], { count: 10, total: 'estimate' }));
      expect(found.total).toBe(90);
      expect(found.resources).toHaveLength(10);
    });

    h.test('broad search: a total counts each resource once, whatever its matching rows, and no deleted one', async () => {
      const reader = store.reader(tenant);
      const named = (prefix: string) => all.filter((m) => m.families.some((f) => f.toLowerCase().startsWith(prefix))).map((m) => m.id);
      const total = async (prefix: string, o: Partial<SearchRequest>) => (await reader.search(searchRequest('Patient', [criterion.string('name', [prefix])], { count: 10, ...o }))).total;
      // Some patients hold F<n> twice or an E name besides: one match each.
      expect(all.some((m) => m.families.length > 1 && m.families.every((f) => f.startsWith('F')))).toBe(true);
      expect(await total('f', { total: 'accurate' })).toBe(named('f').length);
      expect(await total('f', { total: 'accurate', count: 0 })).toBe(named('f').length);
      expect(named('f').length).toBeGreaterThan(TOTAL_CAP);
      const eNamed = named('e');
      expect(eNamed.length).toBeGreaterThan(1);
      expect(await total('e', { total: 'estimate' })).toBe(eNamed.length);
      // Deleted: counted by neither the default total nor an accurate one.
      const gone = all.find((m) => m.families.some((f) => f.startsWith('E')) && m.families.some((f) => f.startsWith('F')))!;
      await store.transaction(tenant, (tx) => remove(tx, 'Patient', gone.id));
      expect(await total('e', { total: 'estimate' })).toBe(eNamed.length - 1);
      expect(await total('e', { total: 'accurate' })).toBe(eNamed.length - 1);
      expect(await total('f', { total: 'accurate' })).toBe(named('f').length - 1);
    });
  });
}
