/**
 * The production store: PostgreSQL through two `pg` pools — one for transactions, one for
 * `reader()` — so reads never queue behind transactions that wait on locks (a transaction that
 * reads through `store.reader()` while holding a lock others wait for would otherwise starve).
 * Each transaction runs on one pooled client at READ COMMITTED; `writeVersion` row-locks the current row (`FOR UPDATE`) and
 * `lock(key)` takes a transaction-scoped advisory lock on a 64-bit hash of tenant and key.
 * Every pooled connection starts with `search_path` set to the store's schema, so the shared
 * SQL never names a schema.
 */
import { createHash } from 'node:crypto';
import { userInfo } from 'node:os';
import pg from 'pg';
import type { FhirStore, Indexer } from '../store.ts';
import { stmt, type Query, type SqlConn, type SqlDriver, type Stmt, type TxConn, type VersionRows } from '../sql/dialect.ts';
import { INDEX_TABLE_LIST, type ColumnType } from '../sql/index-tables.ts';
import { INSERT_CURRENT, INSERT_HISTORY, UPDATE_CURRENT } from '../sql/persist.ts';

/** persist.ts's ARCHIVE_PREVIOUS with this statement's parameters: $1-$3 the key, $4 the new version. */
const ARCHIVE_PREVIOUS_PG =
  'UPDATE resource_history SET content = (SELECT r.content FROM resources r WHERE r.tenant = $1 AND r.type = $2 AND r.id = $3) WHERE tenant = $1 AND type = $2 AND id = $3 AND version_id = $4::int - 1';
import { SqlStore } from '../sql/sql-store.ts';
import { StatisticsRefresh } from '../sql/statistics-refresh.ts';
import { mapPostgresError, postgresDialect } from './postgres-dialect.ts';

export interface PostgresOptions {
  url: string;
  /** Schema holding Heron's tables (created by `migrate()`); default `public`. */
  schema?: string;
  indexer: Indexer;
  /** `normal` turns off synchronous commit: a crash may lose the last commits, never consistency. */
  durability?: 'full' | 'normal';
  /** Size of each of the two pools (transactions, reads); default 10. */
  maxConnections?: number;
  /**
   * Errors nobody awaits: idle pooled connections failing (the pool discards them) and
   * background statistics refreshes. Default: ignored, because the next query reports a
   * broken database anyway; the composition root passes its logger.
   */
  onBackgroundError?: (err: Error) => void;
}

const LOCK = stmt('SELECT pg_advisory_xact_lock(?::bigint)');
/** A dropped LISTEN connection is opened again after this long. */
const RELISTEN_MS = 1000;
const AUDIT_HEAD = stmt('SELECT seq, hash FROM heron_audit_head(?::bigint, ?)');
const PLACEHOLDER_CACHE = 1000;
/** The tables searches and expansions read; the audit tables are append-only and left to autovacuum. */
const CLINICAL_TABLES = `resources, resource_history, ${INDEX_TABLE_LIST.map((t) => t.table).join(', ')}, terminology_concepts, terminology_concept_words, terminology_members, terminology_entries`;
const ANALYZE_CLINICAL = `ANALYZE ${CLINICAL_TABLES}`;
/**
 * After a bulk load: VACUUM also sets the visibility map of the new pages, without which an
 * index-only scan (a bounded count, `_total=accurate` from a lookup index) visits the table for
 * every row — 13,713 matches counted in 17 ms, 9 ms after it (50,000 Patients). Autovacuum does
 * the same, but only a minute or more later, and not at all where it is turned off.
 */
const VACUUM_CLINICAL = `VACUUM (ANALYZE) ${CLINICAL_TABLES}`;
const ARRAY_TYPES: Record<ColumnType, string> = { text: 'text[]', bigint: 'bigint[]', real: 'float8[]' };

/** int8 as number (counts, sequence numbers and ms timestamps stay below 2^53); JSON as text, parsed once by the store. */
const TYPES = {
  getTypeParser(oid: number, format?: string): unknown {
    if (oid === 20) return (value: string) => Number(value);
    if (oid === 114 || oid === 3802) return (value: string) => value;
    return (pg.types.getTypeParser as (oid: number, format?: string) => unknown)(oid, format);
  },
} as unknown as pg.CustomTypesConfig;

