/**
 * Upgrading a database from before migration 0015 (the `$lastn` index): the Observations already
 * stored get their `code:lastn` rows from the reindex that follows the migration, so `latest`
 * finds them without anyone running `heron reindex`. SQLite: the test rewinds a database file to
 * before 0015 by hand.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { extractIndexRows } from '../fhir/search/extract.ts';
import { openStore } from './open-store.ts';
import { openSqliteDatabase } from './sqlite/engine.ts';

const dir = mkdtempSync(join(tmpdir(), 'heron-latest-upgrade-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('upgrading to the $lastn index', () => {
  it('reindexes what the database holds, so stored Observations are found', async () => {
    const first = await openStore({ dataDir: dir, indexer: extractIndexRows });
    await first.migrate();
    await first.transaction('t1', async (tx) => {
      await tx.writeVersion({ resourceType: 'Patient', id: 'p1', method: 'PUT', resource: { resourceType: 'Patient', id: 'p1' } });
      for (const day of [1, 2]) {
        const resource = { resourceType: 'Observation' as const, id: `o${day}`, status: 'final' as const, code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] }, subject: { reference: 'Patient/p1' }, effectiveDateTime: `2024-01-0${day}` };
        await tx.writeVersion({ resourceType: 'Observation', id: resource.id, method: 'PUT', resource });
      }
    });
    await first.close();
    // Back to a database from before 0015: no index, no rows.
    const db = openSqliteDatabase(join(dir, 'heron.sqlite'), { busyTimeoutMs: 0 });
    db.exec("DROP INDEX idx_composite_latest; DELETE FROM idx_composite WHERE param = 'code:lastn'; DELETE FROM schema_migrations WHERE id = '0015-latest-index'");
    db.close();

    const upgraded = await openStore({ dataDir: dir, indexer: extractIndexRows });
    try {
      const latest = () => upgraded.reader('t1').latest({ resourceType: 'Observation', subject: 'Patient/p1', max: 5, criteria: [] });
      expect((await upgraded.migrate()).filter((r) => r.status === 'applied').map((r) => r.id)).toEqual(['0015-latest-index']);
      expect((await latest()).map((g) => g.resources.map((r) => r.id))).toEqual([['o2', 'o1']]);
    } finally {
      await upgraded.close();
    }
  });
});
