/**
 * `FhirStore` on top of a `SqlDriver`: the one SQL implementation both databases share. The
 * reader and transaction objects bind a tenant once, so no call can forget it.
 */
import type { SearchRequest } from '../../fhir/search/types.ts';
import type { Resource } from '@medplum/fhirtypes';
import type {
  AnyOfQuery,
  ChangeFeed,
  CommittedChange,
  FhirStore,
  HistoryPage,
  HistoryQuery,
  LatestGroup,
  LatestQuery,
  Indexer,
  MigrationResult,
  ReindexProgress,
  SearchPage,
  SearchStatementPlan,
  StoredVersion,
  StoreReader,
  StoreTransaction,
  VersionWrite,
} from '../store.ts';
import { migrate, MIGRATIONS } from '../migrations/migrate.ts';
import { SqlAdminStore } from './admin.ts';
import type { Query, SqlConn, SqlDriver, TxConn } from './dialect.ts';
import { history } from './history.ts';
import { readCurrent, readVersion } from './read.ts';
import { reindexAll } from './reindex.ts';
import { appendAudit, queryAudit, verifyAudit } from './audit.ts';
import { appendBreakGlassReview, countEmergencyAccesses, emergencyAccesses } from './break-glass-reviews.ts';
import type { AuditEntry, AuditLog } from '../audit-log.ts';
import type { EmergencyAccessStore } from '../emergency-access.ts';
import { sqlEmergencyAccess } from './emergency-access.ts';
import type { HealthLinkStore } from '../health-links.ts';
import { sqlHealthLinks } from './health-links.ts';
import type { TerminologyStore } from '../terminology.ts';
import { sqlTerminology } from './terminology.ts';
import { search } from './search/search.ts';
import { latest } from './search/latest.ts';
import { searchAnyOf } from './search/any-of.ts';
import { writeStatements, writeVersion, type WriteStatements } from './write.ts';
import { encodeChanges, sqlChangeFeed } from './change-feed.ts';

export class SqlStore implements FhirStore {
  readonly dialect: FhirStore['dialect'];
  readonly admin: SqlAdminStore;
  readonly audit: AuditLog;
  readonly emergencyAccess: EmergencyAccessStore;
  readonly healthLinks: HealthLinkStore;
  readonly terminology: TerminologyStore;
  readonly changes: ChangeFeed & { filter: (tenant: string, resourceType: string) => boolean };
  private readonly statements: WriteStatements;

  constructor(
    private readonly driver: SqlDriver,
    private readonly indexer: Indexer,
    onListenerError?: (err: unknown) => void,
  ) {
    this.dialect = driver.dialect.name;
    this.changes = sqlChangeFeed(driver, onListenerError);
    this.admin = new SqlAdminStore(driver);
    this.statements = writeStatements(driver.dialect);
    this.emergencyAccess = sqlEmergencyAccess(driver);
    this.healthLinks = sqlHealthLinks(driver);
    this.terminology = sqlTerminology(driver);
    this.audit = {
      append: (entries, options) => (entries.length === 0 ? Promise.resolve() : driver.transaction(async (conn) => void (await appendAudit(conn, entries)), options)),
      query: (tenant, query) => queryAudit(driver.reader, checkTenant(tenant), query),
      verify: (tenant) => verifyAudit(driver.reader, checkTenant(tenant)),
      emergencyAccesses: (tenant, query) => emergencyAccesses(driver.reader, checkTenant(tenant), query),
      countEmergencyAccesses: (tenant, reviewed) => countEmergencyAccesses(driver.reader, checkTenant(tenant), reviewed),
    };
  }

  async migrate(): Promise<MigrationResult[]> {
    const results = await migrate(this.driver);
    // An upgrade that added indexes leaves the planner without statistics for them (SQLite keeps
    // sampled ones at best) until the next bulk load; a new, empty database has nothing to measure.
    const upgraded = results.some((r) => r.status === 'applied') && results.some((r) => r.status === 'already-applied');
    // A migration that changes which index rows resources have is followed by a reindex (which
    // refreshes the statistics when it is done) of what the database already holds.
    const applied = new Set(results.filter((r) => r.status === 'applied').map((r) => r.id));
    if (upgraded && MIGRATIONS.some((m) => m.reindex === true && applied.has(m.id))) {
      await this.reindex();
      await this.refreshStatistics();
    } else if (upgraded) await this.refreshStatistics();
    return results;
  }

  reader(tenant: string): StoreReader {
    return new SqlReader(this.driver.reader, checkTenant(tenant), this.dialect);
  }

  async transaction<T>(tenant: string, fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    checkTenant(tenant);
    let tx: SqlTransaction | undefined;
    const result = await this.driver.transaction(async (conn) => {
      const open = new SqlTransaction(conn, tenant, this.driver, this.statements, this.indexer);
      tx = open;
      try {
        const value = await fn(open);
        // The transaction's audit entries are chained in one go just before it commits: one chain
        // lock and one multi-row insert instead of a round trip set per entry (a Bundle has hundreds).
        await open.flushAudit();
        // Announced inside the transaction: the driver delivers them only if it commits.
        const announced = open.changes.filter((c) => this.changes.filter(tenant, c.resourceType));
        for (const payload of encodeChanges(tenant, announced)) await this.driver.announce(conn, payload);
        return value;
      } finally {
        open.end();
      }
    });
    if (tx && tx.writes > 0) this.driver.afterCommit(tx.writes);
    return result;
  }

