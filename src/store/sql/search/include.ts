/**
 * `_include` and `_revinclude` for one page of matches, through `idx_reference`. Directives
 * marked `iterate` are applied again to what the previous round added, a bounded number of
 * times. Deleted targets are never included; a resource is returned at most once, and never
 * when it is already a match.
 * @see https://hl7.org/fhir/R4/search.html#include
 */
import type { Resource } from '@medplum/fhirtypes';
import type { IncludeDirective, SearchRequest } from '../../../fhir/search/types.ts';
import type { SqlConn } from '../dialect.ts';
import { Binder } from './binder.ts';

/** Rounds of `:iterate`; deep enough for Observation → Encounter → Location → Organization. */
const MAX_ROUNDS = 4;
const CHUNK = 500;

interface Row {
  type: string;
  id: string;
  content: string;
}

export async function includes(conn: SqlConn, tenant: string, page: readonly Resource[], request: SearchRequest): Promise<Resource[]> {
  if (request.include.length === 0 && request.revinclude.length === 0) return [];
  const seen = new Set(page.map(key));
  const out: Resource[] = [];
  let frontier: readonly Resource[] = page;
  for (let round = 0; round < MAX_ROUNDS && frontier.length > 0; round++) {
    const next: Resource[] = [];
    const add = (rows: Row[]): void => {
      for (const row of rows) {
        const k = row.type + '/' + row.id;
        if (seen.has(k)) continue;
        seen.add(k);
        next.push(JSON.parse(row.content) as Resource);
      }
    };
    const active = (d: IncludeDirective): boolean => round === 0 || d.iterate;
    for (const d of request.include.filter(active)) {
      const ids = frontier.filter((r) => r.resourceType === d.sourceType).map((r) => r.id as string);
      for (const chunk of chunks(ids)) add(await forward(conn, tenant, d, chunk));
    }
    for (const d of request.revinclude.filter(active)) {
      const byType = new Map<string, string[]>();
      for (const r of frontier) {
        if (d.targetType !== undefined && r.resourceType !== d.targetType) continue;
        const list = byType.get(r.resourceType) ?? [];
        list.push(r.id as string);
        byType.set(r.resourceType, list);
      }
      for (const [type, ids] of byType) for (const chunk of chunks(ids)) add(await reverse(conn, tenant, d, type, chunk));
    }
    out.push(...next);
    frontier = next;
  }
  return out;
}

/** Targets of the page's references. */
function forward(conn: SqlConn, tenant: string, d: IncludeDirective, ids: string[]): Promise<Row[]> {
  const b = new Binder(tenant);
  let sql =
    'SELECT x.type, x.id, x.content FROM idx_reference ia JOIN resources x ON x.tenant = ia.tenant AND x.type = ia.target_type AND x.id = ia.target_id' +
    ` WHERE ia.tenant = ${b.bind(tenant)} AND ia.type = ${b.bind(d.sourceType)} AND ia.id IN (${b.list(ids)})`;
  if (d.param !== '*') sql += ` AND ia.param = ${b.bind(d.param)}`;
  if (d.targetType !== undefined) sql += ` AND ia.target_type = ${b.bind(d.targetType)}`;
  sql += ' AND x.deleted = 0';
  return conn.all<Row>(sql, b.params);
}

/** Resources of `d.sourceType` whose `d.param` refers to one of the page's resources. */
function reverse(conn: SqlConn, tenant: string, d: IncludeDirective, targetType: string, ids: string[]): Promise<Row[]> {
  const b = new Binder(tenant);
  let sql =
    'SELECT x.type, x.id, x.content FROM idx_reference ia JOIN resources x ON x.tenant = ia.tenant AND x.type = ia.type AND x.id = ia.id' +
    ` WHERE ia.tenant = ${b.bind(tenant)} AND ia.type = ${b.bind(d.sourceType)}`;
  if (d.param !== '*') sql += ` AND ia.param = ${b.bind(d.param)}`;
  sql += ` AND ia.target_type = ${b.bind(targetType)} AND ia.target_id IN (${b.list(ids)}) AND x.deleted = 0`;
  return conn.all<Row>(sql, b.params);
}

function key(r: Resource): string {
  return r.resourceType + '/' + r.id;
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}
