/**
 * Migration 0004: user accounts and the authorization code flow. `users` are the people who sign
 * in through apps; `oauth_clients` learns redirect URIs and public (secret-less) apps;
 * `oauth_requests`, `oauth_grants`, `oauth_codes` and `oauth_refresh_tokens` carry a sign-in from
 * the form to the tokens. Secrets (passwords, codes, refresh tokens, recovery codes) are stored
 * only as hashes, the TOTP seed only encrypted.
 */
import type { Dialect } from '../sql/dialect.ts';
import type { Migration } from './migrate.ts';

export const users: Migration = {
  id: '0004-users',
  statements(d: Dialect): string[] {
    const { text, bigint, int } = d.types;
    return [
      `CREATE TABLE users (
        id ${text} PRIMARY KEY,
        tenant ${text} NOT NULL REFERENCES practices (id),
        email ${text} NOT NULL,
        password_hash ${text} NOT NULL,
        role ${text} NOT NULL,
        fhir_user ${text},
        patients ${text},
        status ${text} NOT NULL,
        failed_signins ${int} NOT NULL,
        locked_until ${bigint},
        mfa_secret ${text},
        mfa_last_step ${bigint},
        tokens_valid_after ${bigint} NOT NULL,
        created_at ${text} NOT NULL
      )`,
      // Unique per practice: an app belongs to one practice, so sign-in knows which one to look in.
      `CREATE UNIQUE INDEX users_email ON users (tenant, email)`,
      `CREATE TABLE user_recovery_codes (
        tenant ${text} NOT NULL,
        user_id ${text} NOT NULL REFERENCES users (id),
        code_hash ${text} NOT NULL,
        used_at ${bigint},
        PRIMARY KEY (user_id, code_hash)
      )`,
      `ALTER TABLE practices ADD COLUMN mfa_required ${int} NOT NULL DEFAULT 0`,
      // JSON array of exact redirect URIs; NULL for backend services (client_credentials only).
      `ALTER TABLE oauth_clients ADD COLUMN redirect_uris ${text}`,
      `ALTER TABLE oauth_clients ADD COLUMN public_client ${int} NOT NULL DEFAULT 0`,
      `CREATE TABLE oauth_requests (
        id ${text} PRIMARY KEY,
        tenant ${text} NOT NULL,
        client_id ${text} NOT NULL,
        params ${text} NOT NULL,
        stage ${text} NOT NULL,
        user_id ${text},
        browser_hash ${text} NOT NULL,
        csrf ${text} NOT NULL,
        expires_at ${bigint} NOT NULL
      )`,
      `CREATE INDEX oauth_requests_expiry ON oauth_requests (expires_at)`,
      `CREATE TABLE oauth_grants (
        id ${text} PRIMARY KEY,
        tenant ${text} NOT NULL,
        client_id ${text} NOT NULL,
        user_id ${text} NOT NULL REFERENCES users (id),
        scope ${text} NOT NULL,
        patient ${text},
        created_at ${bigint} NOT NULL,
        expires_at ${bigint} NOT NULL,
        revoked_at ${bigint}
      )`,
      `CREATE INDEX oauth_grants_user ON oauth_grants (tenant, user_id)`,
      `CREATE TABLE oauth_codes (
        code_hash ${text} PRIMARY KEY,
        tenant ${text} NOT NULL,
        grant_id ${text} NOT NULL REFERENCES oauth_grants (id),
        client_id ${text} NOT NULL,
        redirect_uri ${text} NOT NULL,
        code_challenge ${text} NOT NULL,
        nonce ${text},
        expires_at ${bigint} NOT NULL,
        used_at ${bigint}
      )`,
      `CREATE TABLE oauth_refresh_tokens (
        token_hash ${text} PRIMARY KEY,
        tenant ${text} NOT NULL,
        grant_id ${text} NOT NULL REFERENCES oauth_grants (id),
        created_at ${bigint} NOT NULL,
        expires_at ${bigint} NOT NULL,
        used_at ${bigint}
      )`,
      `CREATE INDEX oauth_refresh_tokens_grant ON oauth_refresh_tokens (tenant, grant_id)`,
    ];
  },
};
