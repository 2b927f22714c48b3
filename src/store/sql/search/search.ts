/**
 * Runs one `SearchRequest`: the page query (criteria, sort, keyset cursor), the total when
 * asked, and includes. Deleted resources never match, and every table access is bound to the
 * tenant.
 *
 * A first page must cost about the same whether 20 or 200,000 resources match, so the page is
 * found one of two ways, chosen by a bounded count (whose figure is the default total when it is
 * at most `TOTAL_CAP`):
 * - **Collect** (at most `COLLECT_CAP` matches, a small share of the type; or a criterion names
 *   one referenced resource): each criterion is an id list, the database reads the matches from
 *   the most selective one and sorts them. Bounded by the cap.
 * - **Walk** (more matches, or a larger share): read the resources in sort order from an index
 *   — `(…, last_updated, id)`, or a parameter's `(…, param, value, id)` index rows — and test
 *   each with correlated probes of its own index rows until the page is full. Dense matches
 *   mean few rows read per page.
 * @see https://hl7.org/fhir/R4/search.html
 */
import type { Resource } from '@medplum/fhirtypes';
import type { SearchCriterion, SearchRequest } from '../../../fhir/search/types.ts';
import { TOTAL_CAP, type SearchPage } from '../../store.ts';
import type { Dialect, SqlConn } from '../dialect.ts';
import { Binder } from './binder.ts';
import { includes, MAX_INCLUDED } from './include.ts';
import { decodeCursor, encodeCursor, keysetSql, orderSql, type KeyValue, type PageCursor } from './paging.ts';
import { criteriaSql, driverIdsSql, idRowsSql } from './plan.ts';
import { sortColumns, type SortColumn } from './sort.ts';

/**
 * Sparse matches up to this many are collected and sorted; more are walked. Larger than
 * `TOTAL_CAP`: a walk through sparse matches reads many rows per match (1,000 of a million
 * Observations in date order: ~20,000 rows for a page), sorting 1,000 does not.
 */
const COLLECT_CAP = 1000;
/**
 * Resources probed one by one for the bounded count before it turns to id lists: small, since
 * each is a probe of its index rows, and enough to tell dense matches (more than `TOTAL_CAP` in
 * the window, or `DENSE` of it) without counting them.
 */
const COUNT_WINDOW = 4 * (TOTAL_CAP + 1);
/** The share of a type's resources that match above which a page is walked, not collected. */
const DENSE = 0.05;
/**
 * The same share for a criterion that cannot seek its index (`:contains`): collecting its
 * matches means testing every row of the parameter (100,000 names for 50,000 Patients), while a
 * walk through 1 % matches reads ~2,000 rows a page. So such matches are walked from a lower share.
 */
const SCAN_DENSE = 0.01;
/** Index rows read at most per id counted when counting a criterion's ids (several rows may name one resource). */
const ROWS_PER_ID = 4;

type PageRow = { content: string } & Record<string, KeyValue>;

interface PageQuery {
  conn: SqlConn;
  tenant: string;
  request: SearchRequest;
  dialect: Dialect['name'];
  sort: SortColumn[];
  keys: string[];
  cursor: PageCursor | undefined;
  /** Rows wanted: the page and one more, which says whether another page follows. */
  limit: number;
}

