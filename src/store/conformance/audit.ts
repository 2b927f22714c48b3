/** The audit log: per-practice chains, filters, transactional appends, concurrent appenders. */
import { describe, expect } from 'vitest';
import type { AuditEntry } from '../audit-log.ts';
import type { Harness } from './harness.ts';
import { patient, put } from './fixtures.ts';

function entry(tenant: string, o: Partial<AuditEntry> = {}): AuditEntry {
  return { tenant, recorded: Date.now(), action: 'read', outcome: 'success', agentKind: 'user', agentId: 'u1', ...o };
}

export function auditSuite(h: Harness): void {
  describe('audit log', () => {
    h.test('audit: entries chain per practice, read back newest first with every field, filtered', async () => {
      const store = await h.store();
      const [a, b] = [h.tenant(), h.tenant()];
      await store.audit.append([
        entry(a, { recorded: 1000, action: 'read', resourceType: 'Patient', entities: ['Patient/p1'], patients: ['Patient/p1'], ip: '10.0.0.1', userAgent: 'ua', agentRole: 'physician', clientId: 'app' }),
        entry(b, { recorded: 1500 }),
        entry(a, { recorded: 2000, action: 'search-type', agentId: 'u2', patients: ['Patient/p1', 'Patient/p2'], detail: '{"q":"x"}' }),
        entry(a, { recorded: 3000, action: 'break-glass', outcome: 'failure', purpose: 'ETREAT', reason: 'unconscious patient', patients: ['Patient/p2'] }),
      ]);
      const all = await store.audit.query(a, { count: 10 });
      expect(all.map((e) => e.seq)).toEqual([3, 2, 1]);
      expect(all[2]).toMatchObject({ tenant: a, recorded: 1000, action: 'read', resourceType: 'Patient', entities: ['Patient/p1'], ip: '10.0.0.1', userAgent: 'ua', agentRole: 'physician', clientId: 'app' });
      expect(all[0]).toMatchObject({ purpose: 'ETREAT', reason: 'unconscious patient', outcome: 'failure' });
      expect(all[1].prevHash).toBe(all[2].hash);
      expect((await store.audit.query(b, { count: 10 })).map((e) => e.seq)).toEqual([1]);

      expect((await store.audit.query(a, { count: 10, patient: 'Patient/p1' })).map((e) => e.seq)).toEqual([2, 1]);
      expect((await store.audit.query(a, { count: 10, patient: 'Patient/p2', ascending: true })).map((e) => e.seq)).toEqual([2, 3]);
      expect((await store.audit.query(a, { count: 10, agentId: 'u2' })).map((e) => e.seq)).toEqual([2]);
      expect((await store.audit.query(a, { count: 10, from: 1500, to: 2500 })).map((e) => e.seq)).toEqual([2]);
      expect((await store.audit.query(a, { count: 10, outcome: 'failure' })).map((e) => e.action)).toEqual(['break-glass']);
      expect((await store.audit.query(a, { count: 2 })).map((e) => e.seq)).toEqual([3, 2]);
      expect((await store.audit.query(a, { count: 2, afterSeq: 2 })).map((e) => e.seq)).toEqual([1]);
      expect(await store.audit.verify(a)).toEqual({ checked: 3 });
    });

    h.test('audit: an entry appended in a transaction commits and rolls back with its writes', async () => {
      const store = await h.store();
      const t = h.tenant();
      await store.transaction(t, async (tx) => {
        await put(tx, patient('p1'));
        await tx.appendAudit([entry(t, { action: 'create', entities: ['Patient/p1'] })]);
      });
      await expect(
        store.transaction(t, async (tx) => {
          await put(tx, patient('p2'));
          await tx.appendAudit([entry(t, { action: 'create', entities: ['Patient/p2'] })]);
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect((await store.audit.query(t, { count: 10 })).map((e) => e.entities)).toEqual([['Patient/p1']]);
      await expect(store.transaction(t, (tx) => tx.appendAudit([entry(h.tenant())]))).rejects.toThrow(/another practice/);
    });

    h.test('audit: concurrent appenders on two store instances keep one unbroken chain', async () => {
      const store = await h.store();
      const other = await h.open();
      const t = h.tenant();
      try {
        await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? store : other).audit.append([entry(t, { agentId: `u${i}` }), entry(t, { agentId: `v${i}` })])));
      } finally {
        await other.close();
      }
      const entries = await store.audit.query(t, { count: 1000, ascending: true });
      expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
      expect(await store.audit.verify(t)).toEqual({ checked: 80 });
    });
  });
}
