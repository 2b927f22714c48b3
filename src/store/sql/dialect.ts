/**
 * The seam between Heron's one SQL implementation and the two databases. Shared code writes
 * SQL with `?` placeholders against `SqlConn`; each database supplies a `Dialect` (the few
 * places where SQL text differs) and a `SqlDriver` (connections, transactions, locks, bulk
 * index writes). Keeping the hooks this small is what lets one conformance suite cover both.
 */
import type { IndexRow } from '../../fhir/search/types.ts';

/** How SQL text differs between SQLite and PostgreSQL. */
export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  /** Column types for migrations. `text` carries a byte-order collation so both databases sort ids and values alike. */
  readonly types: {
    readonly text: string;
    readonly json: string;
    readonly bigint: string;
    readonly int: string;
    readonly real: string;
    /** A globally increasing 64-bit primary key. */
    readonly seqPk: string;
  };
  /** Appended to the SELECT that reads the current row before a write (row lock on PostgreSQL). */
  readonly forUpdate: string;
  /**
   * A query with one parameter, a table name, that returns a row when the table exists in the
   * store's schema: migrations look before they create, so a role without DDL rights can start
   * against an up-to-date schema.
   */
  readonly tableExists: string;
  /**
   * Turns `?` placeholders into the driver's syntax. Shared SQL never contains `?` inside
   * literals, so a plain scan is enough.
   */
  placeholders(sql: string): string;
  /**
   * The one function that turns a driver error into a `FhirError` category: unique violations
   * become `conflict`, busy/unavailable databases `unavailable`. Unknown errors are returned
   * unchanged so they surface as bugs.
   */
  mapError(err: unknown): unknown;
  /** The statement that shows how `sql` runs (`EXPLAIN …`), with the same parameters. */
  explain(sql: string): string;
  /** The rows that statement returns, as readable text (one line per plan node). */
  planText(rows: readonly Record<string, unknown>[]): string;
}

/** A statement whose text never changes: drivers prepare it once per connection. */
export interface Stmt {
  readonly sql: string;
  /** Stable name for server-side prepared statements (PostgreSQL). */
  readonly name: string;
}

/** Static statements are `Stmt`s; dynamically built SQL (search) is a plain string. */
export type Query = Stmt | string;

/** One connection (or a pool acting as one) that runs shared SQL. */
export interface SqlConn {
  all<T>(q: Query, params: readonly unknown[]): Promise<T[]>;
  get<T>(q: Query, params: readonly unknown[]): Promise<T | undefined>;
  /** Returns the number of changed rows. */
  run(q: Query, params: readonly unknown[]): Promise<number>;
}

/** A connection inside an open transaction. */
export interface TxConn extends SqlConn {
  /** Serialises the rest of this transaction against every other holder of the same key. */
  lock(tenant: string, key: string): Promise<void>;
  /**
   * Takes the practice's audit-chain lock, then reads the chain's last entry (after the lock is
   * held, so it is the true last): one round trip on PostgreSQL.
   */
  auditChainHead(tenant: string): Promise<{ seq: number | string; hash: string } | undefined>;
  /** Whether one statement may insert into two tables (`WITH x AS (INSERT …) INSERT …`: PostgreSQL). */
  readonly dataModifyingCte: boolean;
}

/** Everything one new version writes: its history row, the current row and the index rows. */
export interface VersionRows {
  tenant: string;
  type: string;
  id: string;
  version: number;
  /** Epoch ms. */
  lastUpdated: number;
  deleted: 0 | 1;
  method: string;
  /** The resource JSON; null for a delete. */
  content: string | null;
  /** Whether the resource already has a current row (update) or not (insert). */
  exists: boolean;
  /** Index kinds (bit set) the previous version had rows in; they are deleted first. */
  oldKinds: number;
  /** Index kinds of `rows`. */
  kinds: number;
  rows: readonly IndexRow[];
}

/** Connections and the operations whose best form differs per database. */
export interface SqlDriver {
  readonly dialect: Dialect;
  /** Committed data only; used by `reader()` and the admin store's reads. */
  readonly reader: SqlConn;
  /**
   * Runs `fn` in one transaction; commits on resolve, rolls back and rethrows on throw.
   * `flush: false` commits without waiting for the disk (SQLite `synchronous = NORMAL`,
   * PostgreSQL `synchronous_commit = off`): the commit survives a crash of the process, and a
   * power failure loses at most the last moments of such commits, never consistency.
   */
  transaction<T>(fn: (conn: TxConn) => Promise<T>, options?: { flush?: boolean }): Promise<T>;
  /**
   * Runs `fn` in a transaction that holds the cross-process migration lock, so concurrent
   * `migrate()` calls apply each migration once.
   */
  migrationTransaction<T>(fn: (conn: SqlConn) => Promise<T>): Promise<T>;
  /** Runs DDL (possibly several statements) inside a migration transaction. */
  exec(conn: SqlConn, ddl: string): Promise<void>;
  /**
   * Writes one version's rows (SQL in `persist.ts`). A hook because the fast form differs:
   * cached single-row statements on SQLite (no round trips to save), one statement of writable
   * CTEs with array inserts on PostgreSQL (one round trip instead of a dozen).
   */
  persistVersion(conn: SqlConn, v: VersionRows): Promise<void>;
  /**
   * Called after a transaction that wrote `versions` versions committed, so a driver can keep
   * planner statistics fresh after bulk imports.
   */
  afterCommit(versions: number): void;
  /**
   * Tells `payload` to every `listen`er (on PostgreSQL: of every app server on this database and
   * schema) once the transaction of `conn` commits; nothing when it rolls back.
   */
  announce(conn: TxConn, payload: string): Promise<void>;
  /** Hears the payloads of transactions that commit from now on (resolves once listening). */
  listen(onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /** Refreshes the planner's statistics of the clinical tables now (`FhirStore.refreshStatistics`). */
  refreshStatistics(): Promise<void>;
  close(): Promise<void>;
}

/** Builds a static statement with a stable name derived from its text. */
export function stmt(sql: string): Stmt {
  return { sql, name: 'h' + fnv1a(sql) };
}

/** 32-bit FNV-1a as hex: short stable statement names without a module-level counter. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16) + text.length.toString(16);
}

/** Converts `?` to `$1..$n`. */
export function numberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => '$' + ++n);
}
