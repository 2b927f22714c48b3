/**
 * Runs one `SearchRequest`: the page query (criteria, sort, keyset cursor), the total when
 * asked, and includes. Deleted resources never match, and every table access is bound to the
 * tenant.
 * @see https://hl7.org/fhir/R4/search.html
 */
import type { Resource } from '@medplum/fhirtypes';
import type { SearchRequest } from '../../../fhir/search/types.ts';
import type { SearchPage } from '../../store.ts';
import type { Dialect, SqlConn } from '../dialect.ts';
import { Binder } from './binder.ts';
import { includes, MAX_INCLUDED } from './include.ts';
import { decodeCursor, encodeCursor, keysetSql, orderSql, type KeyValue, type PageCursor } from './paging.ts';
import { criteriaSql, driverIdsSql } from './plan.ts';
import { sortColumns } from './sort.ts';

type PageRow = { content: string } & Record<string, KeyValue>;

export async function search(conn: SqlConn, tenant: string, request: SearchRequest, dialect: Dialect['name']): Promise<SearchPage> {
  const sort = sortColumns(request, 'r');
  const cursor = request.cursor === undefined ? undefined : decodeCursor(request.cursor, sort.length);

  const page: SearchPage = { resources: [], included: [] };
  if (request.total !== 'none') page.total = await count(conn, tenant, request, dialect);
  if (request.count <= 0) return page;

  const b = new Binder(tenant, dialect);
  const keys = sort.map((_, i) => `k${i}`);
  const select = sort.map((s, i) => `${s.expr} AS k${i}`).join(', ');
  const inner = `SELECT r.content AS content, ${select} FROM ${rowsSql(b, request)}`;
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

async function count(conn: SqlConn, tenant: string, request: SearchRequest, dialect: Dialect['name']): Promise<number> {
  const b = new Binder(tenant, dialect);
  const row = await conn.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${rowsSql(b, request)}`, b.params);
  return Number(row?.n ?? 0);
}

/**
 * `FROM … WHERE …` of the matching rows on alias `r`: tenant, types, liveness and criteria.
 *
 * When a criterion names one referenced resource (`patient=123`), the search is driven from the
 * ids it matches (CROSS JOIN keeps that order on SQLite) and every other criterion is a probe
 * of the candidate's own index rows; otherwise each criterion is an id list and the database
 * picks the order. Without this, `Observation?patient=…&category=…&date=…` walks every
 * Observation of the practice in date order, checking each against practice-wide lists.
 */
function rowsSql(b: Binder, request: SearchRequest): string {
  const types = request.resourceTypes;
  const scope = { alias: 'r', types };
  for (let i = 0; i < request.criteria.length; i++) {
    const driver = driverIdsSql(b, request.criteria[i], scope);
    if (driver === undefined) continue;
    const others = request.criteria.filter((_, j) => j !== i);
    const head = `(${driver}) d CROSS JOIN resources r WHERE r.tenant = ${b.bind(b.tenant)} AND r.type = ${b.bind(types[0])} AND r.id = d.id AND r.deleted = 0`;
    return `${head} AND ${criteriaSql(b, others, { ...scope, correlated: true })}`;
  }
  let where = `r.tenant = ${b.bind(b.tenant)}`;
  if (types.length === 1) where += ` AND r.type = ${b.bind(types[0])}`;
  else if (types.length > 1) where += ` AND r.type IN (${b.list(types)})`;
  where += ' AND r.deleted = 0';
  return `resources r WHERE ${where} AND ${criteriaSql(b, request.criteria, scope)}`;
}

/** Drivers may return 64-bit integers as strings or bigints; cursors hold plain JSON values. */
function normalise(value: unknown): KeyValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  return value as KeyValue;
}
