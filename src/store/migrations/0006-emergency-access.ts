/**
 * Migration 0006: `emergency_access`, the break-the-glass grants: who opened which patient's
 * restricted record, why, and until when. Rows are never changed: a grant ends by expiring, and
 * the table is the review list together with the audit trail.
 */
import type { Dialect } from '../sql/dialect.ts';
import type { Migration } from './migrate.ts';

export const emergencyAccess: Migration = {
  id: '0006-emergency-access',
  statements(d: Dialect): string[] {
    const { text, bigint } = d.types;
    return [
      `CREATE TABLE emergency_access (
        tenant ${text} NOT NULL,
        user_id ${text} NOT NULL,
        patient ${text} NOT NULL,
        reason ${text} NOT NULL,
        granted_at ${bigint} NOT NULL,
        expires_at ${bigint} NOT NULL,
        PRIMARY KEY (tenant, user_id, patient, granted_at)
      )`,
      `CREATE INDEX emergency_access_recent ON emergency_access (tenant, granted_at)`,
    ];
  },
};