export async function search(conn: SqlConn, tenant: string, request: SearchRequest, dialect: Dialect['name']): Promise<SearchPage> {
  const sort = sortColumns(request, 'r');
  const cursor = request.cursor === undefined ? undefined : decodeCursor(request.cursor, sort.length);

  const page: SearchPage = { resources: [], included: [] };
  if (request.count <= 0) {
    if (request.total !== 'none') page.total = await totalOf(conn, tenant, request, dialect);
    return page;
  }
  // The bounded count: the default total, and whether the matches are few enough to collect.
  // Whether a criterion names one referenced resource, which then drives the search (see rowsSql).
  const driven = hasDriver(request);
  const { n: few, dense } = await count(conn, tenant, request, dialect, driven);
  const q: PageQuery = { conn, tenant, request, dialect, sort, keys: sort.map((_, i) => `k${i}`), cursor, limit: request.count + 1 };
  // Dense matches are walked even when few: a page then reads a few dozen rows, not all of them.
  const walk = (few > COLLECT_CAP || dense) && request.resourceTypes.length === 1 && !driven;
  // No match at all (the count is exact at zero): the page would read the same rows again to find none.
  const rows = few === 0 ? [] : walk && sort[0].source !== undefined ? await walkValues(q) : await pageRows(q, walk, !walk && few <= COLLECT_CAP && !driven);
  if (request.total === 'accurate') page.total = few <= TOTAL_CAP ? few : await totalOf(conn, tenant, request, dialect);
  else if (request.total === 'estimate' && few <= TOTAL_CAP) page.total = few;

  const more = rows.length > request.count;
  const backwards = cursor?.dir === 'prev';
  const pageRowsInOrder = rows.slice(0, request.count);
  if (backwards) pageRowsInOrder.reverse();
  const boundary = (row: PageRow, dir: PageCursor['dir']): string => encodeCursor({ dir, values: q.keys.map((k) => normalise(row[k])) });
  if (pageRowsInOrder.length > 0) {
    const first = pageRowsInOrder[0];
    const last = pageRowsInOrder[pageRowsInOrder.length - 1];
    // Forward: more rows follow when the extra row came back; there is a previous page when we came by cursor.
    // Backward: the page we came from follows; an earlier one exists when the extra row came back.
    if (backwards ? true : more) page.nextCursor = boundary(last, 'next');
    if (backwards ? more : cursor !== undefined) page.prevCursor = boundary(first, 'prev');
  }
  page.resources = pageRowsInOrder.map((row) => JSON.parse(row.content) as Resource);
  const included = await includes(conn, tenant, page.resources, request);
  page.included = included.resources;
  if (included.truncated) page.includedLimit = MAX_INCLUDED;
  return page;
}

/**
 * The page (in reading order: backwards for a `prev` cursor) with every sort key computed per
 * match. Collecting, the database may read the matches in any order and sort them; walking, the
 * criteria are probes and the order comes from `(…, last_updated, id)` or the primary key.
 */
async function pageRows(q: PageQuery, walk: boolean, fewCollected: boolean): Promise<PageRow[]> {
  const b = new Binder(q.tenant, q.dialect);
  const select = q.sort.map((s, i) => `${s.expr} AS k${i}`).join(', ');
  // A few sparse matches are read whole and sorted. PostgreSQL would otherwise pull the subquery
  // up and, misjudging how many match, walk the type's sort index testing every row: 96
  // Encounters of one day among 200,000 took 270 ms that way, 6 ms read from the date index.
  const fence = fewCollected && q.dialect === 'postgres' ? ' OFFSET 0' : '';
  const inner = `SELECT r.content AS content, ${select} FROM ${rowsSql(b, q.request, walk)}${fence}`;
  const outerKeys = q.keys.map((k) => `q.${k}`);
  const keyset = q.cursor ? ` WHERE ${keysetSql(b, outerKeys, q.sort, q.cursor)}` : '';
  const backwards = q.cursor?.dir === 'prev';
  const sql = `SELECT q.* FROM (${inner}) q${keyset} ORDER BY ${orderSql(outerKeys, q.sort, backwards)} LIMIT ${b.bind(q.limit)}`;
  return q.conn.all<PageRow>(sql, b.params);
}

/**
 * Walks a parameter's index rows in value order (`_sort=family`): each resource at the row that
 * holds its smallest value (largest, descending), then — values being optional — the resources
 * without one, which sort last either way. A resource with its sort value twice has two such
 * rows; they are adjacent, and the second is dropped.
 */