class PgConn implements TxConn {
  readonly dataModifyingCte = true;
  /** Notifications to send with the COMMIT of this connection's transaction (`announce`). */
  readonly notifications: string[] = [];
  constructor(
    private readonly target: pg.Pool | pg.PoolClient,
    private readonly driver: PostgresDriver,
  ) {}

  async query(q: Query, params: readonly unknown[]): Promise<pg.QueryResult> {
    try {
      return await this.target.query(this.driver.config(q, params));
    } catch (err) {
      throw mapPostgresError(err);
    }
  }

  async all<T>(q: Query, params: readonly unknown[]): Promise<T[]> {
    return (await this.query(q, params)).rows as T[];
  }

  async get<T>(q: Query, params: readonly unknown[]): Promise<T | undefined> {
    return (await this.query(q, params)).rows[0] as T | undefined;
  }

  async run(q: Query, params: readonly unknown[]): Promise<number> {
    return (await this.query(q, params)).rowCount ?? 0;
  }

  async lock(tenant: string, key: string): Promise<void> {
    await this.query(LOCK, [advisoryKey(tenant + '\u0000' + key)]);
  }

  async auditChainHead(tenant: string): Promise<{ seq: number | string; hash: string } | undefined> {
    // The same lock key as lock(tenant, 'audit-chain'), taken inside the function.
    return this.get(AUDIT_HEAD, [advisoryKey(tenant + '\u0000audit-chain'), tenant]);
  }

  /** Runs SQL without parameters (simple protocol: DDL, several statements). */
  async exec(sql: string): Promise<void> {
    try {
      await this.target.query(sql);
    } catch (err) {
      throw mapPostgresError(err);
    }
  }
}

class PostgresDriver implements SqlDriver {
  readonly dialect = postgresDialect;
  readonly reader: PgConn;
  private readonly texts = new Map<string, string>();
  private readonly persistStatements = new Map<string, Stmt>();
  private readonly statistics: StatisticsRefresh;

  /**
   * NOTIFY channels are per database, not per schema: the channel is named after the schema so
   * that stores in other schemas of the same database (tests, staging) are not told.
   */
  private readonly channel: string;

  constructor(
    private readonly pool: pg.Pool,
    private readonly readPool: pg.Pool,
    private readonly schema: string,
    private readonly onBackgroundError: (err: Error) => void,
    private readonly newClient: () => pg.Client,
  ) {
    this.channel = 'heron_changes_' + createHash('sha256').update(schema).digest('hex').slice(0, 16);
    this.reader = new PgConn(readPool, this);
    // While serving: statistics only (VACUUM reads whole tables, and autovacuum follows writes).
    this.statistics = new StatisticsRefresh(() => this.reader.exec(ANALYZE_CLINICAL), onBackgroundError);
  }

  /** The pg query config: `$n` placeholders, and a name for static statements so each connection prepares them once. */
  config(q: Query, values: readonly unknown[]): pg.QueryConfig {
    const sql = typeof q === 'string' ? q : q.sql;
    let text = this.texts.get(sql);
    if (text === undefined) {
      text = this.dialect.placeholders(sql);
      if (this.texts.size >= PLACEHOLDER_CACHE) this.texts.delete(this.texts.keys().next().value as string);
      this.texts.set(sql, text);
    }
    return typeof q === 'string' ? { text, values: values as unknown[] } : { name: q.name, text, values: values as unknown[] };
  }

  transaction<T>(fn: (conn: TxConn) => Promise<T>, options?: { flush?: boolean }): Promise<T> {
    if (options?.flush !== false) return this.inTransaction(fn);
    // One round trip for both: audit group commits run hundreds of times a second.
    return this.inTransaction(fn, 'BEGIN ISOLATION LEVEL READ COMMITTED; SET LOCAL synchronous_commit TO OFF');
  }

