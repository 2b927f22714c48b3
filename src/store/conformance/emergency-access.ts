/** Break-the-glass grants: active until they expire, per practice and user. */
import { describe, expect } from 'vitest';
import type { Harness } from './harness.ts';

export function emergencyAccessSuite(h: Harness): void {
  describe('emergency access', () => {
    h.test('emergency access: grants are active until they expire, for their user and practice only', async () => {
      const store = await h.store();
      const [a, b] = [h.tenant(), h.tenant()];
      await store.emergencyAccess.grant({ tenant: a, userId: 'u1', patient: 'p1', reason: 'unconscious in ED', grantedAt: 1000, expiresAt: 2000 });
      await store.emergencyAccess.grant({ tenant: a, userId: 'u1', patient: 'p2', reason: 'again', grantedAt: 1500, expiresAt: 5000 });
      expect((await store.emergencyAccess.activePatients(a, 'u1', 1800)).sort()).toEqual(['p1', 'p2']);
      expect(await store.emergencyAccess.activePatients(a, 'u1', 2000)).toEqual(['p2']);
      expect(await store.emergencyAccess.activePatients(a, 'u2', 1800)).toEqual([]);
      expect(await store.emergencyAccess.activePatients(b, 'u1', 1800)).toEqual([]);
      expect((await store.emergencyAccess.recent(a, 0)).map((g) => [g.patient, g.reason])).toEqual([['p2', 'again'], ['p1', 'unconscious in ED']]);
    });
  });
}
