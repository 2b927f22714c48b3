/**
 * `StoreReader.latest`: a subject's newest resources per code (`Observation/$lastn`), from the
 * `code:lastn` rows of `idx_composite` and their partial index (migration 0015), ordered by
 * subject, category, code, date, id. Two steps, neither of which reads the subject's whole
 * record:
 * 1. The groups (category, code) are found by skipping through the index: each step reads the
 *    first index entry after the previous group (or after a whole category not asked for), so a
 *    patient with 20,000 observations of 40 codes costs at most 40 index probes.
 * 2. Each wanted group's newest resources are its last index entries, each checked against the
 *    caller's criteria with probes of its own index rows (as a search walk does), `max` per group,
 *    all groups in one statement.
 * A code in several categories (or a resource in several) is merged afterwards.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { TokenSearch } from '../../../fhir/search/types.ts';
import { LATEST_PARAM } from '../../../fhir/search/types.ts';
import { LATEST_INDEX_CONDITION } from '../../migrations/0015-latest-index.ts';
import type { LatestGroup, LatestQuery } from '../../store.ts';
import type { Dialect, SqlConn } from '../dialect.ts';
import { Binder } from './binder.ts';
import { criteriaSql } from './plan.ts';

/** Groups one subject may have before the walk stops: far more codes than any record holds. */
export const MAX_LATEST_GROUPS = 5000;
/** Groups read per statement in step 2. */
const GROUPS_PER_STATEMENT = 40;

interface Group {
  categorySystem: string;
  categoryCode: string;
  system: string;
  code: string;
}

interface LatestRow {
  g: number | string;
  content: string;
  at: number | string | null;
  id: string;
}

export async function latest(conn: SqlConn, tenant: string, q: LatestQuery, dialect: Dialect['name']): Promise<LatestGroup[]> {
  const groups = (await groupsOf(conn, tenant, q, dialect)).filter((g) => wanted(q, g));
  const merged = new Map<string, { system: string; code: string; rows: { resource: Resource; at: number; id: string }[] }>();
  for (let i = 0; i < groups.length; i += GROUPS_PER_STATEMENT) {
    const chunk = groups.slice(i, i + GROUPS_PER_STATEMENT);
    for (const row of await newest(conn, tenant, q, dialect, chunk)) {
      const group = chunk[Number(row.g)];
      const key = `${group.system}|${group.code}`;
      let entry = merged.get(key);
      if (entry === undefined) merged.set(key, (entry = { system: group.system, code: group.code, rows: [] }));
      if (!entry.rows.some((r) => r.id === row.id)) entry.rows.push({ resource: JSON.parse(row.content) as Resource, at: Number(row.at), id: row.id });
    }
  }
  const out: LatestGroup[] = [];
  for (const entry of [...merged.values()].sort((a, b) => compare(a.system, b.system) || compare(a.code, b.code))) {
    entry.rows.sort((a, b) => b.at - a.at || compare(b.id, a.id));
    out.push({ system: entry.system, code: entry.code, resources: entry.rows.slice(0, q.max).map((r) => r.resource) });
  }
  return out;
}

/**
 * The (category, code) groups of the subject's rows, in index order, one index probe each; a
 * category not asked for is skipped whole with one probe past it.
 */
async function groupsOf(conn: SqlConn, tenant: string, q: LatestQuery, dialect: Dialect['name']): Promise<Group[]> {
  const groups: Group[] = [];
  let after: { key: string[]; columns: string } | undefined;
  for (let probes = 0; probes < MAX_LATEST_GROUPS; probes++) {
    const b = new Binder(tenant, dialect);
    let sql =
      `SELECT x.system2 AS s2, x.code2 AS c2, x.system1 AS s1, x.code1 AS c1 FROM idx_composite x${hint(dialect)}` +
      ` WHERE x.tenant = ${b.bind(tenant)} AND x.type = ${b.bind(q.resourceType)} AND x.${LATEST_INDEX_CONDITION} AND x.text2 = ${b.bind(q.subject)}`;
    if (after !== undefined) sql += ` AND (${after.columns}) > (${b.list(after.key)})`;
    sql += ' ORDER BY x.system2, x.code2, x.system1, x.code1 LIMIT 1';
    const row = await conn.get<{ s2: string; c2: string; s1: string; c1: string }>(sql, b.params);
    if (row === undefined) break;
    const group = { categorySystem: row.s2, categoryCode: row.c2, system: row.s1, code: row.c1 };
    if (q.categories !== undefined && !q.categories.some((t) => matches(t, group.categorySystem, group.categoryCode))) {
      after = { key: [row.s2, row.c2], columns: 'x.system2, x.code2' };
      continue;
    }
    groups.push(group);
    after = { key: [row.s2, row.c2, row.s1, row.c1], columns: 'x.system2, x.code2, x.system1, x.code1' };
  }
  return groups;
}

/** The newest `max` resources of each group that match the criteria, tagged with the group's place in `groups`. */
function newest(conn: SqlConn, tenant: string, q: LatestQuery, dialect: Dialect['name'], groups: readonly Group[]): Promise<LatestRow[]> {
  const b = new Binder(tenant, dialect);
  const parts = groups.map((g, i) => {
    const where =
      `x.tenant = ${b.bind(tenant)} AND x.type = ${b.bind(q.resourceType)} AND x.${LATEST_INDEX_CONDITION} AND x.text2 = ${b.bind(q.subject)}` +
      ` AND x.system2 = ${b.bind(g.categorySystem)} AND x.code2 = ${b.bind(g.categoryCode)} AND x.system1 = ${b.bind(g.system)} AND x.code1 = ${b.bind(g.code)}` +
      ` AND r.tenant = x.tenant AND r.type = x.type AND r.id = x.id AND r.deleted = 0` +
      ` AND ${criteriaSql(b, q.criteria, { alias: 'r', types: [q.resourceType], correlated: true })}`;
    // CROSS JOIN keeps the index entries outermost on SQLite: read newest first, stopped after `max`.
    return `SELECT * FROM (SELECT ${i} AS g, r.content AS content, x.end2 AS at, x.id AS id FROM idx_composite x${hint(dialect)} CROSS JOIN resources r WHERE ${where} ORDER BY x.end2 DESC, x.id DESC LIMIT ${b.bind(q.max)}) q${i}`;
  });
  return conn.all<LatestRow>(parts.join(' UNION ALL '), b.params);
}

function hint(dialect: Dialect['name']): string {
  return dialect === 'sqlite' ? ' INDEXED BY idx_composite_latest' : '';
}

function wanted(q: LatestQuery, g: Group): boolean {
  if (q.codes !== undefined && !q.codes.some((t) => matches(t, g.system, g.code))) return false;
  return q.categories === undefined || q.categories.some((t) => matches(t, g.categorySystem, g.categoryCode));
}

/** A token value against a stored (system, code), '' standing for none. */
function matches(t: TokenSearch, system: string, code: string): boolean {
  if (t.code !== undefined && t.code !== code) return false;
  if (t.system === undefined) return code !== '';
  return t.system === null ? system === '' : t.system === system;
}

/** Code-unit order: byte order for the ASCII of codes, as both databases sort the index (binary collation). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
