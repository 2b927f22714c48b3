/**
 * Sort keys as SQL expressions on the resources alias. A parameter sorts by its smallest
 * indexed value ascending and its largest descending; resources without a value sort last
 * either way. The resource id (then type, for multi-type searches) always ends the key so
 * that every row has a unique position, which keyset paging needs; it runs in the direction of
 * the first key.
 * @see https://hl7.org/fhir/R4/search.html#_sort
 */
import type { IndexRowKind, SearchRequest } from '../../../fhir/search/types.ts';
import { FhirError } from '../../../fhir/outcome.ts';
import { INDEX_TABLES } from '../index-tables.ts';
import { unsupported } from './binder.ts';
import { indexKind } from './plan.ts';

export interface SortColumn {
  expr: string;
  descending: boolean;
  /** Parameter values may be absent; ids and timestamps never are. */
  nullable: boolean;
  /**
   * For a parameter key: the index table and column its values come from, so a search can walk
   * the values in order instead of computing the key of every match (see `search.ts`).
   */
  source?: { table: string; column: string; param: string; index: string };
}

/** The index (from migration 0013) that holds a table's sort column, then the id. */
const SORT_INDEXES: Record<string, string> = {
  'idx_string.value': 'idx_string_value',
  'idx_token.code': 'idx_token_code',
  'idx_date.start_ms': 'idx_date_start',
  'idx_date.end_ms': 'idx_date_end',
  'idx_number.value': 'idx_number_value',
  'idx_quantity.value': 'idx_quantity_value',
  'idx_uri.value': 'idx_uri_value',
};

/** The column a parameter kind sorts by; dates by start ascending and by end descending. */
function sortColumn(kind: IndexRowKind, descending: boolean): string {
  switch (kind) {
    case 'date':
      return descending ? 'end_ms' : 'start_ms';
    case 'token':
      return 'code';
    case 'reference':
      return 'COALESCE(s.target_id, s.url)';
    default:
      return 'value';
  }
}

export function sortColumns(request: SearchRequest, alias: string): SortColumn[] {
  const out: SortColumn[] = [];
  let hasId = false;
  for (const key of request.sort) {
    if (key.param === '_id') {
      hasId = true;
      out.push({ expr: `${alias}.id`, descending: key.descending, nullable: false });
    } else if (key.param === '_lastUpdated') {
      out.push({ expr: `${alias}.last_updated`, descending: key.descending, nullable: false });
    } else {
      // Parameter codes are inlined (not bound) so the expression can sit in the SELECT list
      // ahead of the bound criteria; the pattern keeps them free of quotes.
      if (!/^[A-Za-z0-9_.:-]+$/.test(key.param)) throw new FhirError('invalid', `Cannot sort by ${key.param}`);
      const kind = indexKind(key.type, key.param);
      // A composite value is a pair, which has no order of its own.
      if (kind === 'composite') throw unsupported(`sorting by composite parameter ${key.param}`);
      const col = sortColumn(kind, key.descending);
      const column = col.includes('(') ? col : `s.${col}`;
      const agg = key.descending ? 'MAX' : 'MIN';
      const table = INDEX_TABLES[kind].table;
      out.push({
        expr: `(SELECT ${agg}(${column}) FROM ${table} s WHERE s.tenant = ${alias}.tenant AND s.type = ${alias}.type AND s.id = ${alias}.id AND s.param = '${key.param}')`,
        descending: key.descending,
        nullable: true,
        ...(SORT_INDEXES[`${table}.${col}`] === undefined ? {} : { source: { table, column: col, param: key.param, index: SORT_INDEXES[`${table}.${col}`] } }),
      });
    }
  }
  if (request.sort.length === 0) out.push({ expr: `${alias}.last_updated`, descending: false, nullable: false });
  // The tie-breakers run in the direction of the first key, so that one index read forwards or
  // backwards — (…, value, id) or (…, last_updated, id) — yields the whole order.
  const tieDescending = out[0].descending;
  if (!hasId) out.push({ expr: `${alias}.id`, descending: tieDescending, nullable: false });
  if (request.resourceTypes.length !== 1) out.push({ expr: `${alias}.type`, descending: tieDescending, nullable: false });
  return out;
}
