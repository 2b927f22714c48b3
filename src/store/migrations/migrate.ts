/**
 * Numbered migrations, applied in order inside one transaction that holds the driver's
 * migration lock (PostgreSQL advisory lock, SQLite `BEGIN IMMEDIATE`), so two processes
 * starting together apply each migration exactly once and never see half a schema.
 */
import type { MigrationResult } from '../store.ts';
import type { Dialect, SqlDriver } from '../sql/dialect.ts';
import { initial } from './0001-initial.ts';
import { compositeIndex } from './0002-composite-index.ts';
import { auditLog } from './0003-audit-log.ts';
import { users } from './0004-users.ts';
import { clientKeysAndLaunch } from './0005-client-keys-launch.ts';
import { emergencyAccess } from './0006-emergency-access.ts';
import { healthLinks } from './0020-health-links.ts';
import { rateLimits } from './0007-rate-limits.ts';
import { proxyGrants } from './0008-proxy-grants.ts';
import { clientDisabled } from './0009-client-disabled.ts';
import { auditFile } from './0010-audit-file.ts';
import { auditChainHead } from './0011-audit-chain-head.ts';
import { reportedAuditEvents } from './0012-reported-audit-events.ts';
import { searchOrderIndexes } from './0013-search-order-indexes.ts';
import { terminology } from './0014-terminology.ts';
import { latestIndex } from './0015-latest-index.ts';
import { terminologyEntries } from './0016-terminology-entries.ts';
import { stringProbeIndex } from './0017-string-probe-index.ts';
import { terminologyMembersCovering } from './0018-terminology-members-covering.ts';
import { terminologyEntriesByConcept } from './0019-terminology-entries-by-concept.ts';
import { breakGlassReviews } from './0021-break-glass-reviews.ts';
import { lastUse } from './0022-last-use.ts';

export interface Migration {
  /** `NNNN-name`; applied in array order, never renamed once released. */
  id: string;
  statements(dialect: Dialect): string[];
  /**
   * The migration changes which index rows resources have (the store knows no FHIR, so a
   * migration cannot write them): applied to a database that holds resources, it is followed by a
   * reindex of every resource, as `heron reindex` does.
   */
  reindex?: true;
}

export const MIGRATIONS: readonly Migration[] = [initial, compositeIndex, auditLog, users, clientKeysAndLaunch, emergencyAccess, rateLimits, proxyGrants, clientDisabled, auditFile, auditChainHead, reportedAuditEvents, searchOrderIndexes, terminology, latestIndex, terminologyEntries, stringProbeIndex, terminologyMembersCovering, terminologyEntriesByConcept, healthLinks, breakGlassReviews, lastUse];

/** Applies pending migrations; returns one result per known migration. */
export function migrate(driver: SqlDriver, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationResult[]> {
  return driver.migrationTransaction(async (conn) => {
    const { text } = driver.dialect.types;
    // Look first: the app's database role may have no right to create anything (postgres/app-role.ts).
    if ((await conn.get(driver.dialect.tableExists, ['schema_migrations'])) === undefined) {
      await driver.exec(conn, `CREATE TABLE IF NOT EXISTS schema_migrations (id ${text} PRIMARY KEY, applied_at ${text} NOT NULL)`);
    }
    const rows = await conn.all<{ id: string }>('SELECT id FROM schema_migrations', []);
    const applied = new Set(rows.map((r) => r.id));
    const results: MigrationResult[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.id)) {
        results.push({ id: migration.id, status: 'already-applied' });
        continue;
      }
      for (const ddl of migration.statements(driver.dialect)) await driver.exec(conn, ddl);
      await conn.run('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)', [migration.id, new Date().toISOString()]);
      results.push({ id: migration.id, status: 'applied' });
    }
    return results;
  });
}
