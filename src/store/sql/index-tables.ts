/**
 * The search-index tables, one per `IndexRow` kind. Every table starts with
 * (tenant, type, id, param); the remaining columns and how an `IndexRow` fills them are listed
 * here once so migrations, writes and search agree.
 */
import type { IndexRow, IndexRowKind, ValueRow } from '../../fhir/search/types.ts';

export type ColumnType = 'text' | 'bigint' | 'real';

export interface IndexTable {
  readonly kind: IndexRowKind;
  readonly table: string;
  /** Bit in `resources.index_kinds`, so an update deletes only from tables that hold rows. */
  readonly bit: number;
  readonly columns: readonly { readonly name: string; readonly type: ColumnType }[];
  /** The row's values in column order (after tenant, type, id, param). */
  values(row: IndexRow): unknown[];
  /** Secondary indexes beyond (tenant, id, type): column lists after (tenant, type, param). */
  readonly lookups: readonly (readonly string[])[];
  /** Single-row insert: tenant, type, id, param, then `columns`. */
  readonly insertSql: string;
  /** Deletes one resource's rows: tenant, type, id. */
  readonly deleteSql: string;
}

type RowOf<K extends IndexRowKind> = Extract<IndexRow, { kind: K }>;

function table<K extends IndexRowKind>(
  kind: K,
  bit: number,
  columns: IndexTable['columns'],
  values: (row: RowOf<K>) => unknown[],
  lookups: IndexTable['lookups'],
): IndexTable {
  const name = 'idx_' + kind;
  const names = columns.map((c) => c.name).join(', ');
  return {
    kind,
    table: name,
    bit,
    columns,
    values: values as (row: IndexRow) => unknown[],
    lookups,
    insertSql: `INSERT INTO ${name} (tenant, type, id, param, ${names}) VALUES (?, ?, ?, ?${', ?'.repeat(columns.length)})`,
    deleteSql: `DELETE FROM ${name} WHERE tenant = ? AND type = ? AND id = ?`,
  };
}

export const INDEX_TABLES: Readonly<Record<IndexRowKind, IndexTable>> = {
  string: table(
    'string',
    1,
    [
      { name: 'value', type: 'text' },
      { name: 'exact', type: 'text' },
    ],
    (r) => [r.value, r.exact],
    [['value']],
  ),
  token: table(
    'token',
    2,
    [
      { name: 'system', type: 'text' },
      { name: 'code', type: 'text' },
      { name: 'text', type: 'text' },
    ],
    (r) => [r.system, r.code, r.text],
    [['code', 'system']],
  ),
  reference: table(
    'reference',
    4,
    [
      { name: 'target_type', type: 'text' },
      { name: 'target_id', type: 'text' },
      { name: 'url', type: 'text' },
    ],
    (r) => [r.targetType, r.targetId, r.url],
    [['target_id', 'target_type'], ['url']],
  ),
  date: table(
    'date',
    8,
    [
      { name: 'start_ms', type: 'bigint' },
      { name: 'end_ms', type: 'bigint' },
    ],
    (r) => [r.start, r.end],
    [['start_ms', 'end_ms']],
  ),
  number: table(
    'number',
    16,
    [
      { name: 'value', type: 'real' },
      { name: 'low', type: 'real' },
      { name: 'high', type: 'real' },
    ],
    (r) => [r.value, r.low, r.high],
    [['value']],
  ),
  quantity: table(
    'quantity',
    32,
    [
      { name: 'value', type: 'real' },
      { name: 'low', type: 'real' },
      { name: 'high', type: 'real' },
      { name: 'system', type: 'text' },
      { name: 'code', type: 'text' },
      { name: 'unit', type: 'text' },
    ],
    (r) => [r.value, r.low, r.high, r.system, r.code, r.unit],
    [['value']],
  ),
  uri: table('uri', 64, [{ name: 'value', type: 'text' }], (r) => [r.value], [['value']]),
  // The first component is always a token (system1, code1). The second fills the columns its
  // type needs and leaves the rest null: token and quantity system2/code2 (a reference its
  // target type and id there, its URL in text2), string and uri text2, number and quantity
  // value2, date start2/end2; a UCUM quantity also its canonical code and value.
  composite: table(
    'composite',
    128,
    [
      { name: 'system1', type: 'text' },
      { name: 'code1', type: 'text' },
      { name: 'system2', type: 'text' },
      { name: 'code2', type: 'text' },
      { name: 'text2', type: 'text' },
      { name: 'value2', type: 'real' },
      { name: 'start2', type: 'bigint' },
      { name: 'end2', type: 'bigint' },
      { name: 'canonical_code2', type: 'text' },
      { name: 'canonical_value2', type: 'real' },
    ],
    (r) => [r.first.system, r.first.code, ...secondValues(r), r.canonical?.code ?? null, r.canonical?.value ?? null],
    [['code1', 'system1']],
  ),
};

/**
 * system2, code2, text2, value2, start2, end2 of a composite's second component. A `LATEST_PARAM`
 * row (a token second) also has its subject in text2 and its date in start2/end2.
 */
function secondValues(row: Extract<IndexRow, { kind: 'composite' }>): unknown[] {
  if (row.subject !== undefined && row.second.kind === 'token') {
    return [row.second.system, row.second.code, row.subject, null, row.at?.start ?? null, row.at?.end ?? null];
  }
  const r: ValueRow = row.second;
  switch (r.kind) {
    case 'token':
      return [r.system, r.code, null, null, null, null];
    case 'quantity':
      return [r.system, r.code, null, r.value, null, null];
    case 'reference':
      return [r.targetType, r.targetId, r.url, null, null, null];
    case 'string':
    case 'uri':
      return [null, null, r.value, null, null, null];
    case 'number':
      return [null, null, null, r.value, null, null];
    case 'date':
      return [null, null, null, null, r.start, r.end];
  }
}

export const INDEX_TABLE_LIST: readonly IndexTable[] = Object.values(INDEX_TABLES);

/** The bit set of kinds present in `rows`. */
export function kindsOf(rows: readonly IndexRow[]): number {
  let bits = 0;
  for (const row of rows) bits |= INDEX_TABLES[row.kind].bit;
  return bits;
}
