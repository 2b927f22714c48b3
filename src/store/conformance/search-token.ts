/** Token search: code, system|code, |code, system|, `:not`, `:text`, `_id`, `_tag`. */
import { describe, expect } from 'vitest';
import type { SearchCriterion } from '../../fhir/search/types.ts';
import type { FhirStore } from '../store.ts';
import type { Harness } from './harness.ts';
import { criterion, ids, observation, patient, put, searchRequest, sorted } from './fixtures.ts';

export function searchTokenSuite(h: Harness): void {
  describe('search: token', () => {
    let store: FhirStore;
    let tenant: string;
    const find = async (type: string, ...criteria: SearchCriterion[]): Promise<string[]> =>
      sorted(ids((await store.reader(tenant).search(searchRequest(type, criteria))).resources));

    h.test('search token: code, system|code, system| and |code', async () => {
      store = await h.store();
      tenant = h.tenant();
      await store.transaction(tenant, async (tx) => {
        await put(tx, patient('p1', { identifier: 'A1', gender: 'male' }));
        await put(tx, patient('p2', { identifier: 'B2', gender: 'female' }));
        await put(tx, { ...patient('p3', { gender: 'male' }), identifier: [{ system: 'urn:other', value: 'A1' }] } as ReturnType<typeof patient>);
        await put(tx, { ...patient('p4'), meta: { tag: [{ system: 'urn:tags', code: 'vip' }] } });
        await put(tx, observation('o1', { code: '2345-7', display: 'Glucose [Mass/volume] in Serum' }));
        await put(tx, observation('o2', { code: '718-7', display: 'Hemoglobin' }));
      });
      expect(await find('Patient', criterion.token('identifier', [{ code: 'A1' }]))).toEqual(['p1', 'p3']);
      expect(await find('Patient', criterion.token('identifier', [{ system: 'urn:mrn', code: 'A1' }]))).toEqual(['p1']);
      expect(await find('Patient', criterion.token('identifier', [{ system: 'urn:mrn' }]))).toEqual(['p1', 'p2']);
      expect(await find('Patient', criterion.token('identifier', [{ system: null, code: 'A1' }]))).toEqual([]);
      expect(await find('Patient', criterion.token('gender', [{ system: null, code: 'male' }]))).toEqual(['p1', 'p3']);
      expect(await find('Patient', criterion.token('identifier', [{ code: 'a1' }]))).toEqual([]);
      expect(await find('Patient', criterion.token('identifier', [{ code: 'B2' }, { system: 'urn:other', code: 'A1' }]))).toEqual(['p2', 'p3']);
    });

    h.test('search token: :not excludes matches and keeps resources without the element', async () => {
      expect(await find('Patient', criterion.token('gender', [{ code: 'male' }], 'not'))).toEqual(['p2', 'p4']);
      expect(await find('Patient', criterion.token('gender', [{ code: 'male' }, { code: 'female' }], 'not'))).toEqual(['p4']);
    });

    h.test('search token: :text is starts-with on the normalised display', async () => {
      expect(await find('Observation', criterion.token('code', [{ code: 'glucose' }], 'text'))).toEqual(['o1']);
      expect(await find('Observation', { param: 'code', type: 'token', modifier: 'text', values: [{ kind: 'string', value: 'hemo' }] })).toEqual(['o2']);
      expect(await find('Observation', criterion.token('code', [{ code: 'serum' }], 'text'))).toEqual([]);
    });

    h.test('search token: a parameter with 2,000 comma-separated values (deeper than SQLite allows as one flat OR)', async () => {
      const codes = Array.from({ length: 2000 }, (_, i) => ({ system: 'urn:mrn', code: `X${i}` }));
      expect(await find('Patient', criterion.token('identifier', [...codes, { system: 'urn:mrn', code: 'B2' }]))).toEqual(['p2']);
      expect(await find('Patient', criterion.token('identifier', [...codes, { code: 'A1' }], 'not'))).toEqual(['p2', 'p4']);
    });

    h.test('search token: _id and _tag', async () => {
      expect(await find('Patient', criterion.token('_id', [{ code: 'p1' }, { code: 'p4' }, { code: 'o1' }]))).toEqual(['p1', 'p4']);
      expect(await find('Patient', criterion.token('_id', [{ code: 'p1' }], 'not'))).toEqual(['p2', 'p3', 'p4']);
      expect(await find('Patient', criterion.token('_tag', [{ system: 'urn:tags', code: 'vip' }]))).toEqual(['p4']);
      expect(await find('Patient', criterion.token('_tag', [{ system: 'urn:other', code: 'vip' }]))).toEqual([]);
    });
  });
}