async function walkValues(q: PageQuery): Promise<PageRow[]> {
  const source = q.sort[0].source!;
  const forward = q.cursor?.dir !== 'prev';
  // Segments in reading order; a cursor says in which one reading resumes.
  const segments: ('valued' | 'missing')[] = forward ? ['valued', 'missing'] : ['missing', 'valued'];
  const start = q.cursor === undefined ? 0 : segments.indexOf(q.cursor.values[0] === null ? 'missing' : 'valued');
  const out: PageRow[] = [];
  for (const segment of segments.slice(start)) {
    let cursor = segments.indexOf(segment) === start ? q.cursor : undefined;
    for (;;) {
      const wanted = q.limit - out.length;
      const rows = segment === 'valued' ? await valuedRows(q, source, cursor, wanted) : await missingRows(q, source, cursor, wanted);
      for (const row of rows) if (out.length === 0 || !sameKeys(q.keys, out[out.length - 1], row)) out.push(row);
      if (out.length >= q.limit) return out.slice(0, q.limit);
      if (rows.length < wanted) break;
      // Duplicates took places: read on after the last row.
      const last = rows[rows.length - 1];
      cursor = { dir: forward ? 'next' : 'prev', values: q.keys.map((k) => normalise(last[k])) };
    }
  }
  return out;
}

function sameKeys(keys: readonly string[], a: PageRow, b: PageRow): boolean {
  return keys.every((k) => normalise(a[k]) === normalise(b[k]));
}

/**
 * Resources with a value, from the `(…, param, value, id)` index; `cursor` within this segment.
 * The page's keys are found first and the resources read for those rows only: with several sort
 * keys, the whole run of equal first values (~700 Patients of one family among 50,000) is read
 * and sorted by the others, and carrying each resource's JSON through that sort doubled its cost.
 */
function valuedRows(q: PageQuery, source: NonNullable<SortColumn['source']>, cursor: PageCursor | undefined, limit: number): Promise<PageRow[]> {
  const b = new Binder(q.tenant, q.dialect);
  const { table, column, param, index } = source;
  // Index rows exist only for live resources: without criteria (or a `_lastUpdated` key) the
  // resource's own row adds nothing, and the index row stands in for it under its alias, which
  // the other keys' subqueries refer to.
  const alone = q.request.criteria.length === 0 && !q.sort.some((c) => c.expr.includes('.last_updated'));
  const s = alone ? 'r' : 's';
  // The id as the index row's (equal to the resource's), so the index order covers the tie-breaker too.
  const rest = q.sort.slice(1).map((c) => (c.expr === 'r.id' ? { ...c, expr: `${s}.id` } : c));
  const sort: SortColumn[] = [{ ...q.sort[0], expr: `${s}.${column}`, nullable: false }, ...rest];
  const select = sort.map((c, i) => `${c.expr} AS k${i}`).join(', ');
  // Only the row with the resource's own sort value: none of its rows of the parameter is before it.
  const before = q.sort[0].descending ? '>' : '<';
  const own = `NOT EXISTS (SELECT 1 FROM ${table} s2 WHERE s2.tenant = ${s}.tenant AND s2.id = ${s}.id AND s2.type = ${s}.type AND s2.param = ${s}.param AND s2.${column} ${before} ${s}.${column}${b.probeEnd()})`;
  let inner =
    // SQLite: CROSS JOIN keeps the index rows outermost (read in order), INDEXED BY the index
    // that has them in order; left to itself it may read resources in _lastUpdated order and sort.
    `SELECT ${s}.id AS row_id, ${select} FROM ${table} ${s}${q.dialect === 'sqlite' ? ` INDEXED BY ${index}` : ''}${alone ? '' : ' CROSS JOIN resources r'}` +
    ` WHERE ${s}.tenant = ${b.bind(q.tenant)} AND ${s}.type = ${b.bind(q.request.resourceTypes[0])} AND ${s}.param = ${b.bind(param)}` +
    // A row without the value (a token with a system only) gives no sort value, as with MIN/MAX.
    ` AND ${s}.${column} IS NOT NULL AND ${own}`;
  if (!alone) inner += ` AND r.tenant = s.tenant AND r.type = s.type AND r.id = s.id AND r.deleted = 0 AND ${criteriaSql(b, q.request.criteria, { alias: 'r', types: q.request.resourceTypes, correlated: true })}`;
  if (cursor) inner += ` AND ${keysetSql(b, sort.map((c) => c.expr), sort, cursor)}`;
  const backwards = q.cursor?.dir === 'prev';
  // By the output names: a key's subquery written again in ORDER BY would run twice per row.
  inner += ` ORDER BY ${orderSql(sort.map((_, i) => `k${i}`), sort, backwards)} LIMIT ${b.bind(limit)}`;
  // Placeholders are positional: the inner query's come first.
  const keys = sort.map((_, i) => `q.k${i}`);
  const sql = `SELECT c.content AS content, q.* FROM (${inner}) q CROSS JOIN resources c WHERE c.tenant = ${b.bind(q.tenant)} AND c.type = ${b.bind(q.request.resourceTypes[0])} AND c.id = q.row_id ORDER BY ${orderSql(keys, sort, backwards)}`;
  return q.conn.all<PageRow>(sql, b.params);
}

