/**
 * The admin store: practices, OAuth clients and server settings. Not tenant-scoped — these
 * rows decide which tenants exist. Reads go to the reader connection, writes through a short
 * transaction.
 */
import type { AdminStore, ClientListQuery, OAuthClient, Practice } from '../store.ts';
import { stmt, type SqlDriver } from './dialect.ts';
import { SqlOAuthGrants } from './oauth-grants.ts';
import { sqlRateLimits } from './rate-limits.ts';
import type { RateLimits } from '../rate-limits.ts';
import { SqlUserAccounts } from './users.ts';

const PRACTICE_COLUMNS = 'id, name, created_at';
const CLIENT_COLUMNS = 'client_id, practice_id, secret_hash, scopes, name, created_at, redirect_uris, public_client, jwks, jwks_url';
const CLIENT_READ_COLUMNS = `${CLIENT_COLUMNS}, disabled_at, last_used_at`;

const INSERT_PRACTICE = stmt('INSERT INTO practices (id, name, created_at) VALUES (?, ?, ?)');
const GET_PRACTICE = stmt(`SELECT ${PRACTICE_COLUMNS} FROM practices WHERE id = ?`);
const FIND_PRACTICE = stmt(`SELECT ${PRACTICE_COLUMNS} FROM practices WHERE name = ?`);
const LIST_PRACTICES = stmt(`SELECT ${PRACTICE_COLUMNS} FROM practices ORDER BY created_at, id`);
const INSERT_CLIENT = stmt(`INSERT INTO oauth_clients (${CLIENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
const GET_CLIENT = stmt(`SELECT ${CLIENT_READ_COLUMNS} FROM oauth_clients WHERE client_id = ?`);
const LIST_CLIENTS = stmt(`SELECT ${CLIENT_READ_COLUMNS} FROM oauth_clients WHERE practice_id = ? AND client_id > ? ORDER BY client_id LIMIT ?`);
const DISABLE_CLIENT = stmt('UPDATE oauth_clients SET disabled_at = ? WHERE client_id = ? AND disabled_at IS NULL');
const NOTE_CLIENT_USE = stmt('UPDATE oauth_clients SET last_used_at = ? WHERE client_id = ? AND (last_used_at IS NULL OR last_used_at < ?)');
const GET_SETTING = stmt('SELECT value FROM settings WHERE name = ?');
const PUT_SETTING = stmt('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING');

interface PracticeRow {
  id: string;
  name: string;
  created_at: string;
}

interface ClientRow {
  client_id: string;
  practice_id: string;
  secret_hash: string;
  scopes: string;
  name: string;
  created_at: string;
  redirect_uris: string | null;
  public_client: number | string;
  jwks: string | null;
  jwks_url: string | null;
  disabled_at: number | string | null;
  last_used_at: number | string | null;
}

export class SqlAdminStore implements AdminStore {
  readonly users: SqlUserAccounts;
  readonly grants: SqlOAuthGrants;
  readonly rateLimits: RateLimits;

  constructor(private readonly driver: SqlDriver) {
    this.users = new SqlUserAccounts(driver);
    this.grants = new SqlOAuthGrants(driver);
    this.rateLimits = sqlRateLimits(driver);
  }

  async createPractice(p: Practice): Promise<void> {
    await this.driver.transaction((conn) => conn.run(INSERT_PRACTICE, [p.id, p.name, p.createdAt]));
  }

  async getPractice(id: string): Promise<Practice | undefined> {
    const row = await this.driver.reader.get<PracticeRow>(GET_PRACTICE, [id]);
    return row && toPractice(row);
  }

  async findPracticeByName(name: string): Promise<Practice | undefined> {
    const row = await this.driver.reader.get<PracticeRow>(FIND_PRACTICE, [name]);
    return row && toPractice(row);
  }

  async listPractices(): Promise<Practice[]> {
    return (await this.driver.reader.all<PracticeRow>(LIST_PRACTICES, [])).map(toPractice);
  }

  async createClient(c: OAuthClient): Promise<void> {
    await this.driver.transaction((conn) => conn.run(INSERT_CLIENT, [c.clientId, c.practiceId, c.secretHash, c.scopes, c.name, c.createdAt, c.redirectUris ? JSON.stringify(c.redirectUris) : null, c.public ? 1 : 0, c.jwks ?? null, c.jwksUrl ?? null]));
  }

  async getClient(clientId: string, options?: { includeDisabled?: boolean }): Promise<OAuthClient | undefined> {
    const row = await this.driver.reader.get<ClientRow>(GET_CLIENT, [clientId]);
    if (!row || (row.disabled_at !== null && options?.includeDisabled !== true)) return undefined;
    return toClient(row);
  }

  async listClients(practiceId: string, query: ClientListQuery): Promise<OAuthClient[]> {
    return (await this.driver.reader.all<ClientRow>(LIST_CLIENTS, [practiceId, query.afterClientId ?? '', query.count])).map(toClient);
  }

  async disableClient(clientId: string, at: number): Promise<boolean> {
    return (await this.driver.transaction((conn) => conn.run(DISABLE_CLIENT, [at, clientId]))) === 1;
  }

  async noteClientUse(clientId: string, at: number, withinMs: number): Promise<void> {
    await this.driver.transaction((conn) => conn.run(NOTE_CLIENT_USE, [at, clientId, at - withinMs]));
  }

  async getSetting(key: string): Promise<string | undefined> {
    return (await this.driver.reader.get<{ value: string }>(GET_SETTING, [key]))?.value;
  }

  putSettingIfAbsent(key: string, value: string): Promise<string> {
    return this.driver.transaction(async (conn) => {
      // ON CONFLICT DO NOTHING waits for a concurrent insert of the same key, then the read sees the winner.
      await conn.run(PUT_SETTING, [key, value]);
      const row = await conn.get<{ value: string }>(GET_SETTING, [key]);
      if (!row) throw new Error(`Setting ${key} vanished after insert`);
      return row.value;
    });
  }
}

function toClient(row: ClientRow): OAuthClient {
  const client: OAuthClient = {
    clientId: row.client_id,
    practiceId: row.practice_id,
    secretHash: row.secret_hash,
    scopes: row.scopes,
    name: row.name,
    createdAt: row.created_at,
  };
  if (row.redirect_uris !== null) client.redirectUris = JSON.parse(row.redirect_uris) as string[];
  if (Number(row.public_client) === 1) client.public = true;
  if (row.jwks !== null) client.jwks = row.jwks;
  if (row.jwks_url !== null) client.jwksUrl = row.jwks_url;
  // PostgreSQL returns BIGINT as a string.
  if (row.disabled_at !== null) client.disabledAt = Number(row.disabled_at);
  if (row.last_used_at !== null) client.lastUsedAt = Number(row.last_used_at);
  return client;
}

function toPractice(row: PracticeRow): Practice {
  return { id: row.id, name: row.name, createdAt: row.created_at };
}
