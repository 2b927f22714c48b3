/**
 * `latest`: a subject's newest resources per code from the `LATEST_PARAM` rows — grouped by code
 * across categories, newest first, `max` each, filtered by category and code, checked against
 * extra criteria (the caller's access rules: a resource they exclude gives its place to the next
 * newest), deleted and updated resources as they now are, and other subjects and practices never
 * seen. The store runs with a tiny indexer of its own, so this tests the store, not extraction.
 */
import type { Observation, Resource } from '@medplum/fhirtypes';
import { describe, expect } from 'vitest';
import { LATEST_PARAM, type IndexRow } from '../../fhir/search/types.ts';
import type { FhirStore, LatestQuery } from '../store.ts';
import { criterion, put, remove } from './fixtures.ts';
import type { Harness } from './harness.ts';

const LOINC = 'http://loinc.org';
const CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';

/** The latest rows (and a `status` token) of the test Observations: one code, categories, subject, effectiveDateTime. */
function latestIndexer(resource: Resource): IndexRow[] {
  if (resource.resourceType !== 'Observation') return [];
  const o = resource as Observation;
  const rows: IndexRow[] = [{ kind: 'token', param: 'status', system: null, code: o.status, text: null }];
  const at = Date.parse(o.effectiveDateTime as string);
  const coding = o.code.coding![0];
  const categories = (o.category ?? []).map((c) => c.coding![0]);
  for (const category of categories.length === 0 ? [{ system: '', code: '' }] : categories) {
    rows.push({
      kind: 'composite',
      param: LATEST_PARAM,
      first: { kind: 'token', param: '', system: coding.system ?? '', code: coding.code as string, text: null },
      second: { kind: 'token', param: '', system: category.system ?? '', code: category.code as string, text: null },
      subject: o.subject!.reference,
      at: { start: at, end: at },
    });
  }
  return rows;
}

function obs(id: string, patient: string, code: string, day: number, o: { categories?: string[]; status?: Observation['status'] } = {}): Observation & { id: string } {
  return {
    resourceType: 'Observation',
    id,
    status: o.status ?? 'final',
    category: (o.categories ?? ['vital-signs']).map((c) => ({ coding: [{ system: CATEGORY, code: c }] })),
    code: { coding: [{ system: LOINC, code }] },
    subject: { reference: `Patient/${patient}` },
    effectiveDateTime: new Date(Date.UTC(2024, 0, day)).toISOString(),
  };
}

export function latestSuite(h: Harness): void {
  describe(`${h.name}: latest per code`, () => {
    let store: FhirStore;
    const tenant = h.tenant();
    const ask = (q: Partial<LatestQuery>) =>
      store
        .reader(tenant)
        .latest({ resourceType: 'Observation', subject: 'Patient/a', max: 1, criteria: [], ...q })
        .then((groups) => groups.map((g) => `${g.code}:${g.resources.map((r) => r.id).join(',')}`));

    h.test('latest: newest per code, grouped across categories, filtered, narrowed by criteria', async () => {
      await h.store();
      store = await h.open(latestIndexer);
      await store.transaction(tenant, async (tx) => {
        // Weights on days 1..5, heart rates on days 2 and 4, an A1c (laboratory), one with two categories.
        for (let day = 1; day <= 5; day++) await put(tx, obs(`w${day}`, 'a', '29463-7', day));
        await put(tx, obs('hr2', 'a', '8867-4', 2));
        await put(tx, obs('hr4', 'a', '8867-4', 4, { status: 'preliminary' }));
        await put(tx, obs('a1c', 'a', '4548-4', 3, { categories: ['laboratory'] }));
        await put(tx, obs('both', 'a', '4548-4', 9, { categories: ['laboratory', 'vital-signs'] }));
        await put(tx, obs('nocat', 'a', '2339-0', 1, { categories: [] }));
        // Another patient's newer weight, and the same in another practice.
        await put(tx, obs('wb', 'b', '29463-7', 30));
      });
      await store.transaction(h.tenant(), (tx) => put(tx, obs('other', 'a', '29463-7', 31)));

      expect(await ask({})).toEqual(['2339-0:nocat', '29463-7:w5', '4548-4:both', '8867-4:hr4']);
      expect(await ask({ max: 3 })).toEqual(['2339-0:nocat', '29463-7:w5,w4,w3', '4548-4:both,a1c', '8867-4:hr4,hr2']);
      expect(await ask({ categories: [{ kind: 'token', system: CATEGORY, code: 'vital-signs' }], max: 2 })).toEqual(['29463-7:w5,w4', '4548-4:both', '8867-4:hr4,hr2']);
      expect(await ask({ categories: [{ kind: 'token', code: 'laboratory' }], max: 5 })).toEqual(['4548-4:both,a1c']);
      expect(await ask({ codes: [{ kind: 'token', system: LOINC, code: '8867-4' }, { kind: 'token', code: '2339-0' }] })).toEqual(['2339-0:nocat', '8867-4:hr4']);
      expect(await ask({ codes: [{ kind: 'token', system: 'urn:other', code: '8867-4' }] })).toEqual([]);
      // A criterion that excludes the newest heart rate: the one before takes its place.
      expect(await ask({ codes: [{ kind: 'token', code: '8867-4' }], criteria: [criterion.token('status', [{ code: 'final' }])] })).toEqual(['8867-4:hr2']);
      expect(await ask({ subject: 'Patient/b' })).toEqual(['29463-7:wb']);
      expect(await ask({ subject: 'Patient/nobody' })).toEqual([]);

      // Deleted and updated resources count as they now are.
      await store.transaction(tenant, async (tx) => {
        await remove(tx, 'Observation', 'w5');
        await put(tx, { ...obs('w1', 'a', '29463-7', 20) });
      });
      expect(await ask({ codes: [{ kind: 'token', code: '29463-7' }], max: 2 })).toEqual(['29463-7:w1,w4']);
    });

    h.test('latest: reads the newest of each code without reading the whole record', async () => {
      await h.store();
      const s = await h.open(latestIndexer);
      const big = h.tenant();
      try {
        // 3 codes × 400 days; the plan must not depend on how many there are, so check the answer is right and quick.
        await s.transaction(big, async (tx) => {
          for (let day = 1; day <= 400; day++) for (const code of ['8480-6', '8462-4', '8867-4']) await put(tx, obs(`${code}-${day}`, 'p', code, day));
        });
        const started = performance.now();
        const groups = await s.reader(big).latest({ resourceType: 'Observation', subject: 'Patient/p', max: 2, criteria: [] });
        const elapsed = performance.now() - started;
        expect(groups.map((g) => g.resources.map((r) => r.id))).toEqual([['8462-4-400', '8462-4-399'], ['8480-6-400', '8480-6-399'], ['8867-4-400', '8867-4-399']]);
        expect(elapsed).toBeLessThan(1000);
      } finally {
        await s.close();
      }
    }, 120_000);
  });
}