  reindex(onProgress?: (progress: ReindexProgress) => void): Promise<ReindexProgress> {
    return reindexAll(this.driver, this.indexer, onProgress);
  }

  refreshStatistics(): Promise<void> {
    return this.driver.refreshStatistics();
  }

  async explainSearch(tenant: string, request: SearchRequest): Promise<SearchStatementPlan[]> {
    // The search runs as usual on a connection that notes each statement, so the plans are those
    // of the SQL the store really sends, from the one query compiler.
    const ran: Array<{ sql: string; params: readonly unknown[] }> = [];
    const reader = this.driver.reader;
    const noting = (q: Query, params: readonly unknown[]): void => void ran.push({ sql: typeof q === 'string' ? q : q.sql, params });
    const recorder: SqlConn = {
      all: (q, params) => (noting(q, params), reader.all(q, params)),
      get: (q, params) => (noting(q, params), reader.get(q, params)),
      run: () => Promise.reject(new Error('A search does not write')),
    };
    await search(recorder, checkTenant(tenant), request, this.dialect);
    const { dialect } = this.driver;
    const plans: SearchStatementPlan[] = [];
    for (const statement of ran) {
      const rows = await reader.all<Record<string, unknown>>(dialect.explain(statement.sql), statement.params);
      plans.push({ ...statement, plan: dialect.planText(rows) });
    }
    return plans;
  }

  close(): Promise<void> {
    return this.driver.close();
  }
}

class SqlReader implements StoreReader {
  constructor(
    protected readonly conn: SqlConn,
    readonly tenant: string,
    private readonly dialect: FhirStore['dialect'],
  ) {}

  async readCurrent(resourceType: string, id: string): Promise<StoredVersion | undefined> {
    return readCurrent(this.use(), this.tenant, resourceType, id);
  }

  async readVersion(resourceType: string, id: string, versionId: string): Promise<StoredVersion | undefined> {
    return readVersion(this.use(), this.tenant, resourceType, id, versionId);
  }

  async history(query: HistoryQuery): Promise<HistoryPage> {
    return history(this.use(), this.tenant, query);
  }

  async search(request: SearchRequest): Promise<SearchPage> {
    return search(this.use(), this.tenant, request, this.dialect);
  }

  async latest(query: LatestQuery): Promise<LatestGroup[]> {
    return latest(this.use(), this.tenant, query, this.dialect);
  }

  async searchAnyOf(query: AnyOfQuery): Promise<Resource[]> {
    return searchAnyOf(this.use(), this.tenant, query, this.dialect);
  }

  /** The connection to use; throws once a transaction has ended (async callers get a rejection). */
  protected use(): SqlConn {
    return this.conn;
  }
}

class SqlTransaction extends SqlReader implements StoreTransaction {
  private open = true;
  /** Versions written, reported to the driver after commit. */
  writes = 0;
  /** The versions written, announced to change listeners (`FhirStore.changes`) at commit. */
  readonly changes: CommittedChange[] = [];

  constructor(
    private readonly tx: TxConn,
    tenant: string,
    private readonly driver: SqlDriver,
    private readonly statements: WriteStatements,
    private readonly indexer: Indexer,
  ) {
    super(tx, tenant, driver.dialect.name);
  }

  async lock(key: string): Promise<void> {
    return this.txConn().lock(this.tenant, key);
  }

  /** Entries to chain when the transaction commits (see `SqlStore.transaction`). */
  private readonly pendingAudit: AuditEntry[] = [];

  async appendAudit(entries: readonly AuditEntry[]): Promise<void> {
    for (const e of entries) if (e.tenant !== this.tenant) throw new Error('An audit entry of another practice cannot join this transaction');
    this.txConn();
    this.pendingAudit.push(...entries);
  }

  async appendAuditNow(entry: AuditEntry): Promise<number> {
    if (entry.tenant !== this.tenant) throw new Error('An audit entry of another practice cannot join this transaction');
    const [seq] = await appendAudit(this.txConn(), [entry]);
    return seq;
  }

  async appendBreakGlassReview(breakGlassSeq: number, review: AuditEntry): Promise<number> {
    if (review.tenant !== this.tenant) throw new Error('An audit entry of another practice cannot join this transaction');
    return appendBreakGlassReview(this.txConn(), breakGlassSeq, review);
  }

  async flushAudit(): Promise<void> {
    if (this.pendingAudit.length === 0) return;
    await appendAudit(this.txConn(), this.pendingAudit.splice(0, this.pendingAudit.length));
  }

  async writeVersion(write: VersionWrite): Promise<StoredVersion> {
    const conn = this.txConn();
    this.writes++;
    const written = await writeVersion({ conn, driver: this.driver, statements: this.statements, indexer: this.indexer, tenant: this.tenant }, write);
    this.changes.push({ resourceType: written.resourceType, id: written.id, versionId: written.versionId, deleted: written.deleted });
    return written;
  }

  /** Called when the transaction ends, so a leaked handle cannot write outside it. */
  end(): void {
    this.open = false;
  }

  protected override use(): SqlConn {
    return this.txConn();
  }

  private txConn(): TxConn {
    if (!this.open) throw new Error('The store transaction has already ended');
    return this.tx;
  }
}

function checkTenant(tenant: string): string {
  if (typeof tenant !== 'string' || tenant.length === 0) throw new Error('A tenant is required');
  return tenant;
}
