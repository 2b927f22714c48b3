/**
 * The embedded store: SQLite in WAL mode, through node:sqlite or better-sqlite3 as suits the
 * runtime (engine.ts). One writer connection runs every transaction (queued by an async mutex,
 * `BEGIN IMMEDIATE` so other processes wait politely) and one reader connection serves
 * `reader()`; WAL lets the reader see committed data while a write transaction is open.
 *
 * `lock(key)` is a no-op here: all writers of a database are already serialised, so whatever
 * a transaction reads after "locking" cannot change until it commits. The flip side: never
 * open a transaction inside another's callback — it would queue behind the one waiting for it.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FhirStore, Indexer } from '../store.ts';
import type { Query, SqlConn, SqlDriver, TxConn, VersionRows } from '../sql/dialect.ts';
import { INDEX_TABLE_LIST, INDEX_TABLES } from '../sql/index-tables.ts';
import { ARCHIVE_PREVIOUS, archiveParams, historyParams, INSERT_CURRENT, INSERT_HISTORY, insertCurrentParams, UPDATE_CURRENT, updateCurrentParams } from '../sql/persist.ts';
import { LAST_AUDIT_ENTRY } from '../sql/audit.ts';
import { SqlStore } from '../sql/sql-store.ts';
import { StatisticsRefresh } from '../sql/statistics-refresh.ts';
import { openSqliteDatabase, sqliteErrorCode, type SqliteDatabase, type SqliteStatement } from './engine.ts';
import { Mutex } from './mutex.ts';
import { mapSqliteError, sqliteDialect } from './sqlite-dialect.ts';

export interface SqliteOptions {
  /** The database file; ignored when `memory` is set. */
  file?: string;
  /** A private temporary database, deleted on close (tests, demos). */
  memory?: boolean;
  indexer: Indexer;
  /** `full` (default) survives power loss; `normal` may lose the last commits but never corrupts. */
  durability?: 'full' | 'normal';
  /** How long to wait for another process's write transaction, in ms. */
  busyTimeoutMs?: number;
  /** Errors nobody awaits (the background `PRAGMA optimize` once enough was written); default: ignored. */
  onBackgroundError?: (err: Error) => void;
}

/** Statements prepared per connection; search SQL varies, so the cache is bounded. */
const STATEMENT_CACHE = 500;
/**
 * `PRAGMA optimize` with 0x10000 added to the default mask (0x12): look at every table, not only
 * those this connection's own queries used — the searches run on the reader connection, the
 * optimize on the writer. It then analyses tables never analysed and tables whose row count
 * changed tenfold since, and nothing else, sampled (0x10) so that a serving store never holds the
 * write lock long; `refreshStatistics` after bulk loads reads everything.
 */
const OPTIMIZE = 'optimize = 0x10012';

class SqliteConn implements TxConn {
  readonly dataModifyingCte = false;
  private readonly cache = new Map<string, SqliteStatement>();

  constructor(readonly db: SqliteDatabase) {}

  prepare(q: Query): SqliteStatement {
    const sql = typeof q === 'string' ? q : q.sql;
    let statement = this.cache.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      if (this.cache.size >= STATEMENT_CACHE) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(sql, statement);
    }
    return statement;
  }

  /** Called before every read; the reader uses it to share one read transaction per turn. */
  protected beforeRead(): void {}

  async all<T>(q: Query, params: readonly unknown[]): Promise<T[]> {
    try {
      this.beforeRead();
      return this.prepare(q).all(...params) as T[];
    } catch (err) {
      throw mapSqliteError(err);
    }
  }

  async get<T>(q: Query, params: readonly unknown[]): Promise<T | undefined> {
    try {
      this.beforeRead();
      return this.prepare(q).get(...params) as T | undefined;
    } catch (err) {
      throw mapSqliteError(err);
    }
  }

  async run(q: Query, params: readonly unknown[]): Promise<number> {
    try {
      return Number(this.prepare(q).run(...params).changes);
    } catch (err) {
      throw mapSqliteError(err);
    }
  }

  async lock(): Promise<void> {
    // Serialised writers make every transaction exclusive already (see the module comment).
  }

  auditChainHead(tenant: string): Promise<{ seq: number | string; hash: string } | undefined> {
    return this.get(LAST_AUDIT_ENTRY, [tenant]);
  }
}