/** Resources without a value of the sort parameter, in the order of the remaining keys. */
function missingRows(q: PageQuery, source: NonNullable<SortColumn['source']>, cursor: PageCursor | undefined, limit: number): Promise<PageRow[]> {
  const b = new Binder(q.tenant, q.dialect);
  const rest = q.sort.slice(1);
  const select = ['NULL AS k0', ...rest.map((s, i) => `${s.expr} AS k${i + 1}`)].join(', ');
  // Placeholders are positional: bound in the order the text has them.
  let sql = `SELECT r.content AS content, ${select} FROM resources r WHERE r.tenant = ${b.bind(q.tenant)} AND r.type = ${b.bind(q.request.resourceTypes[0])} AND r.deleted = 0`;
  sql += ` AND NOT EXISTS (SELECT 1 FROM ${source.table} s WHERE s.tenant = r.tenant AND s.id = r.id AND s.type = r.type AND s.param = ${b.bind(source.param)} AND s.${source.column} IS NOT NULL${b.probeEnd()})`;
  sql += ` AND ${criteriaSql(b, q.request.criteria, { alias: 'r', types: q.request.resourceTypes, correlated: true })}`;
  if (cursor) sql += ` AND ${keysetSql(b, rest.map((s) => s.expr), rest, { dir: cursor.dir, values: cursor.values.slice(1) })}`;
  const backwards = q.cursor?.dir === 'prev';
  sql += ` ORDER BY ${orderSql(rest.map((s) => s.expr), rest, backwards)} LIMIT ${b.bind(limit)}`;
  return q.conn.all<PageRow>(sql, b.params);
}

/**
 * How many resources match: exactly when at most `TOTAL_CAP`, and whether they are dense.
 * - No criteria: every resource of the type matches (dense); counted up to `TOTAL_CAP`.
 * - One plain criterion that seeks its lookup index (`name=ma`, not `:contains`): its first
 *   `COLLECT_CAP` + 1 index rows, read from the index alone. All of them, of at most `TOTAL_CAP`
 *   resources: exact, collected. More rows, of more than `TOTAL_CAP` resources: walked. Between
 *   the two, the general count below decides.
 * - Otherwise the first `COUNT_WINDOW` resources of the type are probed one by one: very dense
 *   matches pass `TOTAL_CAP` within it, and a type with fewer resources is counted whole. Then
 *   id lists count them (the database reads them from the most selective criterion): up to
 *   `TOTAL_CAP` when dense (walked anyway), up to `COLLECT_CAP` when sparse (collected if no more).
 */
