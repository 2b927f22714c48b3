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

    h.test('audit: a reported AuditEvent is chained at once, gets its seq, reads back as sent and verifies with the rest', async () => {
      const store = await h.store();
      const t = h.tenant();
      const reported = JSON.stringify({ resourceType: 'AuditEvent', recorded: '2026-12-01T10:00:00Z', note: 'ünïcode \u2028 kept' });
      await store.audit.append([entry(t, { recorded: 1000 })]);
      const seq = await store.transaction(t, async (tx) => {
        // Queued before, chained after: entries of the transaction follow the one appended at once.
        await tx.appendAudit([entry(t, { recorded: 2000, action: 'create', entities: ['AuditEvent/2'] })]);
        return tx.appendAuditNow(entry(t, { recorded: 2000, action: 'reported', agentKind: 'client', agentId: 'app-1', clientId: 'app-1', patients: ['Patient/p1', 'Patient/p2'], reported }));
      });
      await store.audit.append([entry(t, { recorded: 3000, agentId: 'elsewhere' })]);
      expect(seq).toBe(2);
      const all = await store.audit.query(t, { count: 10, ascending: true });
      expect(all.map((e) => [e.seq, e.action, e.agentId])).toEqual([
        [1, 'read', 'u1'],
        [2, 'reported', 'app-1'],
        [3, 'create', 'u1'],
        [4, 'read', 'elsewhere'],
      ]);
      expect(all[1].reported).toBe(reported);
      expect(all[0].reported).toBeUndefined();
      expect((await store.audit.query(t, { count: 10, patient: 'Patient/p2' })).map((e) => e.seq)).toEqual([2]);
      expect(await store.audit.verify(t)).toEqual({ checked: 4 });
      // Rolled back with its transaction, position and all.
      await expect(
        store.transaction(t, async (tx) => {
          await tx.appendAuditNow(entry(t, { action: 'reported', reported }));
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect((await store.audit.query(t, { count: 1 }))[0].seq).toBe(4);
      await expect(store.transaction(t, (tx) => tx.appendAuditNow(entry(h.tenant())))).rejects.toThrow(/another practice/);
    });
  });
}
