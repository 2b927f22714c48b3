/**
 * Migration 0020: `health_links`, the SMART Health Links patients made (the encrypted summary
 * each serves, never its key), and `health_link_accesses`, every time one was opened.
 */
import type { Dialect } from '../sql/dialect.ts';
import type { Migration } from './migrate.ts';

export const healthLinks: Migration = {
  id: '0020-health-links',
  statements(d: Dialect): string[] {
    const { text, bigint, int } = d.types;
    return [
      `CREATE TABLE health_links (
        id ${text} NOT NULL PRIMARY KEY,
        tenant ${text} NOT NULL,
        patient ${text} NOT NULL,
        label ${text} NOT NULL,
        created_by ${text} NOT NULL,
        created_at ${bigint} NOT NULL,
        expires_at ${bigint} NOT NULL,
        passcode_hash ${text},
        attempts_left ${int} NOT NULL,
        revoked_at ${bigint},
        content ${text} NOT NULL
      )`,
      `CREATE INDEX health_links_patient ON health_links (tenant, patient, created_at)`,
      `CREATE TABLE health_link_accesses (
        tenant ${text} NOT NULL,
        link_id ${text} NOT NULL,
        at ${bigint} NOT NULL,
        recipient ${text} NOT NULL,
        ip ${text},
        outcome ${text} NOT NULL
      )`,
      `CREATE INDEX health_link_accesses_link ON health_link_accesses (tenant, link_id, at)`,
    ];
  },
};