async function count(conn: SqlConn, tenant: string, request: SearchRequest, dialect: Dialect['name'], driven: boolean): Promise<{ n: number; dense: boolean }> {
  const single = request.resourceTypes.length === 1;
  // Without criteria every resource of the type matches: walked, so only the total needs the count.
  if (single && request.criteria.length === 0) return { n: await countRows(conn, tenant, request, dialect, TOTAL_CAP + 1), dense: true };
  if (single && request.criteria.length === 1 && !driven && seeks(request.criteria[0])) {
    const b = new Binder(tenant, dialect);
    const scope = { alias: 'r', types: request.resourceTypes };
    const ids = idRowsSql(b, request.criteria[0], scope);
    if (ids !== undefined) {
      // Both from the first COLLECT_CAP + 1 rows, so that neither database reads further (a
      // DISTINCT straight on the index would be hashed whole on PostgreSQL before its LIMIT).
      const first = `${ids} LIMIT ${b.bind(COLLECT_CAP + 1)}`;
      const distinct = `SELECT COUNT(*) FROM (SELECT DISTINCT x.id FROM (${first}) x LIMIT ${b.bind(TOTAL_CAP + 1)}) a`;
      // Placeholders are positional: the same rows again, bound in the order the text has them.
      const sql = `SELECT (${distinct}) AS n, (SELECT COUNT(*) FROM (${idRowsSql(b, request.criteria[0], scope)} LIMIT ${b.bind(COLLECT_CAP + 1)}) c) AS rows`;
      const row = await conn.get<{ n: number | string; rows: number | string }>(sql, b.params);
      const n = Number(row?.n ?? 0);
      const rows = Number(row?.rows ?? 0);
      const allRows = rows <= COLLECT_CAP;
      // Every row seen and at most TOTAL_CAP resources: exact, and collected (sorting so few costs
      // little whatever the type's size).
      if (allRows && n <= TOTAL_CAP) return { n, dense: false };
      // More than TOTAL_CAP resources and more than COLLECT_CAP rows: walked (a resource with
      // several matching rows counts once per row here, which only decides how the page is read).
      if (!allRows && n > TOTAL_CAP) return { n: rows, dense: false };
    }
  }
  return windowCount(conn, tenant, request, dialect, driven);
}

/**
 * Whether a criterion's index rows are a range of the lookup index (a prefix, a code, a date…),
 * so that counting them reads only matches. A substring (`:contains`, a token's `:text`) is
 * tested on every row of the parameter: 100,000 name rows for 50,000 Patients, where probing the
 * window's resources reads a few hundred.
 */
function seeks(c: SearchCriterion): boolean {
  return c.modifier !== 'contains' && c.modifier !== 'text';
}

