/**
 * `StoreReader.searchAnyOf`: the resources matching any of several small searches, in one
 * statement — each branch a `SELECT … LIMIT n` driven by its first criterion's id list (read from
 * that parameter's index) with the others as probes, joined with UNION ALL. No bounded count, no sort and no
 * paging, which a page of search results needs and a handful of candidates does not (gathering
 * `Patient/$match`'s candidates as ten separate searches cost ten counts).
 */
import type { Resource } from '@medplum/fhirtypes';
import type { AnyOfQuery } from '../../store.ts';
import type { Dialect, SqlConn } from '../dialect.ts';
import { Binder } from './binder.ts';
import { criteriaSql, idRowsSql } from './plan.ts';

export async function searchAnyOf(conn: SqlConn, tenant: string, q: AnyOfQuery, dialect: Dialect['name']): Promise<Resource[]> {
  if (q.branches.length === 0) return [];
  const b = new Binder(tenant, dialect);
  const scope = { alias: 'r', types: [q.resourceType] };
  const parts = q.branches.map((branch, i) => {
    // The caller's criteria are probes of each candidate, not id lists of the whole practice.
    const caller = () => (q.criteria.length === 0 ? '' : ` AND ${criteriaSql(b, q.criteria, { ...scope, correlated: true })}`);
    // Driven by the branch's first criterion's id list, read from its index and fenced (OFFSET 0):
    // PostgreSQL, misjudging a date range's selectivity, otherwise merged the whole type's primary
    // key with it (20,000 Patients: 134 ms for a birth date). The branch's other criteria are probes.
    // When every criterion is one id list (a name prefix and a birth year), the lists are
    // intersected: two index reads, where probing each of 1,000 name matches for its year took 80 ms.
    const lists = branch.length > 1 && branch.every((c) => idRowsSql(new Binder(tenant, dialect), c, scope) !== undefined);
    const [first, ...probed] = branch;
    const rest = lists ? [] : probed;
    const ids = lists ? branch.map((c, k) => `SELECT x${k}.id AS id FROM (${idRowsSql(b, c, scope)}) x${k}`).join(' INTERSECT ') : first === undefined ? undefined : idRowsSql(b, first, scope);
    if (ids !== undefined) {
      // Placeholders are positional: bound in the order the text has them.
      const fenced = `(SELECT DISTINCT x.id AS id FROM (${ids}) x${dialect === 'postgres' ? ' OFFSET 0' : ''}) d`;
      const join = `r.tenant = ${b.bind(tenant)} AND r.type = ${b.bind(q.resourceType)} AND r.id = d.id AND r.deleted = 0`;
      const others = rest.length === 0 ? '' : ` AND ${criteriaSql(b, rest, { ...scope, correlated: true })}`;
      return `SELECT * FROM (SELECT r.id AS id, r.content AS content FROM ${fenced} CROSS JOIN resources r WHERE ${join}${others}${caller()} LIMIT ${b.bind(q.limit)}) q${i}`;
    }
    const where = `r.tenant = ${b.bind(tenant)} AND r.type = ${b.bind(q.resourceType)} AND r.deleted = 0 AND ${criteriaSql(b, branch, scope)}`;
    return `SELECT * FROM (SELECT r.id AS id, r.content AS content FROM resources r WHERE ${where}${caller()} LIMIT ${b.bind(q.limit)}) q${i}`;
  });
  const rows = await conn.all<{ id: string; content: string }>(parts.join(' UNION ALL '), b.params);
  const seen = new Map<string, Resource>();
  for (const row of rows) if (!seen.has(row.id)) seen.set(row.id, JSON.parse(row.content) as Resource);
  return [...seen.values()];
}
