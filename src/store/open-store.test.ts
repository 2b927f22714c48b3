import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testIndexer } from './conformance/test-indexer.ts';
import { patient, put } from './conformance/fixtures.ts';
import { openStore } from './open-store.ts';
import { openSqliteDatabase } from './sqlite/engine.ts';

const dir = mkdtempSync(join(tmpdir(), 'heron-open-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A private TMPDIR (os.tmpdir() reads it on every call), so other test processes' files never interfere. */
const privateTmp = join(dir, 'tmp');
function heronTempFiles(): string[] {
  return readdirSync(privateTmp);
}

describe('openStore', () => {
  it('memory: a private temporary database that is deleted on close', async () => {
    mkdirSync(privateTmp);
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = privateTmp;
    let a, b;
    try {
      a = await openStore({ memory: true, indexer: testIndexer });
      b = await openStore({ memory: true, indexer: testIndexer });
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    await Promise.all([a.migrate(), b.migrate()]);
    await a.transaction('t', (tx) => put(tx, patient('p1')));
    expect((await a.reader('t').readCurrent('Patient', 'p1'))?.versionId).toBe('1');
    expect(await b.reader('t').readCurrent('Patient', 'p1')).toBeUndefined();
    // Each store: its database and its audit log's file.
    expect(heronTempFiles().filter((f) => f.endsWith('.sqlite'))).toHaveLength(4);
    await Promise.all([a.close(), b.close()]);
    expect(heronTempFiles()).toEqual([]);
  });

  it('dataDir: creates the directory and heron.sqlite in WAL mode; data survives reopening', async () => {
    const dataDir = join(dir, 'nested', 'data');
    const store = await openStore({ dataDir, indexer: testIndexer, durability: 'normal' });
    expect(store.dialect).toBe('sqlite');
    await store.migrate();
    await store.transaction('t', (tx) => put(tx, patient('p1')));
    await store.close();
    const file = join(dataDir, 'heron.sqlite');
    expect(existsSync(file)).toBe(true);
    const db = openSqliteDatabase(file, { readonly: true, busyTimeoutMs: 0 });
    try {
      expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
      expect(db.prepare('SELECT COUNT(*) AS n FROM resources').get()).toEqual({ n: 1 });
    } finally {
      db.close();
    }
    // A reopened store sees the committed data.
    const again = await openStore({ dataDir, indexer: testIndexer });
    expect((await again.reader('t').readCurrent('Patient', 'p1'))?.versionId).toBe('1');
    await again.close();
  });

  it('needs a database URL, a data directory or memory', async () => {
    await expect(openStore({ indexer: testIndexer })).rejects.toThrow(/dataDir/);
  });

  it('a closed store refuses transactions', async () => {
    const store = await openStore({ memory: true, indexer: testIndexer });
    await store.migrate();
    await store.close();
    await expect(store.transaction('t', async () => 1)).rejects.toThrow(/closed/);
  });
});
