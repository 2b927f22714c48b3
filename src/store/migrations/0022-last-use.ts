/**
 * Migration 0022: when an account last signed in (`users.last_sign_in_at`) and when an app or
 * backend service was last issued a token (`oauth_clients.last_used_at`), both epoch ms, for the
 * practice administrator's lists. Written at sign-in and at the token endpoint, never on an API
 * call; NULL until the first one.
 */
import type { Dialect } from '../sql/dialect.ts';
import type { Migration } from './migrate.ts';

export const lastUse: Migration = {
  id: '0022-last-use',
  statements(d: Dialect): string[] {
    return [`ALTER TABLE users ADD COLUMN last_sign_in_at ${d.types.bigint}`, `ALTER TABLE oauth_clients ADD COLUMN last_used_at ${d.types.bigint}`];
  },
};
