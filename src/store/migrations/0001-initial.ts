/**
 * Migration 0001: resources (current version), resource_history (every version, with a global
 * sequence for system history and cursors), one search-index table per `IndexRow` kind, and
 * the server's admin tables. Every clinical row carries `tenant` and every index starts with
 * it, so no query can reach another practice's rows by accident of index choice.
 */
import type { IndexRowKind } from '../../fhir/search/types.ts';
import type { Dialect } from '../sql/dialect.ts';
import { INDEX_TABLES, type ColumnType, type IndexTable } from '../sql/index-tables.ts';
import type { Migration } from './migrate.ts';

/** The index tables this migration creates; later kinds come with later migrations. */
const INITIAL_KINDS: readonly IndexRowKind[] = ['string', 'token', 'reference', 'date', 'number', 'quantity', 'uri'];

/** One index table with its resource index and lookup indexes, all starting with the tenant. */
export function indexTableStatements(d: Dialect, t: IndexTable): string[] {
  const { text } = d.types;
  const colType = (type: ColumnType): string => (type === 'text' ? text : type === 'bigint' ? d.types.bigint : d.types.real);
  const cols = t.columns.map((c) => `${c.name} ${colType(c.type)}`).join(', ');
  const out = [`CREATE TABLE ${t.table} (tenant ${text} NOT NULL, type ${text} NOT NULL, id ${text} NOT NULL, param ${text} NOT NULL, ${cols})`];
  // (tenant, id, type) rather than (tenant, type, id): the latter shares the (tenant, type)
  // prefix with the lookup indexes, and PostgreSQL without statistics (right after a bulk
  // import) then picks it for value searches and filters thousands of rows.
  out.push(`CREATE INDEX ${t.table}_resource ON ${t.table} (tenant, id, type)`);
  t.lookups.forEach((lookup, i) => {
    out.push(`CREATE INDEX ${t.table}_lookup${i} ON ${t.table} (tenant, type, param, ${lookup.join(', ')})`);
  });
  return out;
}

export const initial: Migration = {
  id: '0001-initial',
  statements(d: Dialect): string[] {
    const { text, json, bigint, int, seqPk } = d.types;
    const out = [
      `CREATE TABLE resources (
        tenant ${text} NOT NULL,
        type ${text} NOT NULL,
        id ${text} NOT NULL,
        version_id ${int} NOT NULL,
        last_updated ${bigint} NOT NULL,
        deleted ${int} NOT NULL,
        method ${text} NOT NULL,
        index_kinds ${int} NOT NULL,
        content ${json},
        PRIMARY KEY (tenant, type, id)
      )`,
      // Default search order (_lastUpdated, id) per type and across types.
      `CREATE INDEX resources_updated ON resources (tenant, type, last_updated, id)`,
      `CREATE INDEX resources_updated_all ON resources (tenant, last_updated, id)`,
      `CREATE TABLE resource_history (
        seq ${seqPk},
        tenant ${text} NOT NULL,
        type ${text} NOT NULL,
        id ${text} NOT NULL,
        version_id ${int} NOT NULL,
        last_updated ${bigint} NOT NULL,
        deleted ${int} NOT NULL,
        method ${text} NOT NULL,
        content ${json}
      )`,
      // Unique: two writers that both read "version n" cannot both write n+1.
      `CREATE UNIQUE INDEX resource_history_version ON resource_history (tenant, type, id, version_id)`,
      `CREATE INDEX resource_history_tenant ON resource_history (tenant, seq)`,
      `CREATE INDEX resource_history_type ON resource_history (tenant, type, seq)`,
    ];
    for (const kind of INITIAL_KINDS) out.push(...indexTableStatements(d, INDEX_TABLES[kind]));
    out.push(
      `CREATE TABLE practices (id ${text} PRIMARY KEY, name ${text} NOT NULL UNIQUE, created_at ${text} NOT NULL)`,
      `CREATE TABLE oauth_clients (
        client_id ${text} PRIMARY KEY,
        practice_id ${text} NOT NULL REFERENCES practices (id),
        secret_hash ${text} NOT NULL,
        scopes ${text} NOT NULL,
        name ${text} NOT NULL,
        created_at ${text} NOT NULL
      )`,
      `CREATE TABLE settings (name ${text} PRIMARY KEY, value ${text} NOT NULL)`,
    );
    return out;
  },
};
