/** PostgreSQL's SQL differences and its driver-error mapping. */
import { FhirError } from '../../fhir/outcome.ts';
import { numberedPlaceholders, type Dialect } from '../sql/dialect.ts';

export const postgresDialect: Dialect = {
  name: 'postgres',
  types: {
    // Byte-order collation: ids and index values sort as in SQLite, and prefix ranges can use btree indexes.
    text: 'TEXT COLLATE "C"',
    // `json` keeps the text as written (key order included); `jsonb` would reorder keys.
    json: 'JSON',
    bigint: 'BIGINT',
    int: 'INTEGER',
    real: 'DOUBLE PRECISION',
    seqPk: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
  },
  forUpdate: ' FOR UPDATE',
  tableExists: 'SELECT 1 AS found FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = ?',
  placeholders: numberedPlaceholders,
  mapError: mapPostgresError,
  // ANALYZE runs the statement: the plan shows real row counts and times, not only estimates.
  explain: (sql) => `EXPLAIN (ANALYZE, BUFFERS) ${sql}`,
  planText: (rows) => rows.map((row) => String(row['QUERY PLAN'])).join('\n'),
};

const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH']);

/** The one place PostgreSQL SQLSTATEs and connection failures become FhirError categories. */
export function mapPostgresError(err: unknown): unknown {
  if (err instanceof FhirError || !(err instanceof Error)) return err;
  const code = (err as { code?: unknown }).code;
  let mapped: FhirError | undefined;
  if (code === '23505') {
    mapped = new FhirError('conflict', 'The record already exists (concurrent write or duplicate key)');
  } else if (code === '23503') {
    mapped = new FhirError('invalid', 'The record refers to a record that does not exist');
  } else if (code === '40001' || code === '40P01') {
    mapped = new FhirError('conflict', 'The request conflicted with a concurrent transaction; try again');
  } else if (
    (typeof code === 'string' && (code.startsWith('08') || code.startsWith('53') || code.startsWith('57') || code === '55P03')) ||
    (typeof code === 'string' && UNAVAILABLE_NODE_CODES.has(code)) ||
    /Connection terminated|timeout exceeded when trying to connect/i.test(err.message)
  ) {
    mapped = new FhirError('unavailable', 'The database is unavailable; try again');
  }
  if (!mapped) return err;
  Object.defineProperty(mapped, 'cause', { value: err });
  return mapped;
}
