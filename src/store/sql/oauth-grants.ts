/**
 * The authorization code flow's rows in SQL (`oauth_requests`, `oauth_grants`, `oauth_codes`,
 * `oauth_refresh_tokens`, `oauth_launches`) and the replay guard of client assertions
 * (`oauth_assertion_jtis`).
 */
import type { AuthorizationRequestRecord, CodeRecord, GrantRecord, LaunchRecord, OAuthGrants, RefreshTokenRecord } from '../oauth-grants.ts';
import { stmt, type SqlDriver } from './dialect.ts';

const REQUEST_COLUMNS = 'id, tenant, client_id, params, stage, user_id, browser_hash, csrf, expires_at';
const GRANT_COLUMNS = 'id, tenant, client_id, user_id, scope, patient, created_at, expires_at, revoked_at, encounter';
const CODE_COLUMNS = 'code_hash, tenant, grant_id, client_id, redirect_uri, code_challenge, nonce, expires_at, used_at';
const REFRESH_COLUMNS = 'token_hash, tenant, grant_id, created_at, expires_at, used_at';

const PURGE_REQUESTS = stmt('DELETE FROM oauth_requests WHERE expires_at < ?');
const INSERT_REQUEST = stmt(`INSERT INTO oauth_requests (${REQUEST_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
const GET_REQUEST = stmt(`SELECT ${REQUEST_COLUMNS} FROM oauth_requests WHERE id = ?`);
const ADVANCE_REQUEST = stmt('UPDATE oauth_requests SET stage = ?, csrf = ?, user_id = COALESCE(?, user_id), params = COALESCE(?, params) WHERE id = ? AND stage = ?');
const DELETE_REQUEST = stmt('DELETE FROM oauth_requests WHERE id = ?');
const INSERT_GRANT = stmt(`INSERT INTO oauth_grants (${GRANT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)`);
const GET_GRANT = stmt(`SELECT ${GRANT_COLUMNS} FROM oauth_grants WHERE id = ?`);
const GET_GRANT_CLIENT = stmt('SELECT client_id FROM oauth_grants WHERE id = ?');
const REVOKE_GRANT = stmt('UPDATE oauth_grants SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
const USER_GRANTS = stmt(
  `SELECT ${GRANT_COLUMNS.split(', ').map((c) => `g.${c}`).join(', ')}, (SELECT MAX(r.created_at) FROM oauth_refresh_tokens r WHERE r.tenant = g.tenant AND r.grant_id = g.id) AS last_used ` +
    'FROM oauth_grants g WHERE g.tenant = ? AND g.user_id = ? AND g.revoked_at IS NULL AND g.expires_at > ? ORDER BY g.created_at DESC, g.id',
);
const REVOKE_ONE_USER_GRANT = stmt('UPDATE oauth_grants SET revoked_at = ? WHERE tenant = ? AND user_id = ? AND id = ? AND revoked_at IS NULL');
const REVOKE_USER_GRANTS = stmt('UPDATE oauth_grants SET revoked_at = ? WHERE tenant = ? AND user_id = ? AND revoked_at IS NULL');
const PURGE_JTIS = stmt('DELETE FROM oauth_assertion_jtis WHERE expires_at < ?');
const INSERT_JTI = stmt('INSERT INTO oauth_assertion_jtis (jti_key, expires_at) VALUES (?, ?) ON CONFLICT (jti_key) DO NOTHING');
const LAUNCH_COLUMNS = 'launch_hash, tenant, client_id, user_id, patient, encounter, expires_at, used_at';
const PURGE_LAUNCHES = stmt('DELETE FROM oauth_launches WHERE expires_at < ?');
const INSERT_LAUNCH = stmt(`INSERT INTO oauth_launches (${LAUNCH_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)`);
const GET_LAUNCH = stmt(`SELECT ${LAUNCH_COLUMNS} FROM oauth_launches WHERE launch_hash = ?`);
const USE_LAUNCH = stmt('UPDATE oauth_launches SET used_at = ? WHERE launch_hash = ? AND used_at IS NULL');
const INSERT_CODE = stmt(`INSERT INTO oauth_codes (${CODE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)`);
const GET_CODE = stmt(`SELECT ${CODE_COLUMNS} FROM oauth_codes WHERE code_hash = ?`);
const USE_CODE = stmt('UPDATE oauth_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL');
const INSERT_REFRESH = stmt(`INSERT INTO oauth_refresh_tokens (${REFRESH_COLUMNS}) VALUES (?, ?, ?, ?, ?, NULL)`);
const GET_REFRESH = stmt(`SELECT ${REFRESH_COLUMNS} FROM oauth_refresh_tokens WHERE token_hash = ?`);
const USE_REFRESH = stmt('UPDATE oauth_refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL');

type Int = number | string;
const num = (v: Int): number => (typeof v === 'number' ? v : Number(v));

interface RequestRow {
  id: string;
  tenant: string;
  client_id: string;
  params: string;
  stage: string;
  user_id: string | null;
  browser_hash: string;
  csrf: string;
  expires_at: Int;
}
interface GrantRow {
  id: string;
  tenant: string;
  client_id: string;
  user_id: string;
  scope: string;
  patient: string | null;
  created_at: Int;
  expires_at: Int;
  revoked_at: Int | null;
  encounter: string | null;
}
interface LaunchRow {
  launch_hash: string;
  tenant: string;
  client_id: string;
  user_id: string;
  patient: string;
  encounter: string | null;
  expires_at: Int;
  used_at: Int | null;
}
interface CodeRow {
  code_hash: string;
  tenant: string;
  grant_id: string;
  client_id: string;
  redirect_uri: string;
  code_challenge: string;
  nonce: string | null;
  expires_at: Int;
  used_at: Int | null;
}
interface RefreshRow {
  token_hash: string;
  tenant: string;
  grant_id: string;
  created_at: Int;
  expires_at: Int;
  used_at: Int | null;
}

function grantOf(row: GrantRow): GrantRecord {
  const g: GrantRecord = {
    id: row.id,
    tenant: row.tenant,
    clientId: row.client_id,
    userId: row.user_id,
    scope: row.scope,
    createdAt: num(row.created_at),
    expiresAt: num(row.expires_at),
  };
  if (row.patient !== null) g.patient = row.patient;
  if (row.encounter !== null) g.encounter = row.encounter;
  if (row.revoked_at !== null) g.revokedAt = num(row.revoked_at);
  return g;
}

export class SqlOAuthGrants implements OAuthGrants {
  constructor(private readonly driver: SqlDriver) {}

  async putRequest(r: AuthorizationRequestRecord, now: number): Promise<void> {
    await this.driver.transaction(async (conn) => {
      await conn.run(PURGE_REQUESTS, [now]);
      await conn.run(INSERT_REQUEST, [r.id, r.tenant, r.clientId, r.params, r.stage, r.userId ?? null, r.browserHash, r.csrf, r.expiresAt]);
    });
  }

  async getRequest(id: string): Promise<AuthorizationRequestRecord | undefined> {
    const row = await this.driver.reader.get<RequestRow>(GET_REQUEST, [id]);
    if (!row) return undefined;
    const r: AuthorizationRequestRecord = {
      id: row.id,
      tenant: row.tenant,
      clientId: row.client_id,
      params: row.params,
      stage: row.stage,
      browserHash: row.browser_hash,
      csrf: row.csrf,
      expiresAt: num(row.expires_at),
    };
    if (row.user_id !== null) r.userId = row.user_id;
    return r;
  }

  async advanceRequest(id: string, fromStage: string, changes: { stage: string; csrf: string; userId?: string; params?: string }): Promise<boolean> {
    return (await this.driver.transaction((conn) => conn.run(ADVANCE_REQUEST, [changes.stage, changes.csrf, changes.userId ?? null, changes.params ?? null, id, fromStage]))) === 1;
  }

  async deleteRequest(id: string): Promise<boolean> {
    return (await this.driver.transaction((conn) => conn.run(DELETE_REQUEST, [id]))) === 1;
  }

  async createGrant(g: GrantRecord): Promise<void> {
    await this.driver.transaction((conn) => conn.run(INSERT_GRANT, [g.id, g.tenant, g.clientId, g.userId, g.scope, g.patient ?? null, g.createdAt, g.expiresAt, g.encounter ?? null]));
  }

  async getGrant(id: string): Promise<GrantRecord | undefined> {
    const row = await this.driver.reader.get<GrantRow>(GET_GRANT, [id]);
    return row === undefined ? undefined : grantOf(row);
  }

  async listUserGrants(tenant: string, userId: string, now: number): Promise<Array<GrantRecord & { lastUsedAt: number }>> {
    const rows = await this.driver.reader.all<GrantRow & { last_used: number | string | null }>(USER_GRANTS, [tenant, userId, now]);
    return rows.map((row) => ({ ...grantOf(row), lastUsedAt: row.last_used === null ? num(row.created_at) : num(row.last_used) }));
  }

  async revokeUserGrant(tenant: string, userId: string, grantId: string, at: number): Promise<boolean> {
    return (await this.driver.transaction((conn) => conn.run(REVOKE_ONE_USER_GRANT, [at, tenant, userId, grantId]))) > 0;
  }

  async revokeGrant(id: string, at: number): Promise<void> {
    await this.driver.transaction((conn) => conn.run(REVOKE_GRANT, [at, id]));
  }

  async revokeUserGrants(tenant: string, userId: string, at: number): Promise<number> {
    return this.driver.transaction((conn) => conn.run(REVOKE_USER_GRANTS, [at, tenant, userId]));
  }

  async useAssertionJti(jtiKey: string, expiresAt: number, now: number): Promise<boolean> {
    return this.driver.transaction(async (conn) => {
      await conn.run(PURGE_JTIS, [now]);
      return (await conn.run(INSERT_JTI, [jtiKey, expiresAt])) === 1;
    });
  }

  async createLaunch(l: LaunchRecord, now: number): Promise<void> {
    await this.driver.transaction(async (conn) => {
      await conn.run(PURGE_LAUNCHES, [now]);
      await conn.run(INSERT_LAUNCH, [l.launchHash, l.tenant, l.clientId, l.userId, l.patient, l.encounter ?? null, l.expiresAt]);
    });
  }

  async getLaunch(launchHash: string): Promise<(LaunchRecord & { usedAt?: number }) | undefined> {
    const row = await this.driver.reader.get<LaunchRow>(GET_LAUNCH, [launchHash]);
    if (!row) return undefined;
    const l: LaunchRecord & { usedAt?: number } = {
      launchHash: row.launch_hash,
      tenant: row.tenant,
      clientId: row.client_id,
      userId: row.user_id,
      patient: row.patient,
      expiresAt: num(row.expires_at),
    };
    if (row.encounter !== null) l.encounter = row.encounter;
    if (row.used_at !== null) l.usedAt = num(row.used_at);
    return l;
  }

  async useLaunch(launchHash: string, at: number): Promise<boolean> {
    return (await this.driver.transaction((conn) => conn.run(USE_LAUNCH, [at, launchHash]))) === 1;
  }

  async createCode(c: CodeRecord): Promise<void> {
    await this.driver.transaction((conn) => conn.run(INSERT_CODE, [c.codeHash, c.tenant, c.grantId, c.clientId, c.redirectUri, c.codeChallenge, c.nonce ?? null, c.expiresAt]));
  }

  useCode(codeHash: string, clientId: string, at: number): Promise<{ code: CodeRecord; firstUse: boolean } | undefined> {
    return this.driver.transaction(async (conn) => {
      const row = await conn.get<CodeRow>(GET_CODE, [codeHash]);
      if (!row || row.client_id !== clientId) return undefined;
      const firstUse = (await conn.run(USE_CODE, [at, codeHash])) === 1;
      const code: CodeRecord = {
        codeHash: row.code_hash,
        tenant: row.tenant,
        grantId: row.grant_id,
        clientId: row.client_id,
        redirectUri: row.redirect_uri,
        codeChallenge: row.code_challenge,
        expiresAt: num(row.expires_at),
      };
      if (row.nonce !== null) code.nonce = row.nonce;
      return { code, firstUse };
    });
  }

  async createRefreshToken(t: RefreshTokenRecord): Promise<void> {
    await this.driver.transaction((conn) => conn.run(INSERT_REFRESH, [t.tokenHash, t.tenant, t.grantId, t.createdAt, t.expiresAt]));
  }

  useRefreshToken(tokenHash: string, clientId: string, at: number): Promise<{ token: RefreshTokenRecord; firstUse: boolean } | undefined> {
    return this.driver.transaction(async (conn) => {
      const row = await conn.get<RefreshRow>(GET_REFRESH, [tokenHash]);
      if (!row) return undefined;
      const grant = await conn.get<{ client_id: string }>(GET_GRANT_CLIENT, [row.grant_id]);
      if (grant?.client_id !== clientId) return undefined;
      const firstUse = (await conn.run(USE_REFRESH, [at, tokenHash])) === 1;
      return { token: toRefresh(row), firstUse };
    });
  }

  async getRefreshToken(tokenHash: string): Promise<(RefreshTokenRecord & { usedAt?: number }) | undefined> {
    const row = await this.driver.reader.get<RefreshRow>(GET_REFRESH, [tokenHash]);
    if (!row) return undefined;
    const t: RefreshTokenRecord & { usedAt?: number } = toRefresh(row);
    if (row.used_at !== null) t.usedAt = num(row.used_at);
    return t;
  }
}

function toRefresh(row: RefreshRow): RefreshTokenRecord {
  return { tokenHash: row.token_hash, tenant: row.tenant, grantId: row.grant_id, createdAt: num(row.created_at), expiresAt: num(row.expires_at) };
}
