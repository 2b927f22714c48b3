/**
 * Migration 0021: the review of emergency accesses. `audit_break_glass_reviews` says which
 * break-the-glass entry of the audit trail a review entry judged: one row per reviewed access, so
 * the primary key refuses a second review even from two servers at once, and the queue of
 * unreviewed accesses is one anti-join. An audit table like the others: append-only (triggers, and
 * the app role gets no UPDATE or DELETE on `audit_` tables), in the audit file on SQLite.
 * `audit_events_break_glass` is a partial index over the break-the-glass entries alone, so the
 * queue and its count read only them however long the trail, and other entries cost it nothing.
 */
import type { Dialect } from '../sql/dialect.ts';
import type { Migration } from './migrate.ts';

export const breakGlassReviews: Migration = {
  id: '0021-break-glass-reviews',
  statements(d: Dialect): string[] {
    const { text, bigint } = d.types;
    const schema = d.name === 'sqlite' ? 'audit.' : '';
    const table = 'audit_break_glass_reviews';
    const out = [
      `CREATE TABLE ${schema}${table} (
        tenant ${text} NOT NULL,
        break_glass_seq ${bigint} NOT NULL,
        review_seq ${bigint} NOT NULL,
        PRIMARY KEY (tenant, break_glass_seq)
      )`,
      `CREATE INDEX ${schema}audit_events_break_glass ON audit_events (tenant, seq) WHERE action = 'break-glass'`,
    ];
    if (d.name === 'sqlite') {
      for (const op of ['UPDATE', 'DELETE']) {
        out.push(`CREATE TRIGGER audit.${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table} BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END`);
      }
    } else {
      out.push(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION heron_audit_append_only()`);
    }
    return out;
  },
};