/**
 * The reader connection. Reads made in one turn of the event loop share one read transaction
 * (ended by `setImmediate`, or at once when this process commits a write), instead of each
 * statement beginning and ending its own: that costs file-lock system calls and is about half
 * the time of a read by id. A read can therefore miss a commit another process made during the
 * same turn; it never misses one this process made before it.
 */
class SqliteReaderConn extends SqliteConn {
  private readonly beginRead: SqliteStatement;
  private readonly endRead: SqliteStatement;
  private open = false;

  constructor(db: SqliteDatabase) {
    super(db);
    this.beginRead = db.prepare('BEGIN');
    // Ending a read transaction: ROLLBACK releases the snapshot like COMMIT and cannot be busy.
    this.endRead = db.prepare('ROLLBACK');
  }

  protected override beforeRead(): void {
    if (this.open) return;
    this.beginRead.run();
    this.open = true;
    setImmediate(this.endSnapshot);
  }

  /** Ends the shared read transaction, so the next read sees everything committed until now. */
  readonly endSnapshot = (): void => {
    if (!this.open) return;
    this.open = false;
    if (this.db.isOpen && this.db.inTransaction) this.endRead.run();
  };
}

class SqliteDriver implements SqlDriver {
  readonly dialect = sqliteDialect;
  readonly reader: SqliteReaderConn;
  private readonly writer: SqliteConn;
  private readonly mutex = new Mutex();
  private closed = false;
  private readonly statistics: StatisticsRefresh;
  /** What the open transaction announced (one writer: one transaction at a time), told after its commit. */
  private announced: string[] = [];
  private readonly listeners = new Set<(payload: string) => void>();

  constructor(
    private readonly file: string,
    private readonly options: SqliteOptions,
  ) {
    const busy = options.busyTimeoutMs ?? 5000;
    const writer = openSqliteDatabase(file, { busyTimeoutMs: busy });
    writer.exec('PRAGMA journal_mode = WAL');
    writer.exec(`PRAGMA synchronous = ${options.durability === 'normal' ? 'NORMAL' : 'FULL'}`);
    writer.exec('PRAGMA foreign_keys = ON');
    // A bundle dirties thousands of pages; with the default 2 MiB cache they spill mid-transaction
    // and with the default 1,000-page auto-checkpoint nearly every large commit also checkpoints
    // (an extra fsync of the main file). Bigger cache and checkpoint interval keep commits to one
    // WAL append + fsync; the WAL is still checkpointed, just in larger steps.
    writer.exec('PRAGMA cache_size = -65536');
    // A checkpoint thread of its own was tried and measured worse (create 784 vs 1,210 req/s):
    // its fsyncs compete with the commits' on this 2-core machine (docs/performance.md).
    writer.exec('PRAGMA wal_autocheckpoint = 16384');
    writer.exec('PRAGMA temp_store = MEMORY');
    // The audit log lives in a file of its own (`heron-audit.sqlite`), attached to both
    // connections: commits of read entries — one per group — then leave the clinical file
    // untouched, so the reader keeps its page cache; in the same file every such commit made the
    // next reads fetch their pages again (reads cost twice as much). A write and its audit entry
    // still commit in one transaction (docs/audit.md says what WAL mode guarantees across two
    // files). Set up while the busy timeout still applies: another process starting at the same
    // moment may hold the file, and switching it to WAL waits for that.
    writer.prepare('ATTACH DATABASE ? AS audit').run(auditFileOf(file));
    writer.exec('PRAGMA audit.journal_mode = WAL');
    writer.exec(`PRAGMA audit.synchronous = ${options.durability === 'normal' ? 'NORMAL' : 'FULL'}`);
    writer.exec('PRAGMA audit.wal_autocheckpoint = 16384');
    // The writer waits for other processes asynchronously in begin(); a blocking busy handler
    // would freeze the event loop while a transaction on this same thread holds the lock.
    writer.exec('PRAGMA busy_timeout = 0');
    const reader = openSqliteDatabase(file, { busyTimeoutMs: busy });
    reader.exec('PRAGMA query_only = ON');
    reader.exec('PRAGMA cache_size = -65536');
    reader.prepare('ATTACH DATABASE ? AS audit').run(auditFileOf(file));
    this.writer = new SqliteConn(writer);
    this.reader = new SqliteReaderConn(reader);
    this.statistics = new StatisticsRefresh(
      () => this.transaction(async () => this.writer.db.exec(`PRAGMA ${OPTIMIZE}`), { flush: false }),
      options.onBackgroundError ?? (() => {}),
    );
  }