/** The general bounded count (see `count`). */
async function windowCount(conn: SqlConn, tenant: string, request: SearchRequest, dialect: Dialect['name'], driven: boolean): Promise<{ n: number; dense: boolean }> {
  // Exact when at most TOTAL_CAP; past it, only as far as the choice of plan needs.
  let limit = COLLECT_CAP + 1;
  // Without criteria every resource of the type matches.
  let dense = request.criteria.length === 0;
  if (request.resourceTypes.length === 1 && request.criteria.length > 0 && !driven) {
    const b = new Binder(tenant, dialect);
    // In primary-key order: PostgreSQL would otherwise read the window with a scan of the table.
    const window = `SELECT w.tenant, w.type, w.id, w.last_updated FROM resources w WHERE w.tenant = ${b.bind(tenant)} AND w.type = ${b.bind(request.resourceTypes[0])} AND w.deleted = 0 ORDER BY w.id LIMIT ${b.bind(COUNT_WINDOW)}`;
    const probed = `SELECT 1 AS one FROM (${window}) r WHERE ${criteriaSql(b, request.criteria, { alias: 'r', types: request.resourceTypes, correlated: true })} LIMIT ${b.bind(TOTAL_CAP + 1)}`;
    const typeRows = `SELECT 1 AS one FROM resources v WHERE v.tenant = ${b.bind(tenant)} AND v.type = ${b.bind(request.resourceTypes[0])} AND v.deleted = 0 ORDER BY v.id LIMIT ${b.bind(COUNT_WINDOW)}`;
    const sql = `SELECT (SELECT COUNT(*) FROM (${probed}) p) AS n, (SELECT COUNT(*) FROM (${typeRows}) s) AS seen`;
    const row = await conn.get<{ n: number | string; seen: number | string }>(sql, b.params);
    const n = Number(row?.n ?? 0);
    const seen = Number(row?.seen ?? 0);
    dense = n > TOTAL_CAP || n >= seen * (request.criteria.every(seeks) ? DENSE : SCAN_DENSE);
    // Every resource of the type seen, or more than TOTAL_CAP in the window: walked, total left out.
    if (n > TOTAL_CAP || seen < COUNT_WINDOW) return { n, dense };
    // Dense matches are walked however many there are; the count need only say whether the total is given.
    if (dense) limit = TOTAL_CAP + 1;
  }
  if (request.criteria.length === 1 && request.resourceTypes.length === 1) {
    // One criterion: its distinct ids from the lookup index (PostgreSQL would rather hash every
    // resource of the type), from its first rows only: PostgreSQL hashes or sorts a DISTINCT whole
    // before its LIMIT, which for a substring meant every row of the parameter (48 ms for
    // `name:contains=art` among 50,000 Patients) where a few hundred rows answer.
    const b = new Binder(tenant, dialect);
    const scope = { alias: 'r', types: request.resourceTypes };
    const ids = idRowsSql(b, request.criteria[0], scope);
    if (ids !== undefined) {
      const rowsCap = ROWS_PER_ID * limit;
      const first = await conn.get<{ n: number | string; rows: number | string }>(`SELECT COUNT(DISTINCT x.id) AS n, COUNT(*) AS rows FROM (${ids} LIMIT ${b.bind(rowsCap)}) x`, b.params);
      const n = Number(first?.n ?? 0);
      // Every row read, or enough resources among them: that is the count (capped at the limit).
      if (Number(first?.rows ?? 0) < rowsCap || n >= limit) return { n: Math.min(n, limit), dense };
      // Many rows for few resources: count on.
      const all = new Binder(tenant, dialect);
      const row = await conn.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM (SELECT DISTINCT ${idRowsSql(all, request.criteria[0], scope)!.slice('SELECT '.length)} LIMIT ${all.bind(limit)}) c`, all.params);
      return { n: Number(row?.n ?? 0), dense };
    }
  }
  return { n: await countRows(conn, tenant, request, dialect, limit), dense };
}

/** Matches counted through the database's own plan, up to `limit`. */
async function countRows(conn: SqlConn, tenant: string, request: SearchRequest, dialect: Dialect['name'], limit: number): Promise<number> {
  const b = new Binder(tenant, dialect);
  const row = await conn.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM ${rowsSql(b, request, false)} LIMIT ${b.bind(limit)}) c`, b.params);
  return Number(row?.n ?? 0);
}

/**
 * Every match counted (`_total=accurate`): one plain criterion from its lookup index alone
 * (`COUNT(DISTINCT id)` over the index range, no visit to the resources), others through the
 * database's own plan.
 */
async function totalOf(conn: SqlConn, tenant: string, request: SearchRequest, dialect: Dialect['name']): Promise<number> {
  const b = new Binder(tenant, dialect);
  const ids = request.criteria.length === 1 && request.resourceTypes.length === 1 && !hasDriver(request) ? idRowsSql(b, request.criteria[0], { alias: 'r', types: request.resourceTypes }) : undefined;
  if (ids !== undefined) {
    const row = await conn.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM (SELECT DISTINCT ${ids.slice('SELECT '.length)}) c`, b.params);
    return Number(row?.n ?? 0);
  }
  const all = new Binder(tenant, dialect);
  const row = await conn.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${rowsSql(all, request, false)}`, all.params);
  return Number(row?.n ?? 0);
}

function hasDriver(request: SearchRequest): boolean {
  const b = new Binder('');
  return request.criteria.some((c) => driverIdsSql(b, c, { alias: 'r', types: request.resourceTypes }) !== undefined);
}

/**
 * `FROM … WHERE …` of the matching rows on alias `r`: tenant, types, liveness and criteria.
 *
 * When a criterion names one referenced resource (`patient=123`), the search is driven from the
 * ids it matches (CROSS JOIN keeps that order on SQLite) and every other criterion is a probe
 * of the candidate's own index rows; otherwise each criterion is an id list and the database
 * picks the order (`probe`: each criterion is a probe of the row, for a walk in index order).
 * Without the driver, `Observation?patient=…&category=…&date=…` walks every Observation of the
 * practice in date order, checking each against practice-wide lists.
 */
function rowsSql(b: Binder, request: SearchRequest, probe: boolean): string {
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
  return `resources r WHERE ${where} AND ${criteriaSql(b, request.criteria, { ...scope, correlated: probe })}`;
}

/** Drivers may return 64-bit integers as strings or bigints; cursors hold plain JSON values. */
function normalise(value: unknown): KeyValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  return value as KeyValue;
}
