/**
 * The SQLite reader shares one read transaction per turn of the event loop: it always sees what
 * this store committed, and sees other connections' commits from the next turn on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patient, put, searchRequest, sortBy } from '../conformance/fixtures.ts';
import { testIndexer } from '../conformance/test-indexer.ts';
import type { FhirStore } from '../store.ts';
import { openSqliteStore } from './sqlite.ts';

const dir = mkdtempSync(join(tmpdir(), 'heron-sqlite-reader-'));
const file = join(dir, 'heron.sqlite');
let store: FhirStore;
let other: FhirStore;

beforeAll(async () => {
  store = await openSqliteStore({ file, indexer: testIndexer });
  await store.migrate();
  other = await openSqliteStore({ file, indexer: testIndexer });
});
afterAll(async () => {
  await store?.close();
  await other?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SQLite reader snapshots', () => {
  it('sees its own store’s commits at once, even within one turn', async () => {
    const reader = store.reader('t1');
    expect(await reader.readCurrent('Patient', 'own')).toBeUndefined(); // opens the turn's snapshot
    await store.transaction('t1', (tx) => put(tx, patient('own')));
    expect((await reader.readCurrent('Patient', 'own'))?.versionId).toBe('1');
    await store.transaction('t1', (tx) => put(tx, patient('own', { family: 'Two' }), 1));
    expect((await reader.readCurrent('Patient', 'own'))?.versionId).toBe('2');
  });

  it('sees another connection’s commit from the next turn on', async () => {
    const reader = store.reader('t1');
    expect(await reader.readCurrent('Patient', 'theirs')).toBeUndefined();
    await other.transaction('t1', (tx) => put(tx, patient('theirs')));
    expect(await reader.readCurrent('Patient', 'theirs')).toBeUndefined(); // same turn, same snapshot
    await nextTurn();
    expect((await reader.readCurrent('Patient', 'theirs'))?.versionId).toBe('1');
  });

  it('closes with a snapshot open', async () => {
    const extra = await openSqliteStore({ file, indexer: testIndexer });
    await extra.reader('t1').readCurrent('Patient', 'own');
    await extra.close();
    await nextTurn(); // the pending end of the snapshot must not touch the closed database
  });
});

describe('SQLite stores opened by several processes at once', () => {
  it('each opens while others write (the audit file is set up within the busy timeout)', async () => {
    const { spawn } = await import('node:child_process');
    const dir = mkdtempSync(join(tmpdir(), 'heron-concurrent-open-'));
    const heron = join(import.meta.dirname, '../../../bin/heron.js');
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [heron, ...args, '--data', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('close', (code) => resolve({ code, stderr }));
      });
    try {
      expect((await run(['migrate'])).code).toBe(0);
      // Each writes its practice's first audit entry while the others open the same files.
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => run(['practice', 'create', `Practice ${i}`])));
      expect(results.map((r) => r.stderr.trim()).filter((e) => e !== '')).toEqual([]);
      expect(results.map((r) => r.code)).toEqual(Array(8).fill(0));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('SQLite string probes', () => {
  it('a resource’s string rows by parameter and value come from the index alone (migration 0017)', async () => {
    await store.transaction('probes', async (tx) => {
      for (const [id, birthDate] of [['a', '1970-01-01'], ['b', '1980-01-01'], ['c', '1990-01-01']]) await put(tx, patient(id, { family: 'Same', birthDate }));
    });
    // The first page of _sort=family,… checks, for every resource of the first family, that the
    // row read holds the resource's own (smallest) family: once a table visit per string row.
    const request = searchRequest('Patient', [], { sort: [sortBy('family', 'string'), sortBy('birthdate', 'date', true)] });
    const plans = (await store.explainSearch('probes', request)).map((p) => p.plan).join('\n');
    expect(plans).toMatch(/USING COVERING INDEX idx_string_resource/);
    expect(plans).not.toMatch(/USING INDEX idx_string_resource/);
    expect((await store.reader('probes').search(request)).resources.map((r) => r.id)).toEqual(['c', 'b', 'a']);
  });
});
