/**
 * Migration 0013: lookup indexes that end with the resource id, so that broad searches cost
 * about the same whatever the number of matches.
 * - A parameter's values can be read in sort order with their resources — `(tenant, type, param,
 *   value, id)` — so `_sort=family` walks the index and stops after one page instead of
 *   computing the sort key of every match (`sql/search/search.ts`, "walk").
 * - The id lists of criteria (`id IN (SELECT id FROM idx_… WHERE value …)`) are read from the
 *   index alone, without a visit to each table row.
 * Each replaces the 0001 lookup index it extends (same leading columns, so every lookup that
 * used the old one uses the new one). Dates get a second index led by the end of the range:
 * `_sort=-date` sorts by it, and `gt`/`ge`/`sa` search on it.
 */
import type { Dialect } from '../sql/dialect.ts';
import type { Migration } from './migrate.ts';

/** Table, the 0001 index it replaces, and the columns after (tenant, type, param) of each new index. */
const REPLACEMENTS: readonly { table: string; replaces: string; indexes: Record<string, string> }[] = [
  { table: 'idx_string', replaces: 'idx_string_lookup0', indexes: { idx_string_value: 'value, id' } },
  { table: 'idx_token', replaces: 'idx_token_lookup0', indexes: { idx_token_code: 'code, id, system' } },
  { table: 'idx_reference', replaces: 'idx_reference_lookup0', indexes: { idx_reference_target: 'target_id, target_type, id' } },
  { table: 'idx_date', replaces: 'idx_date_lookup0', indexes: { idx_date_start: 'start_ms, id, end_ms', idx_date_end: 'end_ms, id, start_ms' } },
  { table: 'idx_number', replaces: 'idx_number_lookup0', indexes: { idx_number_value: 'value, id' } },
  { table: 'idx_quantity', replaces: 'idx_quantity_lookup0', indexes: { idx_quantity_value: 'value, id' } },
  { table: 'idx_uri', replaces: 'idx_uri_lookup0', indexes: { idx_uri_value: 'value, id' } },
];

export const searchOrderIndexes: Migration = {
  id: '0013-search-order-indexes',
  statements(_d: Dialect): string[] {
    const out: string[] = [];
    for (const r of REPLACEMENTS) {
      // New first, so no moment lacks an index for the lookups.
      for (const [name, columns] of Object.entries(r.indexes)) out.push(`CREATE INDEX ${name} ON ${r.table} (tenant, type, param, ${columns})`);
      out.push(`DROP INDEX ${r.replaces}`);
    }
    return out;
  },
};
