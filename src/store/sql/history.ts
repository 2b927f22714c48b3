/**
 * Instance, type and system history, newest first. Pages are cut on the global history
 * sequence (`seq`), which only grows, so a cursor stays valid while new versions arrive.
 * @see https://hl7.org/fhir/R4/http.html#history
 */
import { errors } from '../../fhir/outcome.ts';
import type { HistoryPage, HistoryQuery } from '../store.ts';
import { stmt, type SqlConn, type Stmt } from './dialect.ts';
import { HISTORY_COLUMNS, HISTORY_FROM, toStoredVersion, type VersionRow } from './read.ts';

interface HistoryRow extends VersionRow {
  seq: number;
}

export async function history(conn: SqlConn, tenant: string, query: HistoryQuery): Promise<HistoryPage> {
  if (query.id !== undefined && query.resourceType === undefined) throw new Error('Instance history needs a resource type');
  const where = ['h.tenant = ?'];
  const params: unknown[] = [tenant];
  if (query.resourceType !== undefined) {
    where.push('h.type = ?');
    params.push(query.resourceType);
  }
  if (query.id !== undefined) {
    where.push('h.id = ?');
    params.push(query.id);
  }
  if (query.since !== undefined) {
    where.push('h.last_updated > ?');
    params.push(query.since);
  }
  if (query.at !== undefined) {
    // Current at `at`: written by then, and the next version (if any) was written later.
    where.push(
      'h.last_updated <= ? AND NOT EXISTS (SELECT 1 FROM resource_history n WHERE n.tenant = h.tenant AND n.type = h.type AND n.id = h.id AND n.version_id = h.version_id + 1 AND n.last_updated <= ?)',
    );
    params.push(query.at, query.at);
  }
  const filter = where.join(' AND ');
  const countRow = await conn.get<{ n: number }>(named(`SELECT COUNT(*) AS n FROM resource_history h WHERE ${filter}`), params);
  const total = Number(countRow?.n ?? 0);
  if (query.count <= 0) return { entries: [], total };

  const pageParams = [...params];
  let pageFilter = filter;
  if (query.cursor !== undefined) {
    pageFilter += ' AND h.seq < ?';
    pageParams.push(decodeCursor(query.cursor));
  }
  pageParams.push(query.count + 1);
  const rows = await conn.all<HistoryRow>(
    named(`SELECT h.seq, ${HISTORY_COLUMNS} FROM ${HISTORY_FROM} WHERE ${pageFilter} ORDER BY h.seq DESC LIMIT ?`),
    pageParams,
  );
  const page: HistoryPage = { entries: rows.slice(0, query.count).map(toStoredVersion), total };
  if (rows.length > query.count) page.nextCursor = encodeCursor(rows[query.count - 1].seq);
  return page;
}

/** History SQL comes in a few dozen shapes at most, so each can be a prepared statement. */
function named(sql: string): Stmt {
  return stmt(sql);
}

function encodeCursor(seq: number): string {
  return Buffer.from(JSON.stringify({ s: Number(seq) })).toString('base64url');
}

function decodeCursor(cursor: string): number {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s?: unknown };
    if (typeof value.s === 'number' && Number.isSafeInteger(value.s) && value.s > 0) return value.s;
  } catch {
    // Falls through to the error below: a cursor that does not parse is the client's mistake.
  }
  throw errors.invalid('Invalid history page cursor');
}
