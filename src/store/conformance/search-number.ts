/** Number and quantity search: prefixes against the value and its precision, units. */
import { describe, expect } from 'vitest';
import type { SearchCriterion } from '../../fhir/search/types.ts';
import type { FhirStore } from '../store.ts';
import type { Harness } from './harness.ts';
import { criterion, ids, observation, put, searchRequest, sorted } from './fixtures.ts';

const UCUM = 'http://unitsofmeasure.org';

export function searchNumberSuite(h: Harness): void {
  describe('search: number and quantity', () => {
    let store: FhirStore;
    let tenant: string;
    const find = async (type: string, ...criteria: SearchCriterion[]): Promise<string[]> =>
      sorted(ids((await store.reader(tenant).search(searchRequest(type, criteria))).resources));

    h.test('search number: every prefix', async () => {
      store = await h.store();
      tenant = h.tenant();
      await store.transaction(tenant, async (tx) => {
        for (const [id, p] of [['r20', 0.2], ['r50', 0.5], ['r57', 0.57], ['r90', 0.9]] as const) {
          await tx.writeVersion({ resourceType: 'RiskAssessment', id, method: 'PUT', resource: { resourceType: 'RiskAssessment', id, status: 'final', subject: { reference: 'Patient/x' }, prediction: [{ probabilityDecimal: p }] } });
        }
        await tx.writeVersion({ resourceType: 'RiskAssessment', id: 'none', method: 'PUT', resource: { resourceType: 'RiskAssessment', id: 'none', status: 'final', subject: { reference: 'Patient/x' } } });
      });
      const n = (prefix: Parameters<typeof criterion.number>[1], value: number): Promise<string[]> => find('RiskAssessment', criterion.number('probability', prefix, value));
      expect(await n('eq', 0.5)).toEqual(['r50']);
      expect(await n('eq', 0.6)).toEqual(['r57']);
      expect(await n('ne', 0.5)).toEqual(['r20', 'r57', 'r90']);
      expect(await n('gt', 0.5)).toEqual(['r57', 'r90']);
      expect(await n('ge', 0.5)).toEqual(['r50', 'r57', 'r90']);
      expect(await n('lt', 0.5)).toEqual(['r20']);
      expect(await n('le', 0.5)).toEqual(['r20', 'r50']);
      expect(await n('sa', 0.5)).toEqual(['r57', 'r90']);
      expect(await n('eb', 0.5)).toEqual(['r20']);
      expect(await n('ap', 0.5)).toEqual(['r50']);
      expect(await find('RiskAssessment', criterion.missing('probability', 'number', true))).toEqual(['none']);
    });

    h.test('search quantity: value with and without unit system and code', async () => {
      await store.transaction(tenant, async (tx) => {
        await put(tx, observation('q1', { value: 5.4, unit: 'mg' }));
        await put(tx, observation('q2', { value: 10, unit: 'mg' }));
        await put(tx, observation('q3', { value: 5.4, unit: 'g' }));
        await put(tx, observation('q4'));
      });
      const q = (prefix: Parameters<typeof criterion.quantity>[1], value: number, unit?: { system?: string | null; code?: string }): Promise<string[]> =>
        find('Observation', criterion.quantity('value-quantity', prefix, value, unit));
      expect(await q('eq', 5.4)).toEqual(['q1', 'q3']);
      expect(await q('eq', 5.4, { code: 'mg' })).toEqual(['q1']);
      expect(await q('eq', 5.4, { system: UCUM, code: 'g' })).toEqual(['q3']);
      expect(await q('eq', 5.4, { system: 'urn:other', code: 'g' })).toEqual([]);
      expect(await q('gt', 6, { system: UCUM, code: 'mg' })).toEqual(['q2']);
      expect(await q('le', 10)).toEqual(['q1', 'q2', 'q3']);
      expect(await find('Observation', criterion.missing('value-quantity', 'quantity', true))).toEqual(['q4']);
    });
  });
}
