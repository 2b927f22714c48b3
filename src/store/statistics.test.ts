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
import pg from 'pg';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { patient, put } from './conformance/fixtures.ts';
import { testIndexer } from './conformance/test-indexer.ts';
import { openStore } from './open-store.ts';
import { openSqliteDatabase } from './sqlite/engine.ts';
import type { FhirStore } from './store.ts';

const PATIENTS = 12;

async function fill(store: FhirStore, patients = PATIENTS, perTransaction = patients, tenant = 't1'): Promise<void> {
  await store.migrate();
  for (let start = 0; start < patients; start += perTransaction) {
    await store.transaction(tenant, async (tx) => {
      for (let i = start; i < Math.min(patients, start + perTransaction); i++) await put(tx, patient(`p${i}`));
    });
  }
}

/** The row counts SQLite's statistics hold for `resources` (one per index; empty when never analysed). */
function sqliteStatistics(file: string): number[] {
  const db = openSqliteDatabase(file, { readonly: true, busyTimeoutMs: 0 });
  try {
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").get();
    if (table === undefined) return [];
    // The first number of each index's statistics is the table's row count.
    return (db.prepare("SELECT stat FROM sqlite_stat1 WHERE tbl = 'resources' AND idx IS NOT NULL").all() as Array<{ stat: string }>).map((row) => Number(row.stat.split(' ')[0]));
  } finally {
    db.close();
  }
}

describe('refreshStatistics (sqlite)', () => {
  const root = mkdtempSync(join(tmpdir(), 'heron-statistics-'));
  let n = 0;
  const dataDir = () => join(root, String(++n));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('analyses the tables, so the planner knows their rows', async () => {
    const dir = dataDir();
    const store = await openStore({ dataDir: dir, indexer: testIndexer });
    try {
      await fill(store);
      expect(sqliteStatistics(join(dir, 'heron.sqlite'))).toEqual([]);
      await store.refreshStatistics();
      const counts = sqliteStatistics(join(dir, 'heron.sqlite'));
      expect(counts.length).toBeGreaterThan(0);
      for (const count of counts) expect(count).toBe(PATIENTS);
    } finally {
      await store.close();
    }
  });

  it('an upgrade that applies a migration analyses the tables, so new indexes are not left unmeasured', async () => {
    const dir = dataDir();
    const file = join(dir, 'heron.sqlite');
    const first = await openStore({ dataDir: dir, indexer: testIndexer });
    await fill(first);
    await first.close();
    // Back to a database from before 0013: its statistics gone, its indexes the 0001 ones.
    const db = openSqliteDatabase(file, { busyTimeoutMs: 0 });
    db.exec("DELETE FROM sqlite_stat1; DELETE FROM schema_migrations WHERE id = '0013-search-order-indexes'");
    for (const table of ['string', 'token', 'reference', 'date', 'number', 'quantity', 'uri']) db.exec(`CREATE INDEX idx_${table}_lookup0 ON idx_${table} (tenant)`);
    for (const index of ['string_value', 'token_code', 'reference_target', 'date_start', 'date_end', 'number_value', 'quantity_value', 'uri_value']) db.exec(`DROP INDEX idx_${index}`);
    db.close();
    expect(sqliteStatistics(file)).toEqual([]);
    const upgraded = await openStore({ dataDir: dir, indexer: testIndexer });
    try {
      expect((await upgraded.migrate()).filter((r) => r.status === 'applied').map((r) => r.id)).toEqual(['0013-search-order-indexes']);
      const counts = sqliteStatistics(file);
      expect(counts.length).toBeGreaterThan(0);
      for (const count of counts) expect(count).toBe(PATIENTS);
    } finally {
      await upgraded.close();
    }
  });

  it('PRAGMA optimize on close analyses tables that were never analysed', async () => {
    const dir = dataDir();
    const store = await openStore({ dataDir: dir, indexer: testIndexer });
    await fill(store);
    expect(sqliteStatistics(join(dir, 'heron.sqlite'))).toEqual([]);
    await store.close();
    const counts = sqliteStatistics(join(dir, 'heron.sqlite'));
    expect(counts.length).toBeGreaterThan(0);
    for (const count of counts) expect(count).toBe(PATIENTS);
  });

  it('PRAGMA optimize runs while open once 500 versions were written, however many transactions they took', async () => {
    const dir = dataDir();
    const store = await openStore({ dataDir: dir, indexer: testIndexer });
    try {
      await fill(store, 520, 40);
      await vi.waitFor(() => expect(sqliteStatistics(join(dir, 'heron.sqlite')).length).toBeGreaterThan(0), { timeout: 10_000, interval: 20 });
    } finally {
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

  const estimate = async (table: string) => Number((await client.query(`SELECT reltuples FROM pg_class WHERE oid = '${schema}.${table}'::regclass`)).rows[0].reltuples);

  it('analyses the tables, so the planner knows their rows', async () => {
    await client.connect();
    const store = await openStore({ databaseUrl: url.toString(), schema, indexer: testIndexer });
    try {
      await fill(store);
      expect(await estimate('resources')).not.toBe(PATIENTS);
      await store.refreshStatistics();
      expect(await estimate('resources')).toBe(PATIENTS);
      expect(await estimate('resource_history')).toBe(PATIENTS);
      // Vacuumed too, which marks the pages all-visible for index-only scans (unless an older
      // transaction of another session may still not see the rows: so the vacuum, not the map).
      const vacuumed = await client.query(`SELECT last_vacuum FROM pg_stat_user_tables WHERE schemaname = '${schema}' AND relname = 'resources'`);
      expect(vacuumed.rows[0].last_vacuum).not.toBeNull();
    } finally {
      await store.close();
    }
  });

  it('analyses in the background once 500 versions were written, however many transactions they took', async () => {
    const store = await openStore({ databaseUrl: url.toString(), schema, indexer: testIndexer });
    try {
      await fill(store, 520, 40, 't2');
      await vi.waitFor(async () => expect(await estimate('resources')).toBe(PATIENTS + 520), { timeout: 10_000, interval: 50 });
    } finally {
      await store.close();
    }
  });
});