  async transaction<T>(fn: (conn: TxConn) => Promise<T>, options?: { flush?: boolean }): Promise<T> {
    const release = await this.mutex.acquire();
    // In WAL mode NORMAL skips the fsync of this commit only; the setting is restored after it.
    const relaxed = options?.flush === false && this.options.durability !== 'normal';
    try {
      if (this.closed) throw new Error('The store is closed');
      if (relaxed) setSynchronous(this.writer.db, 'NORMAL');
      await this.begin();
      this.announced = [];
      let result: T;
      try {
        result = await fn(this.writer);
      } catch (err) {
        this.announced = [];
        this.rollback();
        throw err;
      }
      try {
        this.writer.db.exec('COMMIT');
      } catch (err) {
        this.announced = [];
        this.rollback();
        throw mapSqliteError(err);
      }
      this.reader.endSnapshot();
      if (this.announced.length > 0) this.tell(this.announced);
      this.announced = [];
      return result;
    } finally {
      if (relaxed && this.writer.db.isOpen) setSynchronous(this.writer.db, 'FULL');
      release();
    }
  }

  migrationTransaction<T>(fn: (conn: SqlConn) => Promise<T>): Promise<T> {
    // BEGIN IMMEDIATE takes the database write lock, which is also the cross-process migration lock.
    return this.transaction(fn);
  }

  async exec(_conn: SqlConn, ddl: string): Promise<void> {
    try {
      this.reader.endSnapshot();
      this.writer.db.exec(ddl);
    } catch (err) {
      throw mapSqliteError(err);
    }
  }

  async persistVersion(conn: SqlConn, v: VersionRows): Promise<void> {
    // Statement by statement: SQLite runs in-process, so there are no round trips to batch.
    const c = conn as SqliteConn;
    const key = [v.tenant, v.type, v.id];
    try {
      c.prepare(INSERT_HISTORY).run(...historyParams(v));
      if (v.exists) {
        c.prepare(ARCHIVE_PREVIOUS).run(...archiveParams(v));
        c.prepare(UPDATE_CURRENT).run(...updateCurrentParams(v));
      }
      else c.prepare(INSERT_CURRENT).run(...insertCurrentParams(v));
      for (const t of INDEX_TABLE_LIST) {
        if (v.oldKinds & t.bit) c.prepare(t.deleteSql).run(...key);
      }
      for (const row of v.rows) {
        const t = INDEX_TABLES[row.kind];
        c.prepare(t.insertSql).run(...key, row.param, ...t.values(row));
      }
    } catch (err) {
      throw mapSqliteError(err);
    }
  }

  async announce(_conn: TxConn, payload: string): Promise<void> {
    this.announced.push(payload);
  }

  async listen(onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    this.listeners.add(onPayload);
    return async () => void this.listeners.delete(onPayload);
  }

