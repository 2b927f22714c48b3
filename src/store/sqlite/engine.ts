/**
 * Which SQLite library a connection runs on. Node's built-in `node:sqlite` where the runtime
 * has a complete one (Node 22.16+, 24), better-sqlite3 12 on Node 20, which has none.
 * better-sqlite3 is loaded only when chosen: on Node 24 its native module aborts the process
 * when a statement is garbage-collected (docs/decisions/0002-sqlite-driver-per-runtime.md).
 *
 * Both libraries expose the same statement calls (`all`, `get`, `run` with positional
 * parameters), so statements are handed out as they are, without a wrapper on the hot path;
 * only opening, closing and transaction state differ, and live in the two adapters.
 */
import { openBetterSqlite3 } from './engine-better-sqlite3.ts';
import { nodeSqliteUsable, openNodeSqlite } from './engine-node-sqlite.ts';

export type SqliteEngineName = 'node:sqlite' | 'better-sqlite3';

/** A prepared statement; rows are plain objects keyed by column name. */
export interface SqliteStatement {
  all(...params: unknown[]): unknown[];
  get(...params: unknown[]): unknown;
  run(...params: unknown[]): { changes: number | bigint };
}

/** One connection. Errors carry SQLite's result code (see `sqliteErrorCode`). */
export interface SqliteDatabase {
  readonly engine: SqliteEngineName;
  prepare(sql: string): SqliteStatement;
  /** Runs one or more statements without results (DDL, PRAGMA assignments, BEGIN/COMMIT). */
  exec(sql: string): void;
  readonly isOpen: boolean;
  /** Whether a transaction is open (SQLite rolls some back by itself after errors). */
  readonly inTransaction: boolean;
  close(): void;
}

export interface OpenSqliteOptions {
  readonly?: boolean;
  /**
   * How long a statement waits for another connection's lock before failing with SQLITE_BUSY,
   * in ms. Set on every connection because the engines' defaults differ (5 s and 0).
   */
  busyTimeoutMs: number;
}

let chosen: SqliteEngineName | undefined;

/** The engine this process uses (chosen once, by `chooseSqliteEngine`). */
export function sqliteEngine(): SqliteEngineName {
  chosen ??= chooseSqliteEngine(process.env.HERON_SQLITE_DRIVER, nodeSqliteUsable);
  return chosen;
}

/**
 * `requested` (the `HERON_SQLITE_DRIVER` setting, to compare the two on a runtime that has
 * both) when set, otherwise node:sqlite when this runtime's is usable, otherwise better-sqlite3.
 */
export function chooseSqliteEngine(requested: string | undefined, nodeSqliteUsable: () => boolean): SqliteEngineName {
  if (requested === undefined || requested === '') return nodeSqliteUsable() ? 'node:sqlite' : 'better-sqlite3';
  if (requested !== 'node:sqlite' && requested !== 'better-sqlite3') {
    throw new Error(`HERON_SQLITE_DRIVER must be node:sqlite or better-sqlite3, not ${JSON.stringify(requested)}`);
  }
  if (requested === 'node:sqlite' && !nodeSqliteUsable()) {
    throw new Error(`HERON_SQLITE_DRIVER is node:sqlite, but Node ${process.versions.node} has no complete node:sqlite (Node 22.16 or later has)`);
  }
  return requested;
}

/** Opens (creating unless read-only) the database file with this process's engine. */
export function openSqliteDatabase(file: string, options: OpenSqliteOptions): SqliteDatabase {
  const db = sqliteEngine() === 'node:sqlite' ? openNodeSqlite(file, options) : openBetterSqlite3(file, options);
  db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs))}`);
  return db;
}

/**
 * SQLite's extended result code of a driver error as its name (`SQLITE_BUSY_SNAPSHOT`,
 * `SQLITE_CONSTRAINT_UNIQUE`, …), or undefined when the error did not come from SQLite.
 * better-sqlite3 puts the name in `code`; node:sqlite sets `code: 'ERR_SQLITE_ERROR'` and the
 * number in `errcode`.
 */
export function sqliteErrorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; errcode?: unknown } | null;
  if (typeof e?.code === 'string' && e.code.startsWith('SQLITE_')) return e.code;
  if (e?.code === 'ERR_SQLITE_ERROR' && typeof e.errcode === 'number') return sqliteCodeName(e.errcode);
  return undefined;
}

/** Primary result codes (the low byte of an extended code), from sqlite.org/rescode.html. */
const PRIMARY_CODES: Record<number, string> = {
  1: 'ERROR', 2: 'INTERNAL', 3: 'PERM', 4: 'ABORT', 5: 'BUSY', 6: 'LOCKED', 7: 'NOMEM', 8: 'READONLY',
  9: 'INTERRUPT', 10: 'IOERR', 11: 'CORRUPT', 12: 'NOTFOUND', 13: 'FULL', 14: 'CANTOPEN', 15: 'PROTOCOL',
  16: 'EMPTY', 17: 'SCHEMA', 18: 'TOOBIG', 19: 'CONSTRAINT', 20: 'MISMATCH', 21: 'MISUSE', 22: 'NOLFS',
  23: 'AUTH', 24: 'FORMAT', 25: 'RANGE', 26: 'NOTADB',
};

/** The extended codes Heron tells apart; others are named by their primary code. */
const EXTENDED_CODES: Record<number, string> = {
  261: 'BUSY_RECOVERY', 517: 'BUSY_SNAPSHOT', 773: 'BUSY_TIMEOUT',
  262: 'LOCKED_SHAREDCACHE', 518: 'LOCKED_VTAB',
  787: 'CONSTRAINT_FOREIGNKEY', 1299: 'CONSTRAINT_NOTNULL', 1555: 'CONSTRAINT_PRIMARYKEY',
  1811: 'CONSTRAINT_TRIGGER', 2067: 'CONSTRAINT_UNIQUE', 275: 'CONSTRAINT_CHECK',
};

function sqliteCodeName(errcode: number): string {
  const name = EXTENDED_CODES[errcode] ?? PRIMARY_CODES[errcode & 0xff] ?? `UNKNOWN_${errcode}`;
  return `SQLITE_${name}`;
}
