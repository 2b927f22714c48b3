/** SQLite's SQL differences and its driver-error mapping. */
import { FhirError } from '../../fhir/outcome.ts';
import type { Dialect } from '../sql/dialect.ts';
import { sqliteErrorCode } from './engine.ts';

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  types: {
    text: 'TEXT',
    json: 'TEXT',
    bigint: 'INTEGER',
    int: 'INTEGER',
    real: 'REAL',
    // AUTOINCREMENT: sequence numbers are never reused, even after the newest row is deleted.
    seqPk: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  },
  // Writers are serialised (one writer connection, BEGIN IMMEDIATE), so a plain read is already exclusive.
  forUpdate: '',
  tableExists: "SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = ?",
  placeholders: (sql) => sql,
  mapError: mapSqliteError,
  explain: (sql) => `EXPLAIN QUERY PLAN ${sql}`,
  planText: sqlitePlanText,
};

/** EXPLAIN QUERY PLAN rows (`id`, `parent`, `detail`) as an indented tree, as the sqlite3 shell prints it. */
function sqlitePlanText(rows: readonly Record<string, unknown>[]): string {
  const depth = new Map<number, number>([[0, -1]]);
  return rows
    .map((row) => {
      const level = (depth.get(Number(row.parent)) ?? -1) + 1;
      depth.set(Number(row.id), level);
      return `${'  '.repeat(level)}${String(row.detail)}`;
    })
    .join('\n');
}

/** The one place SQLite error codes become FhirError categories. */
export function mapSqliteError(err: unknown): unknown {
  const code = sqliteErrorCode(err);
  if (code === undefined) return err;
  let mapped: FhirError | undefined;
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
    mapped = new FhirError('conflict', 'The record already exists (concurrent write or duplicate key)');
  } else if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    mapped = new FhirError('invalid', 'The record refers to a record that does not exist');
  } else if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    mapped = new FhirError('unavailable', 'The database is busy; try again');
  } else if (code.startsWith('SQLITE_FULL') || code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY')) {
    mapped = new FhirError('unavailable', 'The database cannot be written');
  }
  if (!mapped) return err;
  Object.defineProperty(mapped, 'cause', { value: err });
  return mapped;
}
