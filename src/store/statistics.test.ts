/**
 * `refreshStatistics` leaves the planner statistics of the clinical tables current on both
 * databases: SQLite's `sqlite_stat1` rows, PostgreSQL's row estimate in `pg_class`. Fewer rows
 * than autovacuum's threshold (50) and than the PostgreSQL store's own refresh after large
 * commits (500 versions), so only the call under test can have taken them.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { patient, put } from './conformance/fixtures.ts';
import { testIndexer } from './conformance/test-indexer.ts';
import { openStore } from './open-store.ts';
import type { FhirStore } from './store.ts';

const PATIENTS = 12;

async function fill(store: FhirStore): Promise<void> {
  await store.migrate();
  await store.transaction('t1', async (tx) => {
    for (let i = 0; i < PATIENTS; i++) await put(tx, patient(`p${i}`));
  });
}

describe('refreshStatistics (sqlite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'heron-statistics-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('analyses the tables, so the planner knows their rows', async () => {
    const store = await openStore({ dataDir: dir, indexer: testIndexer });
    const db = new Database(join(dir, 'heron.sqlite'), { readonly: true });
    const statistics = () => {
      const table = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").get();
      return table === undefined ? [] : (db.prepare("SELECT stat FROM sqlite_stat1 WHERE tbl = 'resources' AND idx IS NOT NULL").all() as Array<{ stat: string }>);
    };
    try {
      await fill(store);
      expect(statistics()).toEqual([]);
      await store.refreshStatistics();
      const rows = statistics();
      expect(rows.length).toBeGreaterThan(0);
      // The first number of each index's statistics is the table's row count.
      for (const row of rows) expect(Number(row.stat.split(' ')[0])).toBe(PATIENTS);
    } finally {
      db.close();
      await store.close();
    }
  });
});

describe('refreshStatistics (postgres)', () => {
  const url = new URL(process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/test');
  // Like the store (and libpq): no user in the URL means the OS user.
  if (!url.username) url.username = process.env.PGUSER || process.env.USER || userInfo().username;
  const schema = `heron_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const client = new pg.Client({ connectionString: url.toString() });
  afterAll(async () => {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  it('analyses the tables, so the planner knows their rows', async () => {
    await client.connect();
    const store = await openStore({ databaseUrl: url.toString(), schema, indexer: testIndexer });
    const estimate = async (table: string) => Number((await client.query(`SELECT reltuples FROM pg_class WHERE oid = '${schema}.${table}'::regclass`)).rows[0].reltuples);
    try {
      await fill(store);
      expect(await estimate('resources')).not.toBe(PATIENTS);
      await store.refreshStatistics();
      expect(await estimate('resources')).toBe(PATIENTS);
      expect(await estimate('resource_history')).toBe(PATIENTS);
    } finally {
      await store.close();
    }
  });
});
