/**
 * Migration 0012: `audit_events.reported`, the AuditEvent a client reported (`POST AuditEvent`)
 * as JSON text, on the entry that records it. Null for every entry Heron writes about its own
 * interactions. Part of the entry's hash (`sql/audit.ts`), so a changed report breaks the chain
 * like any other changed field. On SQLite the table lives in the attached audit file (0010).
 */
import type { Dialect } from '../sql/dialect.ts';
import type { Migration } from './migrate.ts';

export const reportedAuditEvents: Migration = {
  id: '0012-reported-audit-events',
  statements(d: Dialect): string[] {
    const table = d.name === 'sqlite' ? 'audit.audit_events' : 'audit_events';
    return [`ALTER TABLE ${table} ADD COLUMN reported ${d.types.text}`];
  },
};
