/** String search: starts-with on normalised values, `:exact`, `:contains`, OR/AND, `:missing`. */
import { describe, expect } from 'vitest';
import type { SearchCriterion } from '../../fhir/search/types.ts';
import type { FhirStore } from '../store.ts';
import type { Harness } from './harness.ts';
import { criterion, ids, patient, put, searchRequest, sorted } from './fixtures.ts';

async function seed(store: FhirStore, tenant: string): Promise<void> {
  await store.transaction(tenant, async (tx) => {
    await put(tx, patient('p1', { family: 'Smith', given: ['John'] }));
    await put(tx, patient('p2', { family: 'Smythe', given: ['Jane'] }));
    await put(tx, patient('p3', { family: 'Müller', given: ['Zoë'] }));
    await put(tx, patient('p4', { family: 'Blacksmith', given: ['Ab'] }));
    await put(tx, patient('p5'));
  });
}

export function searchStringSuite(h: Harness): void {
  describe('search: string', () => {
    let store: FhirStore;
    let tenant: string;
    const find = async (...criteria: SearchCriterion[]): Promise<string[]> =>
      sorted(ids((await store.reader(tenant).search(searchRequest('Patient', criteria))).resources));

    h.test('search string: default is case- and accent-insensitive starts-with', async () => {
      store = await h.store();
      tenant = h.tenant();
      await seed(store, tenant);
      expect(await find(criterion.string('family', ['smi']))).toEqual(['p1']);
      expect(await find(criterion.string('family', ['SM']))).toEqual(['p1', 'p2']);
      expect(await find(criterion.string('family', ['mul']))).toEqual(['p3']);
      expect(await find(criterion.string('name', ['zoe']))).toEqual(['p3']);
      expect(await find(criterion.string('family', ['smith']))).toEqual(['p1']);
      expect(await find(criterion.string('family', ['smithy']))).toEqual([]);
    });

    h.test('search string: :exact compares the value as written', async () => {
      expect(await find(criterion.string('family', ['Smith'], 'exact'))).toEqual(['p1']);
      expect(await find(criterion.string('family', ['smith'], 'exact'))).toEqual([]);
      expect(await find(criterion.string('family', ['Müller'], 'exact'))).toEqual(['p3']);
      expect(await find(criterion.string('family', ['Smit'], 'exact'))).toEqual([]);
    });

    h.test('search string: :contains matches anywhere and treats % and _ literally', async () => {
      expect(await find(criterion.string('family', ['smith'], 'contains'))).toEqual(['p1', 'p4']);
      expect(await find(criterion.string('family', ['YTH'], 'contains'))).toEqual(['p2']);
      expect(await find(criterion.string('family', ['%'], 'contains'))).toEqual([]);
      expect(await find(criterion.string('family', ['s_ith'], 'contains'))).toEqual([]);
    });

    h.test('search string: values are OR-ed, criteria AND-ed', async () => {
      expect(await find(criterion.string('family', ['smi', 'mul']))).toEqual(['p1', 'p3']);
      expect(await find(criterion.string('name', ['john']), criterion.string('family', ['smi']))).toEqual(['p1']);
      expect(await find(criterion.string('name', ['jane']), criterion.string('family', ['smi']))).toEqual([]);
      expect(await find(criterion.string('name', ['j']), criterion.string('family', ['smi', 'smy']))).toEqual(['p1', 'p2']);
    });

    h.test('search string: :missing', async () => {
      expect(await find(criterion.missing('family', 'string', true))).toEqual(['p5']);
      expect(await find(criterion.missing('family', 'string', false))).toEqual(['p1', 'p2', 'p3', 'p4']);
    });
  });
}
