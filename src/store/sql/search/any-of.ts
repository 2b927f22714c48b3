/**
 * `StoreReader.searchAnyOf`: the resources matching any of several small searches, in one
 * statement — each branch a `SELECT … LIMIT n` the database plans from that branch's own
 * criteria (id lists from their indexes), joined with UNION ALL. No bounded count, no sort and no
 * paging, which a page of search results needs and a handful of candidates does not (gathering
 * `Patient/$match`'s candidates as ten separate searches cost ten counts).
 */
import type { Resource } from '@medplum/fhirtypes';
import type { AnyOfQuery } from '../../store.ts';
import type { Dialect, SqlConn } from '../dialect.ts';
import { Binder } from './binder.ts';
import { criteriaSql } from './plan.ts';

export async function searchAnyOf(conn: SqlConn, tenant: string, q: AnyOfQuery, dialect: Dialect['name']): Promise<Resource[]> {
  if (q.branches.length === 0) return [];
  const b = new Binder(tenant, dialect);
  const scope = { alias: 'r', types: [q.resourceType] };
  const parts = q.branches.map((branch, i) => {
    const where = `r.tenant = ${b.bind(tenant)} AND r.type = ${b.bind(q.resourceType)} AND r.deleted = 0 AND ${criteriaSql(b, branch, scope)}`;
    // The caller's criteria are probes of each candidate, not id lists of the whole practice.
    const caller = q.criteria.length === 0 ? '' : ` AND ${criteriaSql(b, q.criteria, { ...scope, correlated: true })}`;
    return `SELECT * FROM (SELECT r.id AS id, r.content AS content FROM resources r WHERE ${where}${caller} LIMIT ${b.bind(q.limit)}) q${i}`;
  });
  const rows = await conn.all<{ id: string; content: string }>(parts.join(' UNION ALL '), b.params);
  const seen = new Map<string, Resource>();
  for (const row of rows) if (!seen.has(row.id)) seen.set(row.id, JSON.parse(row.content) as Resource);
  return [...seen.values()];
}
