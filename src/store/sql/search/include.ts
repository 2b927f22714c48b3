/**
 * `_include` and `_revinclude` for one page of matches, through `idx_reference`. Directives
 * marked `iterate` are applied again to what the previous round added, a bounded number of
 * times. Deleted targets are never included; a resource is returned at most once, and never
 * when it is already a match.
 *
 * Wildcards (`*` as source type or parameter) and iteration can fan out without limit, so a
 * page carries at most `MAX_INCLUDED` included resources; the page says when it stopped there.
 * @see https://hl7.org/fhir/R4/search.html#include
 */
import type { Resource } from '@medplum/fhirtypes';
import type { IncludeDirective, SearchRequest } from '../../../fhir/search/types.ts';
import type { SqlConn } from '../dialect.ts';
import { Binder } from './binder.ts';

/** Rounds of `:iterate`; deep enough for Observation → Encounter → Location → Organization. */
const MAX_ROUNDS = 4;
/** Included resources per page, whatever the directives ask. */
export const MAX_INCLUDED = 1000;
const CHUNK = 500;

interface Row {
  type: string;
  id: string;
  content: string;
}

export interface Included {
  resources: Resource[];
  /** True when more would have been included than `MAX_INCLUDED`. */
  truncated: boolean;
}

export async function includes(conn: SqlConn, tenant: string, page: readonly Resource[], request: SearchRequest): Promise<Included> {
  const out: Resource[] = [];
  if (request.include.length === 0 && request.revinclude.length === 0) return { resources: out, truncated: false };
  const seen = new Set(page.map(key));
  let truncated = false;
  let frontier: readonly Resource[] = page;
  for (let round = 0; round < MAX_ROUNDS && frontier.length > 0 && !truncated; round++) {
    const next: Resource[] = [];
    const room = (): number => MAX_INCLUDED - out.length - next.length;
    const add = (rows: Row[]): void => {
      for (const row of rows) {
        const k = row.type + '/' + row.id;
        if (seen.has(k)) continue;
        if (room() <= 0) {
          truncated = true;
          return;
        }
        seen.add(k);
        next.push(JSON.parse(row.content) as Resource);
      }
    };
    const active = (d: IncludeDirective): boolean => round === 0 || d.iterate;
    for (const d of request.include.filter(active)) {
      for (const [type, ids] of byType(frontier, d.sourceType === '*' ? undefined : d.sourceType)) {
        for (const chunk of chunks(ids)) if (!truncated) add(await forward(conn, tenant, d, type, chunk, room() + 1));
      }
    }
    for (const d of request.revinclude.filter(active)) {
      for (const [type, ids] of byType(frontier, d.targetType)) {
        for (const chunk of chunks(ids)) if (!truncated) add(await reverse(conn, tenant, d, type, chunk, room() + 1));
      }
    }
    out.push(...next);
    frontier = next;
  }
  return { resources: out, truncated };
}

/** The frontier's ids grouped by type, optionally of one type only. */
function byType(frontier: readonly Resource[], only: string | undefined): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const r of frontier) {
    if (only !== undefined && r.resourceType !== only) continue;
    const list = map.get(r.resourceType) ?? [];
    list.push(r.id as string);
    map.set(r.resourceType, list);
  }
  return map;
}

/** Targets of the references that `sourceType` resources `ids` make through `d.param`. */
function forward(conn: SqlConn, tenant: string, d: IncludeDirective, sourceType: string, ids: string[], limit: number): Promise<Row[]> {
  const b = new Binder(tenant);
  let sql =
    'SELECT x.type, x.id, x.content FROM idx_reference ia JOIN resources x ON x.tenant = ia.tenant AND x.type = ia.target_type AND x.id = ia.target_id' +
    ` WHERE ia.tenant = ${b.bind(tenant)} AND ia.type = ${b.bind(sourceType)} AND ia.id IN (${b.list(ids)})`;
  if (d.param !== '*') sql += ` AND ia.param = ${b.bind(d.param)}`;
  if (d.targetType !== undefined) sql += ` AND ia.target_type = ${b.bind(d.targetType)}`;
  sql += ` AND x.deleted = 0 LIMIT ${b.bind(limit)}`;
  return conn.all<Row>(sql, b.params);
}

/** Resources of `d.sourceType` (any type for `*`) whose `d.param` refers to one of the page's resources. */
function reverse(conn: SqlConn, tenant: string, d: IncludeDirective, targetType: string, ids: string[], limit: number): Promise<Row[]> {
  const b = new Binder(tenant);
  let sql =
    'SELECT x.type, x.id, x.content FROM idx_reference ia JOIN resources x ON x.tenant = ia.tenant AND x.type = ia.type AND x.id = ia.id' +
    ` WHERE ia.tenant = ${b.bind(tenant)}`;
  if (d.sourceType !== '*') sql += ` AND ia.type = ${b.bind(d.sourceType)}`;
  if (d.param !== '*') sql += ` AND ia.param = ${b.bind(d.param)}`;
  sql += ` AND ia.target_type = ${b.bind(targetType)} AND ia.target_id IN (${b.list(ids)}) AND x.deleted = 0 LIMIT ${b.bind(limit)}`;
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
