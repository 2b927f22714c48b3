/**
 * Tampering with the audit log below the application: the triggers refuse UPDATE and DELETE,
 * and someone who drops them and edits or deletes rows directly is caught by `verify`, which
 * names the first broken entry. Runs on both databases with raw connections.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../open-store.ts';
import { openSqliteDatabase } from '../sqlite/engine.ts';
import type { FhirStore } from '../store.ts';

const REPORTED = JSON.stringify({ resourceType: 'AuditEvent', outcome: '4', recorded: '2026-12-01T10:00:00Z' });

const PG_URL = process.env.HERON_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Raw SQL on the store's database, as an attacker with database access would have it. */
interface RawSql {
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

const setups: Record<string, () => Promise<{ store: FhirStore; raw: RawSql; cleanup: () => Promise<void> }>> = {
  async sqlite() {
    const dir = mkdtempSync(join(tmpdir(), 'heron-audit-tamper-'));
    const store = await openStore({ dataDir: dir, indexer: () => [] });
    await store.migrate();
    // On SQLite the audit log is a file of its own beside the database (sqlite/sqlite.ts).
    const db = openSqliteDatabase(join(dir, 'heron-audit.sqlite'), { busyTimeoutMs: 5000 });
    const raw: RawSql = { exec: async (sql) => void db.exec(sql), close: async () => void db.close() };
    return { store, raw, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  },
  async postgres() {
    const schema = `heron_tamper_${randomBytes(4).toString('hex')}`;
    const store = await openStore({ databaseUrl: PG_URL, schema, indexer: () => [] });
    await store.migrate();
    const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
    await client.connect();
    const raw: RawSql = { exec: async (sql) => void (await client.query(sql)), close: () => client.end() };
    return {
      store,
      raw,
      cleanup: async () => {
        const admin = new pg.Client({ connectionString: PG_URL });
        await admin.connect();
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await admin.end();
      },
    };
  },
};

for (const [kind, setup] of Object.entries(setups)) {
  describe(`audit log tampering (${kind})`, () => {
    let store: FhirStore;
    let raw: RawSql;
    let cleanup: () => Promise<void>;
    const entries = (tenant: string) =>
      Array.from({ length: 5 }, (_, i) => ({ tenant, recorded: 1000 + i, action: 'read', outcome: 'success' as const, agentKind: 'user', agentId: `u${i}`, patients: ['Patient/p1'] }));

    beforeAll(async () => {
      ({ store, raw, cleanup } = await setup());
      await store.audit.append([...entries('edited'), ...entries('deleted'), ...entries('untouched'), ...entries('report')]);
      // A client's reported AuditEvent is one more entry of the chain (POST AuditEvent).
      await store.transaction('report', (tx) => tx.appendAuditNow({ ...entries('report')[0], recorded: 2000, action: 'reported', agentId: 'app', reported: REPORTED }));
      await store.audit.append(entries('report'));
    });
    afterAll(async () => {
      await raw?.close();
      await store?.close();
      await cleanup?.();
    });

    it('refuses UPDATE and DELETE of audit rows whoever asks', async () => {
      await expect(raw.exec(`UPDATE audit_events SET reason = 'x' WHERE tenant = 'edited' AND seq = 3`)).rejects.toThrow(/append-only/);
      await expect(raw.exec(`DELETE FROM audit_events WHERE tenant = 'edited'`)).rejects.toThrow(/append-only/);
      await expect(raw.exec(`DELETE FROM audit_patients WHERE tenant = 'edited'`)).rejects.toThrow(/append-only/);
      await expect(raw.exec(`UPDATE audit_events SET reported = NULL WHERE tenant = 'report'`)).rejects.toThrow(/append-only/);
      expect(await store.audit.verify('edited')).toEqual({ checked: 5 });
      expect(await store.audit.verify('report')).toEqual({ checked: 11 });
    });

    it('detects an edited and a deleted entry once the protection is removed, naming the first broken one', async () => {
      if (kind === 'sqlite') {
        await raw.exec('DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete');
      } else {
        await raw.exec('DROP TRIGGER audit_events_append_only ON audit_events');
      }
      await raw.exec(`UPDATE audit_events SET agent_id = 'someone-else' WHERE tenant = 'edited' AND seq = 3`);
      await raw.exec(`DELETE FROM audit_events WHERE tenant = 'deleted' AND seq = 4`);
      // The reported content is hashed like every other field: changing what the client said is caught.
      await raw.exec(`UPDATE audit_events SET reported = replace(reported, '"outcome":"4"', '"outcome":"0"') WHERE tenant = 'report' AND seq = 6`);
      // The SQLite reader shares a snapshot within one event-loop turn; another process's edit shows from the next.
      await new Promise((resolve) => setImmediate(resolve));
      expect(await store.audit.verify('edited')).toEqual({ checked: 2, broken: { seq: 3, problem: 'its content does not match its hash' } });
      expect(await store.audit.verify('deleted')).toEqual({ checked: 3, broken: { seq: 4, problem: 'entry 4 is missing (next is 5)' } });
      expect(await store.audit.verify('untouched')).toEqual({ checked: 5 });
      expect(await store.audit.verify('report')).toEqual({ checked: 5, broken: { seq: 6, problem: 'its content does not match its hash' } });
    });
  });
}