  migrationTransaction<T>(fn: (conn: SqlConn) => Promise<T>): Promise<T> {
    return this.inTransaction(async (conn) => {
      await conn.lock('heron', 'migrate:' + this.schema);
      // Inside the lock: concurrent CREATE SCHEMA IF NOT EXISTS can otherwise fail on a unique violation.
      // Only when missing, so the app role (no CREATE right) can start against an existing schema.
      if ((await conn.get('SELECT 1 AS found FROM pg_namespace WHERE nspname = ?', [this.schema])) === undefined) {
        await conn.exec(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      }
      return fn(conn);
    });
  }

  exec(conn: SqlConn, ddl: string): Promise<void> {
    return (conn as PgConn).exec(ddl);
  }

  async persistVersion(conn: SqlConn, v: VersionRows): Promise<void> {
    const params: unknown[] = [v.tenant, v.type, v.id, v.version, v.lastUpdated, v.deleted, v.method, v.content, v.kinds];
    for (const t of INDEX_TABLE_LIST) {
      if (!(v.kinds & t.bit)) continue;
      const columns: unknown[][] = [[], ...t.columns.map(() => [])];
      for (const row of v.rows) {
        if (row.kind !== t.kind) continue;
        columns[0].push(row.param);
        t.values(row).forEach((value, i) => columns[i + 1].push(value));
      }
      params.push(...columns);
    }
    await conn.run(this.persistStatement(v.exists, v.oldKinds, v.kinds), params);
  }

  afterCommit(versions: number): void {
    // Right after a bulk load the planner has no statistics on the new rows and picks nested
    // loops that take seconds; autovacuum only catches up a minute or more later.
    this.statistics.wrote(versions);
  }

  refreshStatistics(): Promise<void> {
    return this.reader.exec(VACUUM_CLINICAL);
  }

  async announce(conn: TxConn, payload: string): Promise<void> {
    // Sent with the COMMIT in one round trip (inTransaction). PostgreSQL queues a notification and
    // delivers it when (and only if) the transaction commits.
    (conn as PgConn).notifications.push(payload);
  }

  /**
   * One connection of its own per listener, outside the pools (a LISTEN holds its connection for
   * good). When it drops, it is opened again; what committed meanwhile is not told.
   */
  async listen(onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    let stopped = false;
    let client: pg.Client | undefined;
    const connect = async (): Promise<void> => {
      const next = this.newClient();
      next.on('notification', (message) => {
        if (message.channel === this.channel && message.payload !== undefined) onPayload(message.payload);
      });
      next.on('error', (err) => {
        this.onBackgroundError(err);
        void next.end().catch(() => {});
        if (client === next) client = undefined;
        if (!stopped) setTimeout(() => void reconnect(), RELISTEN_MS).unref();
      });
      await next.connect();
      await next.query(`LISTEN "${this.channel}"`);
      client = next;
    };
    const reconnect = async (): Promise<void> => {
      if (stopped || client !== undefined) return;
      try {
        await connect();
      } catch (err) {
        this.onBackgroundError(err as Error);
        if (!stopped) setTimeout(() => void reconnect(), RELISTEN_MS).unref();
      }
    };
    try {
      await connect();
    } catch (err) {
      throw mapPostgresError(err);
    }
    return async () => {
      stopped = true;
      const open = client;
      client = undefined;
      await open?.end();
    };
  }

  async close(): Promise<void> {
    await this.statistics.settled();
    await Promise.all([this.pool.end(), this.readPool.end()]);
  }

  /**
   * One statement per shape (update or insert, old kinds, new kinds): the history insert, the
   * current-row write, index deletes and array inserts as writable CTEs, so a version is one
   * round trip. All CTEs share one snapshot, so the deletes never see the new index rows.
   * Parameters: $1-$9 as in `persistVersion`, then one array per index column.
   */
  private persistStatement(exists: boolean, oldKinds: number, kinds: number): Stmt {
    const key = `${exists}:${oldKinds}:${kinds}`;
    let statement = this.persistStatements.get(key);
    if (statement) return statement;
    const ctes = [
      `h AS (${numbered(INSERT_HISTORY, [1, 2, 3, 4, 5, 6, 7])})`,
      // All CTEs see the snapshot from before the statement, so this archives the outgoing content.
      ...(exists ? [`a AS (${ARCHIVE_PREVIOUS_PG})`] : []),
      exists ? `c AS (${numbered(UPDATE_CURRENT, [4, 5, 6, 7, 9, 8, 1, 2, 3])})` : `c AS (${numbered(INSERT_CURRENT, [1, 2, 3, 4, 5, 6, 7, 9, 8])})`,
    ];
    for (const t of INDEX_TABLE_LIST) {
      if (oldKinds & t.bit) ctes.push(`d_${t.kind} AS (DELETE FROM ${t.table} WHERE tenant = $1 AND type = $2 AND id = $3)`);
    }
    let n = 9;
    for (const t of INDEX_TABLE_LIST) {
      if (!(kinds & t.bit)) continue;
      const arrays = [`$${++n}::text[]`, ...t.columns.map((c) => `$${++n}::${ARRAY_TYPES[c.type]}`)];
      const names = t.columns.map((c) => c.name).join(', ');
      ctes.push(`i_${t.kind} AS (INSERT INTO ${t.table} (tenant, type, id, param, ${names}) SELECT $1, $2, $3, u.* FROM unnest(${arrays.join(', ')}) AS u)`);
    }
    // Placeholders are already numbered, so the `?` conversion leaves the text unchanged.
    statement = stmt(`WITH ${ctes.join(', ')} SELECT 1`);
    this.persistStatements.set(key, statement);
    return statement;
  }

  private async inTransaction<T>(fn: (conn: PgConn) => Promise<T>, begin = 'BEGIN ISOLATION LEVEL READ COMMITTED'): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw mapPostgresError(err);
    }
    let broken: Error | undefined;
    try {
      await client.query(begin);
      const conn = new PgConn(client, this);
      const result = await fn(conn);
      await client.query(conn.notifications.length === 0 ? 'COMMIT' : `${conn.notifications.map((p) => `SELECT pg_notify('${this.channel}', ${quoteLiteral(p)})`).join('; ')}; COMMIT`);
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // The connection is unusable; destroying it (below) is the handling. The original error is rethrown.
        broken = rollbackError as Error;
      }
      throw mapPostgresError(err);
    } finally {
      client.release(broken);
    }
  }
}

