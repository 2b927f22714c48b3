/**
 * Migration 0009: `oauth_clients.disabled_at` (epoch ms), set when a practice administrator
 * disables an app or backend service. A disabled client is kept rather than deleted: the audit
 * trail names it, and its id must never be handed out again. Indexed by practice for the admin
 * API's list of a practice's apps.
 */
import type { Dialect } from '../sql/dialect.ts';
import type { Migration } from './migrate.ts';

export const clientDisabled: Migration = {
  id: '0009-client-disabled',
  statements(d: Dialect): string[] {
    return [`ALTER TABLE oauth_clients ADD COLUMN disabled_at ${d.types.bigint}`, `CREATE INDEX oauth_clients_practice ON oauth_clients (practice_id, client_id)`];
  },
};
