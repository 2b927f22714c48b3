/** User accounts in SQL (`users`, `user_recovery_codes`, `user_account_tokens`, `practices.mfa_required`). */
import type { AccountTokenPurpose, AccountTokenRecord, UserAccounts, UserListQuery, UserRecord, UserStatus } from '../user-accounts.ts';
import { stmt, type SqlDriver } from './dialect.ts';

const COLUMNS =
  'id, tenant, email, password_hash, role, fhir_user, patients, limited_patients, status, failed_signins, locked_until, mfa_secret, mfa_last_step, tokens_valid_after, created_at, last_sign_in_at';

const INSERT = stmt(`INSERT INTO users (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
const GET = stmt(`SELECT ${COLUMNS} FROM users WHERE id = ?`);
const FIND = stmt(`SELECT ${COLUMNS} FROM users WHERE tenant = ? AND email = ?`);
// One statement, so concurrent failures on several app servers each count.
const FAIL = stmt(
  `UPDATE users SET
     locked_until = CASE WHEN failed_signins + 1 >= ? THEN ? ELSE locked_until END,
     failed_signins = CASE WHEN failed_signins + 1 >= ? THEN 0 ELSE failed_signins + 1 END
   WHERE id = ?`,
);
const SUCCEED = stmt('UPDATE users SET failed_signins = 0, locked_until = NULL, last_sign_in_at = ? WHERE id = ?');
const SET_ROLE = stmt('UPDATE users SET role = ?, tokens_valid_after = ? WHERE id = ?');
const RESET_MFA = stmt('UPDATE users SET mfa_secret = NULL, mfa_last_step = NULL, tokens_valid_after = ? WHERE id = ?');
const SET_STATUS = stmt('UPDATE users SET status = ?, tokens_valid_after = ? WHERE id = ?');
const SET_VALID_AFTER = stmt('UPDATE users SET tokens_valid_after = ? WHERE id = ?');
const SET_PASSWORD = stmt(
  `UPDATE users SET password_hash = ?, tokens_valid_after = ?, failed_signins = 0, locked_until = NULL,
     status = CASE WHEN status = 'invited' THEN 'active' ELSE status END
   WHERE id = ?`,
);
const TOKEN_COLUMNS = 'token_hash, tenant, user_id, purpose, created_at, expires_at';
const INSERT_TOKEN = stmt(`INSERT INTO user_account_tokens (${TOKEN_COLUMNS}, used_at) VALUES (?, ?, ?, ?, ?, ?, NULL)`);
const USE_TOKEN = stmt('UPDATE user_account_tokens SET used_at = ? WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?');
const GET_TOKEN = stmt(`SELECT ${TOKEN_COLUMNS} FROM user_account_tokens WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`);
const GET_TOKEN_ANY = stmt(`SELECT ${TOKEN_COLUMNS} FROM user_account_tokens WHERE token_hash = ?`);
const SET_MFA = stmt('UPDATE users SET mfa_secret = ?, mfa_last_step = NULL WHERE id = ?');
const USE_STEP = stmt('UPDATE users SET mfa_last_step = ? WHERE id = ? AND (mfa_last_step IS NULL OR mfa_last_step < ?)');
const DELETE_CODES = stmt('DELETE FROM user_recovery_codes WHERE user_id = ?');
const INSERT_CODE = stmt('INSERT INTO user_recovery_codes (tenant, user_id, code_hash, used_at) VALUES (?, ?, ?, NULL)');
const USE_CODE = stmt('UPDATE user_recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL');
const GET_MFA_REQUIRED = stmt('SELECT mfa_required FROM practices WHERE id = ?');
const SET_MFA_REQUIRED = stmt('UPDATE practices SET mfa_required = ? WHERE id = ?');

interface UserRow {
  id: string;
  tenant: string;
  email: string;
  password_hash: string;
  role: string;
  fhir_user: string | null;
  patients: string | null;
  limited_patients: string | null;
  status: string;
  failed_signins: number | string;
  locked_until: number | string | null;
  mfa_secret: string | null;
  mfa_last_step: number | string | null;
  tokens_valid_after: number | string;
  created_at: string;
  last_sign_in_at: number | string | null;
}

export class SqlUserAccounts implements UserAccounts {
  constructor(private readonly driver: SqlDriver) {}

  async create(u: UserRecord): Promise<void> {
    await this.driver.transaction((conn) =>
      conn.run(INSERT, [
        u.id,
        u.tenant,
        u.email,
        u.passwordHash,
        u.role,
        u.fhirUser ?? null,
        u.patients === undefined ? null : JSON.stringify(u.patients),
        u.limitedPatients === undefined || u.limitedPatients.length === 0 ? null : JSON.stringify(u.limitedPatients),
        u.status,
        u.failedSignIns,
        u.lockedUntil ?? null,
        u.mfaSecret ?? null,
        u.mfaLastStep ?? null,
        u.tokensValidAfter,
        u.createdAt,
        u.lastSignInAt ?? null,
      ]),
    );
  }

  async get(id: string): Promise<UserRecord | undefined> {
    const row = await this.driver.reader.get<UserRow>(GET, [id]);
    return row && toUser(row);
  }

  async findByEmail(tenant: string, email: string): Promise<UserRecord | undefined> {
    const row = await this.driver.reader.get<UserRow>(FIND, [tenant, email]);
    return row && toUser(row);
  }

  async list(tenant: string, query: UserListQuery): Promise<UserRecord[]> {
    // Keyset paging on the (tenant, email) unique index; the filters are few and optional.
    let sql = `SELECT ${COLUMNS} FROM users WHERE tenant = ? AND email > ?`;
    const params: unknown[] = [tenant, query.afterEmail ?? ''];
    if (query.role !== undefined) {
      sql += ' AND role = ?';
      params.push(query.role);
    }
    if (query.status !== undefined) {
      sql += ' AND status = ?';
      params.push(query.status);
    }
    params.push(query.count);
    return (await this.driver.reader.all<UserRow>(`${sql} ORDER BY email LIMIT ?`, params)).map(toUser);
  }

  async recordFailedSignIn(id: string, at: number, maxFailures: number, lockMs: number): Promise<void> {
    await this.driver.transaction((conn) => conn.run(FAIL, [maxFailures, at + lockMs, maxFailures, id]));
  }

  async recordSignIn(id: string, at: number): Promise<void> {
    await this.driver.transaction((conn) => conn.run(SUCCEED, [at, id]));
  }

  async setRole(id: string, role: string, tokensValidAfter: number): Promise<void> {
    await this.driver.transaction((conn) => conn.run(SET_ROLE, [role, tokensValidAfter, id]));
  }

  async resetMfa(id: string, tokensValidAfter: number): Promise<void> {
    await this.driver.transaction(async (conn) => {
      await conn.run(RESET_MFA, [tokensValidAfter, id]);
      await conn.run(DELETE_CODES, [id]);
    });
  }

  async setStatus(id: string, status: UserStatus, tokensValidAfter: number): Promise<void> {
    await this.driver.transaction((conn) => conn.run(SET_STATUS, [status, tokensValidAfter, id]));
  }

  async setTokensValidAfter(id: string, at: number): Promise<void> {
    await this.driver.transaction((conn) => conn.run(SET_VALID_AFTER, [at, id]));
  }

  async setPassword(id: string, passwordHash: string, tokensValidAfter: number): Promise<void> {
    await this.driver.transaction((conn) => conn.run(SET_PASSWORD, [passwordHash, tokensValidAfter, id]));
  }

  async createAccountToken(t: AccountTokenRecord): Promise<void> {
    await this.driver.transaction((conn) => conn.run(INSERT_TOKEN, [t.tokenHash, t.tenant, t.userId, t.purpose, t.createdAt, t.expiresAt]));
  }

  useAccountToken(tokenHash: string, purpose: AccountTokenPurpose, at: number): Promise<AccountTokenRecord | undefined> {
    return this.driver.transaction(async (conn) => {
      if ((await conn.run(USE_TOKEN, [at, tokenHash, purpose, at])) !== 1) return undefined;
      const row = await conn.get<TokenRow>(GET_TOKEN_ANY, [tokenHash]);
      return row && toAccountToken(row);
    });
  }

  async peekAccountToken(tokenHash: string, at: number): Promise<AccountTokenRecord | undefined> {
    const row = await this.driver.reader.get<TokenRow>(GET_TOKEN, [tokenHash, at]);
    return row && toAccountToken(row);
  }

  async setMfaSecret(id: string, encryptedSecret: string | undefined): Promise<void> {
    await this.driver.transaction((conn) => conn.run(SET_MFA, [encryptedSecret ?? null, id]));
  }

  async useMfaStep(id: string, step: number): Promise<boolean> {
    return (await this.driver.transaction((conn) => conn.run(USE_STEP, [step, id, step]))) === 1;
  }

  async replaceRecoveryCodes(id: string, codeHashes: readonly string[]): Promise<void> {
    await this.driver.transaction(async (conn) => {
      const user = await conn.get<{ tenant: string }>(GET, [id]);
      if (!user) return;
      await conn.run(DELETE_CODES, [id]);
      for (const hash of codeHashes) await conn.run(INSERT_CODE, [user.tenant, id, hash]);
    });
  }

  async useRecoveryCode(id: string, codeHash: string, at: number): Promise<boolean> {
    return (await this.driver.transaction((conn) => conn.run(USE_CODE, [at, id, codeHash]))) === 1;
  }

  async practiceRequiresMfa(practiceId: string): Promise<boolean> {
    const row = await this.driver.reader.get<{ mfa_required: number | string }>(GET_MFA_REQUIRED, [practiceId]);
    return Number(row?.mfa_required ?? 0) === 1;
  }

  async setPracticeRequiresMfa(practiceId: string, required: boolean): Promise<void> {
    await this.driver.transaction((conn) => conn.run(SET_MFA_REQUIRED, [required ? 1 : 0, practiceId]));
  }
}

interface TokenRow {
  token_hash: string;
  tenant: string;
  user_id: string;
  purpose: string;
  created_at: number | string;
  expires_at: number | string;
}

function toAccountToken(row: TokenRow): AccountTokenRecord {
  return {
    tokenHash: row.token_hash,
    tenant: row.tenant,
    userId: row.user_id,
    purpose: row.purpose === 'invite' ? 'invite' : 'reset',
    createdAt: num(row.created_at),
    expiresAt: num(row.expires_at),
  };
}

// PostgreSQL returns BIGINT as a string; both drivers give numbers once converted here.
const num = (v: number | string): number => (typeof v === 'number' ? v : Number(v));

function toUser(row: UserRow): UserRecord {
  const u: UserRecord = {
    id: row.id,
    tenant: row.tenant,
    email: row.email,
    passwordHash: row.password_hash,
    role: row.role,
    status: row.status === 'active' || row.status === 'invited' ? row.status : 'disabled',
    failedSignIns: num(row.failed_signins),
    tokensValidAfter: num(row.tokens_valid_after),
    createdAt: row.created_at,
  };
  if (row.fhir_user !== null) u.fhirUser = row.fhir_user;
  if (row.patients !== null) u.patients = JSON.parse(row.patients) as string[];
  if (row.limited_patients !== null) u.limitedPatients = JSON.parse(row.limited_patients) as string[];
  if (row.locked_until !== null) u.lockedUntil = num(row.locked_until);
  if (row.mfa_secret !== null) u.mfaSecret = row.mfa_secret;
  if (row.mfa_last_step !== null) u.mfaLastStep = num(row.mfa_last_step);
  if (row.last_sign_in_at !== null) u.lastSignInAt = num(row.last_sign_in_at);
  return u;
}
