/** Reference and uri search, chained parameters and `_has`. */
import { describe, expect } from 'vitest';
import type { SearchCriterion } from '../../fhir/search/types.ts';
import type { FhirStore } from '../store.ts';
import type { Harness } from './harness.ts';
import { criterion, ids, observation, patient, put, remove, searchRequest, sorted } from './fixtures.ts';

export function searchReferenceSuite(h: Harness): void {
  describe('search: reference, uri, chain, _has', () => {
    let store: FhirStore;
    let tenant: string;
    const find = async (type: string | string[], ...criteria: SearchCriterion[]): Promise<string[]> =>
      sorted(ids((await store.reader(tenant).search(searchRequest(type, criteria))).resources));

    h.test('search reference: by type and id, by id, by URL, :missing', async () => {
      store = await h.store();
      tenant = h.tenant();
      await store.transaction(tenant, async (tx) => {
        await put(tx, patient('p1', { family: 'Smith', org: 'org1' }));
        await put(tx, patient('p2', { family: 'Jones', org: 'org2' }));
        await put(tx, patient('p3', { family: 'Smithers' }));
        await put(tx, { resourceType: 'Organization', id: 'org1', name: 'Acme' });
        await put(tx, { resourceType: 'Organization', id: 'org2', name: 'Beta' });
        await put(tx, observation('o1', { subject: 'Patient/p1', code: 'A' }));
        await put(tx, observation('o2', { subject: 'Patient/p2', code: 'B' }));
        await put(tx, observation('o3', { subject: 'http://elsewhere.example/fhir/Patient/9', code: 'A' }));
        await put(tx, observation('o4', { code: 'A' }));
        await put(tx, observation('o5', { subject: 'Patient/p3', code: 'C' }));
        await put(tx, observation('o6', { subject: 'Group/p1', code: 'A' }));
      });
      expect(await find('Observation', criterion.reference('subject', [{ targetType: 'Patient', targetId: 'p1' }]))).toEqual(['o1']);
      expect(await find('Observation', criterion.reference('subject', [{ targetId: 'p1' }]))).toEqual(['o1', 'o6']);
      expect(await find('Observation', criterion.reference('subject', [{ url: 'http://elsewhere.example/fhir/Patient/9' }]))).toEqual(['o3']);
      expect(await find('Observation', criterion.reference('subject', [{ targetType: 'Patient', targetId: 'p1' }, { targetType: 'Patient', targetId: 'p2' }]))).toEqual(['o1', 'o2']);
      expect(await find('Observation', { ...criterion.reference('subject', [{ targetId: 'p1' }]), modifier: 'Group' })).toEqual(['o6']);
      expect(await find('Observation', criterion.missing('subject', 'reference', true))).toEqual(['o4']);
    });

    h.test('search reference: chained parameters follow the reference to live targets', async () => {
      const chain = (param: string, targetType: string, inner: SearchCriterion): SearchCriterion => ({ param, type: 'reference', values: [], chain: { targetType, criterion: inner } });
      expect(await find('Observation', chain('subject', 'Patient', criterion.string('family', ['smith'])))).toEqual(['o1', 'o5']);
      expect(await find('Observation', chain('subject', 'Patient', chain('organization', 'Organization', criterion.string('name', ['acme']))))).toEqual(['o1']);
      expect(
        await find('Observation', chain('subject', 'Patient', criterion.string('family', ['smith'])), criterion.token('code', [{ code: 'C' }])),
      ).toEqual(['o5']);
      await store.transaction(tenant, (tx) => remove(tx, 'Patient', 'p3'));
      expect(await find('Observation', chain('subject', 'Patient', criterion.string('family', ['smith'])))).toEqual(['o1']);
    });

    h.test('search reference: _has finds resources referred to by matching resources', async () => {
      const has = (sourceType: string, referenceParam: string, inner: SearchCriterion): SearchCriterion => ({ param: '_has', type: 'special', values: [], has: { sourceType, referenceParam, criterion: inner } });
      expect(await find('Patient', has('Observation', 'subject', criterion.token('code', [{ code: 'A' }])))).toEqual(['p1']);
      expect(await find('Patient', has('Observation', 'subject', criterion.token('code', [{ code: 'A' }, { code: 'B' }])))).toEqual(['p1', 'p2']);
      expect(await find('Patient', has('Observation', 'subject', criterion.token('code', [{ code: 'Z' }])))).toEqual([]);
      expect(await find('Organization', has('Patient', 'organization', has('Observation', 'subject', criterion.token('code', [{ code: 'B' }]))))).toEqual(['org2']);
      expect(await find(['Patient', 'Group'], has('Observation', 'subject', criterion.token('code', [{ code: 'A' }])))).toEqual(['p1']);
      await store.transaction(tenant, (tx) => remove(tx, 'Observation', 'o2'));
      expect(await find('Patient', has('Observation', 'subject', criterion.token('code', [{ code: 'B' }])))).toEqual([]);
    });

    h.test('search uri: equality, :below and :above', async () => {
      await store.transaction(tenant, async (tx) => {
        for (const [id, url] of [['v1', 'http://acme.org/fhir/ValueSet/a'], ['v2', 'http://acme.org/fhir/ValueSet/a/b'], ['v3', 'http://other.org/ValueSet/a']]) {
          await tx.writeVersion({ resourceType: 'ValueSet', id, method: 'PUT', resource: { resourceType: 'ValueSet', id, url, status: 'active' } });
        }
      });
      expect(await find('ValueSet', criterion.uri('url', 'http://acme.org/fhir/ValueSet/a'))).toEqual(['v1']);
      expect(await find('ValueSet', criterion.uri('url', 'http://acme.org/fhir/', 'below'))).toEqual(['v1', 'v2']);
      expect(await find('ValueSet', criterion.uri('url', 'http://acme.org/fhir/ValueSet/a/b/c', 'above'))).toEqual(['v1', 'v2']);
      expect(await find('ValueSet', criterion.uri('url', 'http://acme.org/fhir'))).toEqual([]);
    });
  });
}