  /** After the commit, on a later turn: a listener's work never delays or fails the committed transaction. */
  private tell(payloads: readonly string[]): void {
    if (this.listeners.size === 0) return;
    const listeners = [...this.listeners];
    setImmediate(() => {
      for (const payload of payloads) for (const listener of listeners) listener(payload);
    });
  }

  afterCommit(versions: number): void {
    // As SQLite recommends for long-lived connections: `PRAGMA optimize` now and then (OPTIMIZE).
    this.statistics.wrote(versions);
  }

  async refreshStatistics(): Promise<void> {
    // Every table and index, read in full: a sampled ANALYZE (analysis_limit) sees only the first
    // rows of an index, where tenant and type are one value, and records them as selective
    // ("1,001 rows per practice" of a million). In a transaction, so that it waits for another
    // process's write like any write does.
    await this.transaction(async () => void this.writer.db.exec('ANALYZE'));
  }

  async close(): Promise<void> {
    await this.statistics.settled();
    const release = await this.mutex.acquire();
    try {
      if (this.closed) return;
      this.closed = true;
      this.optimizeBeforeClose();
      this.reader.endSnapshot();
      this.reader.db.close();
      this.writer.db.close();
      if (this.options.memory) {
        for (const base of [this.file, auditFileOf(this.file)]) for (const suffix of ['', '-wal', '-shm']) rmSync(base + suffix, { force: true });
      }
    } finally {
      release();
    }
  }

  /** BEGIN IMMEDIATE, waiting without blocking the event loop while another process writes. */
  private async begin(): Promise<void> {
    const deadline = Date.now() + (this.options.busyTimeoutMs ?? 5000);
    for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
      try {
        this.writer.db.exec('BEGIN IMMEDIATE');
        return;
      } catch (err) {
        const busy = sqliteErrorCode(err)?.startsWith('SQLITE_BUSY') === true;
        if (!busy || Date.now() >= deadline) throw mapSqliteError(err);
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  /**
   * `PRAGMA optimize` on close, as SQLite recommends: it analyses the tables never analysed or
   * changed tenfold since (OPTIMIZE), usually none. Skipped when another process holds the write
   * lock (the writer does not wait here): the next close or large commit does it.
   */
  private optimizeBeforeClose(): void {
    try {
      this.writer.db.exec(`PRAGMA ${OPTIMIZE}`);
    } catch (err) {
      const code = sqliteErrorCode(err) ?? '';
      if (!code.startsWith('SQLITE_BUSY') && !code.startsWith('SQLITE_LOCKED')) throw mapSqliteError(err);
    }
  }

  private rollback(): void {
    // After some errors SQLite has already rolled back; ROLLBACK would then fail with "no transaction".
    if (this.writer.db.inTransaction) this.writer.db.exec('ROLLBACK');
  }
}

/** The audit log's file beside the database file: `heron.sqlite` → `heron-audit.sqlite`. */
export function auditFileOf(file: string): string {
  return file.endsWith('.sqlite') ? `${file.slice(0, -'.sqlite'.length)}-audit.sqlite` : `${file}-audit`;
}

function setSynchronous(db: SqliteDatabase, level: 'NORMAL' | 'FULL'): void {
  db.exec(`PRAGMA main.synchronous = ${level}`);
  db.exec(`PRAGMA audit.synchronous = ${level}`);
}

/** Opens (creating if needed) a SQLite store. Does not migrate. */
export async function openSqliteStore(options: SqliteOptions): Promise<FhirStore> {
  let file = options.file;
  if (options.memory) file = join(tmpdir(), `heron-${randomUUID()}.sqlite`);
  if (!file) throw new Error('openSqliteStore needs a file or memory: true');
  try {
    return new SqlStore(new SqliteDriver(file, options), options.indexer);
  } catch (err) {
    throw mapSqliteError(err);
  }
}