/** Replaces the k-th `?` of shared SQL with `$indexes[k]`, so one parameter can serve several statements. */
function numbered(sql: string, indexes: readonly number[]): string {
  let k = 0;
  return sql.replace(/\?/g, () => '$' + indexes[k++]);
}

/**
 * A string literal for the simple query protocol (which takes no parameters): quotes doubled, as
 * `standard_conforming_strings` (on since PostgreSQL 9.1, and never changed by Heron) reads them;
 * a NUL, which no literal can hold, is refused.
 */
function quoteLiteral(text: string): string {
  if (text.includes('\u0000')) throw new Error('A notification cannot hold a NUL character');
  return `'${text.replace(/'/g, "''")}'`;
}

/** A signed 64-bit advisory-lock key from a string. */
function advisoryKey(text: string): string {
  return createHash('sha256').update(text).digest().readBigInt64BE(0).toString();
}

/** Like libpq: a URL without a user connects as PGUSER, USER or the OS user. */
function withDefaultUser(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url; // not a URL pg can take apart either; let pg report it
  }
  if (parsed.username || !parsed.host) return url;
  parsed.username = process.env.PGUSER || process.env.USER || userInfo().username;
  return parsed.toString();
}

/** Opens a pool on `options.schema` and checks the server answers. Does not migrate. */
export async function openPostgresStore(options: PostgresOptions): Promise<FhirStore> {
  const schema = options.schema ?? 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`Invalid PostgreSQL schema name: ${schema}`);
  const settings = [`-c search_path=${schema}`];
  if (options.durability === 'normal') settings.push('-c synchronous_commit=off');
  const onBackgroundError = options.onBackgroundError ?? (() => {});
  const newPool = (): pg.Pool => {
    const pool = new pg.Pool({
      connectionString: withDefaultUser(options.url),
      max: options.maxConnections ?? 10,
      // A pool exhausted for this long means something is stuck; fail as `unavailable` rather than hang.
      connectionTimeoutMillis: 30_000,
      options: settings.join(' '),
      types: TYPES,
    });
    pool.on('error', onBackgroundError);
    return pool;
  };
  const [pool, readPool] = [newPool(), newPool()];
  const newClient = (): pg.Client => new pg.Client({ connectionString: withDefaultUser(options.url), options: settings.join(' '), types: TYPES });
  try {
    await readPool.query('SELECT 1');
  } catch (err) {
    await Promise.all([pool.end(), readPool.end()]);
    throw mapPostgresError(err);
  }
  return new SqlStore(new PostgresDriver(pool, readPool, schema, onBackgroundError, newClient), options.indexer, onBackgroundError as (err: unknown) => void);
}
