/**
 * Migration 0005: asymmetric client authentication, EHR launch and one-time account links.
 * `oauth_clients` learns a client's public keys (inline JWKS or a JWKS URL);
 * `oauth_assertion_jtis` remembers the `jti` of every client assertion until it expires, so an
 * assertion cannot be replayed (tenant-free: a client id is global, and the row holds no data);
 * `oauth_launches` are EHR launch tokens (hashed); `oauth_grants` gains the encounter context;
 * `user_account_tokens` are invitation and password-reset links (hashed, single use).
 */
import type { Dialect } from '../sql/dialect.ts';
import type { Migration } from './migrate.ts';

export const clientKeysAndLaunch: Migration = {
  id: '0005-client-keys-launch',
  statements(d: Dialect): string[] {
    const { text, bigint } = d.types;
    return [
      `ALTER TABLE oauth_clients ADD COLUMN jwks ${text}`,
      `ALTER TABLE oauth_clients ADD COLUMN jwks_url ${text}`,
      `CREATE TABLE oauth_assertion_jtis (
        jti_key ${text} PRIMARY KEY,
        expires_at ${bigint} NOT NULL
      )`,
      `CREATE INDEX oauth_assertion_jtis_expiry ON oauth_assertion_jtis (expires_at)`,
      `ALTER TABLE oauth_grants ADD COLUMN encounter ${text}`,
      `CREATE TABLE oauth_launches (
        launch_hash ${text} PRIMARY KEY,
        tenant ${text} NOT NULL,
        client_id ${text} NOT NULL,
        user_id ${text} NOT NULL REFERENCES users (id),
        patient ${text} NOT NULL,
        encounter ${text},
        expires_at ${bigint} NOT NULL,
        used_at ${bigint}
      )`,
      `CREATE INDEX oauth_launches_expiry ON oauth_launches (expires_at)`,
      `CREATE TABLE user_account_tokens (
        token_hash ${text} PRIMARY KEY,
        tenant ${text} NOT NULL,
        user_id ${text} NOT NULL REFERENCES users (id),
        purpose ${text} NOT NULL,
        created_at ${bigint} NOT NULL,
        expires_at ${bigint} NOT NULL,
        used_at ${bigint}
      )`,
      `CREATE INDEX user_account_tokens_user ON user_account_tokens (tenant, user_id)`,
    ];
  },
};
