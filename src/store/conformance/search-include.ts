/** `_include` / `_revinclude`: the page's references, iterate, deleted targets, de-duplication. */
import { describe, expect } from 'vitest';
import type { Resource } from '@medplum/fhirtypes';
import type { FhirStore } from '../store.ts';
import type { Harness } from './harness.ts';
import { criterion, observation, patient, put, remove, searchRequest, sorted } from './fixtures.ts';

const keys = (resources: Resource[]): string[] => sorted(resources.map((r) => `${r.resourceType}/${r.id}`));

export function searchIncludeSuite(h: Harness): void {
  describe('search: _include and _revinclude', () => {
    let store: FhirStore;
    let tenant: string;

    h.test('search include: _include adds each referenced resource once', async () => {
      store = await h.store();
      tenant = h.tenant();
      await store.transaction(tenant, async (tx) => {
        await put(tx, { resourceType: 'Organization', id: 'org1', name: 'Acme' });
        await put(tx, patient('p1', { org: 'org1' }));
        await put(tx, patient('p2', { org: 'org1' }));
        await put(tx, { resourceType: 'Encounter', id: 'e1', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/p1' } });
        await put(tx, observation('o1', { subject: 'Patient/p1', encounter: 'Encounter/e1', code: 'A' }));
        await put(tx, observation('o2', { subject: 'Patient/p1', code: 'A' }));
        await put(tx, observation('o3', { subject: 'Patient/p2', code: 'A' }));
        await put(tx, observation('o4', { subject: 'Patient/gone', code: 'A' }));
        await put(tx, patient('gone'));
        await remove(tx, 'Patient', 'gone');
        await put(tx, { resourceType: 'Provenance', id: 'prov1', recorded: '2020-01-01T00:00:00Z', agent: [{ who: { display: 'x' } }], target: [{ reference: 'Patient/p1' }] });
      });
      const reader = store.reader(tenant);
      const page = await reader.search(searchRequest('Observation', [criterion.token('code', [{ code: 'A' }])], { include: [{ sourceType: 'Observation', param: 'subject', iterate: false }] }));
      expect(keys(page.resources)).toEqual(['Observation/o1', 'Observation/o2', 'Observation/o3', 'Observation/o4']);
      expect(keys(page.included)).toEqual(['Patient/p1', 'Patient/p2']);

      const typed = await reader.search(searchRequest('Observation', [], { include: [{ sourceType: 'Observation', param: 'subject', targetType: 'Organization', iterate: false }] }));
      expect(typed.included).toEqual([]);
      const wildcard = await reader.search(searchRequest('Observation', [criterion.token('_id', [{ code: 'o1' }])], { include: [{ sourceType: 'Observation', param: '*', iterate: false }] }));
      expect(keys(wildcard.included)).toEqual(['Encounter/e1', 'Patient/p1']);
    });

    h.test('search include: :iterate follows included resources; only the page is the starting point', async () => {
      const reader = store.reader(tenant);
      const iterate = await reader.search(
        searchRequest('Observation', [criterion.token('_id', [{ code: 'o3' }])], {
          include: [
            { sourceType: 'Observation', param: 'subject', iterate: false },
            { sourceType: 'Patient', param: 'organization', iterate: true },
          ],
        }),
      );
      expect(keys(iterate.included)).toEqual(['Organization/org1', 'Patient/p2']);
      const firstPageOnly = await reader.search(
        searchRequest('Observation', [], { count: 1, sort: [{ param: '_id', type: 'token', descending: false }], include: [{ sourceType: 'Observation', param: 'subject', iterate: false }] }),
      );
      expect(keys(firstPageOnly.resources)).toEqual(['Observation/o1']);
      expect(keys(firstPageOnly.included)).toEqual(['Patient/p1']);
    });

    h.test('search include: _revinclude adds resources that refer to the page, never a match twice', async () => {
      const reader = store.reader(tenant);
      const rev = await reader.search(
        searchRequest('Patient', [criterion.token('_id', [{ code: 'p1' }])], {
          revinclude: [
            { sourceType: 'Observation', param: 'subject', iterate: false },
            { sourceType: 'Provenance', param: 'target', iterate: false },
          ],
        }),
      );
      expect(keys(rev.included)).toEqual(['Observation/o1', 'Observation/o2', 'Provenance/prov1']);
      const both = await reader.search(
        searchRequest(['Patient', 'Organization'], [], {
          include: [{ sourceType: 'Patient', param: 'organization', iterate: false }],
          revinclude: [{ sourceType: 'Patient', param: 'organization', iterate: false }],
        }),
      );
      expect(keys(both.resources)).toEqual(['Organization/org1', 'Patient/p1', 'Patient/p2']);
      expect(both.included).toEqual([]);
    });
  });
}
