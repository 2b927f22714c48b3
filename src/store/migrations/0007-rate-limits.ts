/**
 * Migration 0007: `rate_limits`, the failure counters of sign-in, client authentication,
 * password-reset requests and bearer-token failures, shared by every app server on the database
 * so that N servers give an attacker one budget, not N. One row per (hashed) key: its fixed
 * window's failure count and end. Rows are throw-away: ended windows are deleted as they pass.
 */
import type { Dialect } from '../sql/dialect.ts';
import type { Migration } from './migrate.ts';

export const rateLimits: Migration = {
  id: '0007-rate-limits',
  statements(d: Dialect): string[] {
    const { text, bigint } = d.types;
    return [
      `CREATE TABLE rate_limits (
        limit_key ${text} PRIMARY KEY,
        failures ${bigint} NOT NULL,
        reset_at ${bigint} NOT NULL
      )`,
      `CREATE INDEX rate_limits_reset ON rate_limits (reset_at)`,
    ];
  },
};
