/**
 * Migration 0010 (SQLite only): the audit tables move into their own database file, attached to
 * every connection as `audit` (`sqlite/sqlite.ts` says why). Same tables, indexes and triggers
 * as 0003, created in `audit`, the rows copied over, the old tables dropped. PostgreSQL keeps
 * them where they are.
 */
import type { Dialect } from '../sql/dialect.ts';
import { auditLog, AUDIT_TABLES } from './0003-audit-log.ts';
import type { Migration } from './migrate.ts';

export const auditFile: Migration = {
  id: '0010-audit-file',
  statements(d: Dialect): string[] {
    if (d.name !== 'sqlite') return [];
    const inAuditFile = auditLog.statements(d).map((ddl) => ddl.replace(/^CREATE (TABLE|INDEX|TRIGGER) /, 'CREATE $1 audit.'));
    for (const ddl of inAuditFile) if (!ddl.startsWith('CREATE TABLE audit.') && !ddl.startsWith('CREATE INDEX audit.') && !ddl.startsWith('CREATE TRIGGER audit.')) throw new Error(`0010: cannot place in the audit file: ${ddl}`);
    return [
      ...inAuditFile,
      ...AUDIT_TABLES.map((table) => `INSERT INTO audit.${table} SELECT * FROM main.${table}`),
      ...AUDIT_TABLES.map((table) => `DROP TABLE main.${table}`),
    ];
  },
};
