/** SMART Health Links: found by id alone, listed and revoked per practice and patient, attempts spent once each. */
import { describe, expect } from 'vitest';
import type { HealthLink } from '../health-links.ts';
import type { Harness } from './harness.ts';

export function healthLinksSuite(h: Harness): void {
  describe('health links', () => {
    const link = (tenant: string, id: string, patient: string, createdAt: number, extra: Partial<HealthLink> = {}): HealthLink => ({
      tenant, id, patient, label: `link ${id}`, createdBy: 'u1', createdAt, expiresAt: createdAt + 1000, attemptsLeft: 3, content: `jwe-${id}`, ...extra,
    });

    h.test('health links: found by id, listed per practice and patient newest first, revoked once', async () => {
      const store = await h.store();
      const [a, b] = [h.tenant(), h.tenant()];
      const ids = [`${a}-1`, `${a}-2`, `${b}-1`];
      await store.healthLinks.create(link(a, ids[0], 'p1', 100, { passcodeHash: 'hash' }));
      await store.healthLinks.create(link(a, ids[1], 'p1', 200));
      await store.healthLinks.create(link(b, ids[2], 'p1', 300));
      expect(await store.healthLinks.get(ids[0])).toEqual(link(a, ids[0], 'p1', 100, { passcodeHash: 'hash' }));
      expect(await store.healthLinks.get('nope')).toBeUndefined();
      expect((await store.healthLinks.list(a, 'p1')).map((l) => l.id)).toEqual([ids[1], ids[0]]);
      expect(await store.healthLinks.list(a, 'p2')).toEqual([]);
      // Another practice's or patient's link is not revoked.
      expect(await store.healthLinks.revoke(b, 'p1', ids[0], 500)).toBe(false);
      expect(await store.healthLinks.revoke(a, 'p2', ids[0], 500)).toBe(false);
      expect(await store.healthLinks.revoke(a, 'p1', ids[0], 500)).toBe(true);
      expect(await store.healthLinks.revoke(a, 'p1', ids[0], 600)).toBe(false);
      expect((await store.healthLinks.get(ids[0]))?.revokedAt).toBe(500);
    });

    h.test('health links: concurrent wrong passcodes spend one attempt each, never below zero; accesses newest first', async () => {
      const store = await h.store();
      const a = h.tenant();
      const id = `${a}-x`;
      await store.healthLinks.create(link(a, id, 'p1', 100, { attemptsLeft: 3 }));
      const left = await Promise.all([1, 2, 3, 4, 5].map(() => store.healthLinks.spendAttempt(id)));
      expect([...left].sort()).toEqual([0, 0, 0, 1, 2]);
      expect((await store.healthLinks.get(id))?.attemptsLeft).toBe(0);
      await store.healthLinks.recordAccess(a, id, { at: 10, recipient: 'Dr A', ip: '10.0.0.1', outcome: 'served' });
      await store.healthLinks.recordAccess(a, id, { at: 20, recipient: 'Dr B', outcome: 'wrong-passcode' });
      expect(await store.healthLinks.accesses(a, id)).toEqual([
        { at: 20, recipient: 'Dr B', outcome: 'wrong-passcode' },
        { at: 10, recipient: 'Dr A', ip: '10.0.0.1', outcome: 'served' },
      ]);
      expect(await store.healthLinks.accesses(h.tenant(), id)).toEqual([]);
    });
  });
}
