/**
 * Runs one `SearchRequest`: the page query (criteria, sort, keyset cursor), the total when
 * asked, and includes. Deleted resources never match, and every table access is bound to the
 * tenant.
 * @see https://hl7.org/fhir/R4/search.html
 */
import type { Resource } from '@medplum/fhirtypes';
import type { SearchRequest } from '../../../fhir/search/types.ts';
import type { SearchPage } from '../../store.ts';
import type { SqlConn } from '../dialect.ts';
import { Binder } from './binder.ts';
import { includes, MAX_INCLUDED } from './include.ts';
import { decodeCursor, encodeCursor, keysetSql, orderSql, type KeyValue, type PageCursor } from './paging.ts';
import { criteriaSql } from './plan.ts';
import { sortColumns } from './sort.ts';

type PageRow = { content: string } & Record<string, KeyValue>;

export async function search(conn: SqlConn, tenant: string, request: SearchRequest): Promise<SearchPage> {
  const sort = sortColumns(request, 'r');
  const cursor = request.cursor === undefined ? undefined : decodeCursor(request.cursor, sort.length);

  const page: SearchPage = { resources: [], included: [] };
  if (request.total !== 'none') page.total = await count(conn, tenant, request);
  if (request.count <= 0) return page;

  const b = new Binder(tenant);
  const keys = sort.map((_, i) => `k${i}`);
  const select = sort.map((s, i) => `${s.expr} AS k${i}`).join(', ');
  const where = baseWhere(b, request);
  const inner = `SELECT r.content AS content, ${select} FROM resources r WHERE ${where}`;
  const outerKeys = keys.map((k) => `q.${k}`);
  const keyset = cursor ? ` WHERE ${keysetSql(b, outerKeys, sort, cursor)}` : '';
  const backwards = cursor?.dir === 'prev';
  const sql = `SELECT q.* FROM (${inner}) q${keyset} ORDER BY ${orderSql(outerKeys, sort, backwards)} LIMIT ${b.bind(request.count + 1)}`;
  const rows = await conn.all<PageRow>(sql, b.params);

  const more = rows.length > request.count;
  const pageRows = rows.slice(0, request.count);
  if (backwards) pageRows.reverse();
  const boundary = (row: PageRow, dir: PageCursor['dir']): string => encodeCursor({ dir, values: keys.map((k) => normalise(row[k])) });
  if (pageRows.length > 0) {
    const first = pageRows[0];
    const last = pageRows[pageRows.length - 1];
    // Forward: more rows follow when the extra row came back; there is a previous page when we came by cursor.
    // Backward: the page we came from follows; an earlier one exists when the extra row came back.
    if (backwards ? true : more) page.nextCursor = boundary(last, 'next');
    if (backwards ? more : cursor !== undefined) page.prevCursor = boundary(first, 'prev');
  }
  page.resources = pageRows.map((row) => JSON.parse(row.content) as Resource);
  const included = await includes(conn, tenant, page.resources, request);
  page.included = included.resources;
  if (included.truncated) page.includedLimit = MAX_INCLUDED;
  return page;
}

async function count(conn: SqlConn, tenant: string, request: SearchRequest): Promise<number> {
  const b = new Binder(tenant);
  const where = baseWhere(b, request);
  const row = await conn.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM resources r WHERE ${where}`, b.params);
  return Number(row?.n ?? 0);
}

/** Tenant, types, liveness and criteria on alias `r`. */
function baseWhere(b: Binder, request: SearchRequest): string {
  const types = request.resourceTypes;
  let where = `r.tenant = ${b.bind(b.tenant)}`;
  if (types.length === 1) where += ` AND r.type = ${b.bind(types[0])}`;
  else if (types.length > 1) where += ` AND r.type IN (${b.list(types)})`;
  where += ' AND r.deleted = 0';
  return `${where} AND ${criteriaSql(b, request.criteria, { alias: 'r', types })}`;
}

/** Drivers may return 64-bit integers as strings or bigints; cursors hold plain JSON values. */
function normalise(value: unknown): KeyValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  return value as KeyValue;
}
