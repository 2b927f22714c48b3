/**
 * Rebuilds every current resource's search-index rows from its stored JSON, after the search
 * parameter definitions or their extraction changed (`heron reindex`). Works in batches, one
 * transaction each, walking `resources` in key order so it can run while Heron serves: each
 * batch locks its rows, so a concurrent write either lands before (and is reindexed from its
 * new content) or waits until the batch commits.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { Indexer, ReindexProgress } from '../store.ts';
import { stmt, type SqlDriver } from './dialect.ts';
import { INDEX_TABLE_LIST, kindsOf } from './index-tables.ts';

const BATCH = 500;

interface Row {
  tenant: string;
  type: string;
  id: string;
  index_kinds: number;
  content: string;
}

export async function reindexAll(driver: SqlDriver, indexer: Indexer, onProgress?: (p: ReindexProgress) => void): Promise<ReindexProgress> {
  const counted = await driver.reader.get<{ n: number | string }>(stmt('SELECT COUNT(*) AS n FROM resources WHERE deleted = 0'), []);
  const progress: ReindexProgress = { done: 0, total: Number(counted?.n ?? 0), rows: 0 };
  const page = stmt(
    'SELECT tenant, type, id, index_kinds, content FROM resources WHERE deleted = 0 AND (tenant > ? OR (tenant = ? AND (type > ? OR (type = ? AND id > ?))))' +
      ` ORDER BY tenant, type, id LIMIT ${BATCH}${driver.dialect.forUpdate}`,
  );
  const setKinds = stmt('UPDATE resources SET index_kinds = ? WHERE tenant = ? AND type = ? AND id = ?');
  let after: [string, string, string] = ['', '', ''];
  for (;;) {
    const last = await driver.transaction(async (conn) => {
      const [tenant, type, id] = after;
      const rows = await conn.all<Row>(page, [tenant, tenant, type, type, id]);
      for (const row of rows) {
        const indexRows = indexer(JSON.parse(row.content) as Resource);
        for (const table of INDEX_TABLE_LIST) {
          if ((Number(row.index_kinds) & table.bit) !== 0) await conn.run(table.deleteSql, [row.tenant, row.type, row.id]);
        }
        for (const indexRow of indexRows) {
          const table = INDEX_TABLE_LIST.find((t) => t.kind === indexRow.kind)!;
          await conn.run(table.insertSql, [row.tenant, row.type, row.id, indexRow.param, ...table.values(indexRow)]);
        }
        await conn.run(setKinds, [kindsOf(indexRows), row.tenant, row.type, row.id]);
        progress.rows += indexRows.length;
      }
      return rows.length === 0 ? undefined : { row: rows[rows.length - 1], count: rows.length };
    });
    if (last === undefined) break;
    after = [last.row.tenant, last.row.type, last.row.id];
    progress.done = Math.min(progress.total, progress.done + last.count);
    onProgress?.(progress);
  }
  // The count was taken before the walk: resources created meanwhile are indexed by their own write.
  progress.done = progress.total;
  return progress;
}
