/** Create, read, update and delete through `writeVersion`/`readCurrent`. */
import { describe, expect } from 'vitest';
import type { Patient } from '@medplum/fhirtypes';
import type { Harness } from './harness.ts';
import { criterion, ids, patient, put, remove, searchRequest } from './fixtures.ts';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function crudSuite(h: Harness): void {
  describe('crud', () => {
    h.test('crud: create assigns version 1 and lastUpdated, keeps other meta, and reads back', async () => {
      const store = await h.store();
      const tenant = h.tenant();
      const input: Patient = { resourceType: 'Patient', id: 'client-id', meta: { versionId: '99', tag: [{ system: 'urn:t', code: 'x' }] }, gender: 'female' };
      const created = await store.transaction(tenant, (tx) => tx.writeVersion({ resourceType: 'Patient', id: 'p1', method: 'POST', resource: input }));
      expect(created).toMatchObject({ resourceType: 'Patient', id: 'p1', versionId: '1', deleted: false, method: 'POST' });
      expect(created.lastUpdated).toMatch(ISO_MS);
      expect(created.resource).toMatchObject({ resourceType: 'Patient', id: 'p1', gender: 'female' });
      expect(created.resource?.meta).toEqual({ versionId: '1', lastUpdated: created.lastUpdated, tag: [{ system: 'urn:t', code: 'x' }] });
      // The caller's object is not changed.
      expect(input.id).toBe('client-id');
      expect(input.meta?.versionId).toBe('99');

      const read = await store.reader(tenant).readCurrent('Patient', 'p1');
      expect(read).toEqual(created);
      expect(await store.reader(tenant).readVersion('Patient', 'p1', '1')).toEqual(created);
    });

    h.test('crud: unknown ids and types read as undefined', async () => {
      const store = await h.store();
      const tenant = h.tenant();
      await store.transaction(tenant, (tx) => put(tx, patient('p1')));
      const reader = store.reader(tenant);
      expect(await reader.readCurrent('Patient', 'p2')).toBeUndefined();
      expect(await reader.readCurrent('Observation', 'p1')).toBeUndefined();
      expect(await reader.readVersion('Patient', 'p1', '2')).toBeUndefined();
      expect(await reader.readVersion('Patient', 'p1', 'abc')).toBeUndefined();
      expect(await reader.readVersion('Patient', 'p1', '0')).toBeUndefined();
    });

    h.test('crud: update makes version 2 and replaces content and index rows', async () => {
      const store = await h.store();
      const tenant = h.tenant();
      await store.transaction(tenant, (tx) => put(tx, patient('p1', { family: 'Alpha' })));
      const updated = await store.transaction(tenant, (tx) => put(tx, patient('p1', { family: 'Beta' })));
      expect(updated.versionId).toBe('2');
      const reader = store.reader(tenant);
      expect((await reader.readCurrent('Patient', 'p1'))?.resource).toMatchObject({ name: [{ family: 'Beta' }] });
      expect((await reader.readVersion('Patient', 'p1', '1'))?.resource).toMatchObject({ name: [{ family: 'Alpha' }] });
      expect(ids((await reader.search(searchRequest('Patient', [criterion.string('family', ['alpha'])]))).resources)).toEqual([]);
      expect(ids((await reader.search(searchRequest('Patient', [criterion.string('family', ['beta'])]))).resources)).toEqual(['p1']);
    });

    h.test('crud: delete is a version without content; older versions stay readable; search stops matching', async () => {
      const store = await h.store();
      const tenant = h.tenant();
      await store.transaction(tenant, (tx) => put(tx, patient('p1', { family: 'Gone' })));
      const deleted = await store.transaction(tenant, (tx) => remove(tx, 'Patient', 'p1'));
      expect(deleted).toMatchObject({ id: 'p1', versionId: '2', deleted: true, method: 'DELETE' });
      expect(deleted.resource).toBeUndefined();
      const reader = store.reader(tenant);
      const current = await reader.readCurrent('Patient', 'p1');
      expect(current).toMatchObject({ versionId: '2', deleted: true });
      expect(current?.resource).toBeUndefined();
      expect((await reader.readVersion('Patient', 'p1', '2'))?.deleted).toBe(true);
      expect((await reader.readVersion('Patient', 'p1', '1'))?.resource).toMatchObject({ name: [{ family: 'Gone' }] });
      const found = await reader.search(searchRequest('Patient', [criterion.string('family', ['gone'])]));
      expect(found.resources).toEqual([]);
      expect(found.total).toBe(0);
      expect((await reader.search(searchRequest('Patient'))).total).toBe(0);
    });

    h.test('crud: re-creating a deleted resource continues its version sequence', async () => {
      const store = await h.store();
      const tenant = h.tenant();
      await store.transaction(tenant, (tx) => put(tx, patient('p1')));
      await store.transaction(tenant, (tx) => remove(tx, 'Patient', 'p1'));
      const again = await store.transaction(tenant, (tx) => put(tx, patient('p1', { family: 'Back' })));
      expect(again.versionId).toBe('3');
      expect(again.deleted).toBe(false);
      const found = await store.reader(tenant).search(searchRequest('Patient', [criterion.string('family', ['back'])]));
      expect(ids(found.resources)).toEqual(['p1']);
    });

    h.test('crud: the same id in two resource types is two resources', async () => {
      const store = await h.store();
      const tenant = h.tenant();
      await store.transaction(tenant, async (tx) => {
        await put(tx, patient('x1'));
        await put(tx, patient('x1'));
        await put(tx, { resourceType: 'Organization', id: 'x1', name: 'Org' });
      });
      const reader = store.reader(tenant);
      expect((await reader.readCurrent('Patient', 'x1'))?.versionId).toBe('2');
      expect((await reader.readCurrent('Organization', 'x1'))?.versionId).toBe('1');
    });

    h.test('crud: content round-trips exactly (unicode, decimals, nested arrays)', async () => {
      const store = await h.store();
      const tenant = h.tenant();
      const resource: Patient = {
        resourceType: 'Patient',
        id: 'u1',
        name: [{ family: 'Müller-Łukasiewicz', given: ['José', '山田'] }],
        extension: [{ url: 'urn:x', valueDecimal: 1.25 }],
        contact: [{ telecom: [{ system: 'phone', value: '+41 00' }] }],
      };
      await store.transaction(tenant, (tx) => put(tx, resource as Patient & { id: string }));
      const read = await store.reader(tenant).readCurrent('Patient', 'u1');
      const { meta: _meta, ...content } = read!.resource as Patient;
      expect(content).toEqual(resource);
      expect(Object.keys(read!.resource!).slice(0, 3)).toEqual(['resourceType', 'id', 'meta']);
    });
  });
}
