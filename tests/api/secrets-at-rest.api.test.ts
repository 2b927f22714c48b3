/**
 * Secrets at rest and in logs, black-box, on both stores: the real `heron serve` at the most
 * verbose log level (`LOG_LEVEL=trace`) goes through everything that handles a secret — the CLI
 * creates a practice that requires MFA, a user with a password, a confidential app, a backend
 * client and an invitation; a browser fails one sign-in, signs in with the password, enrols TOTP
 * (the seed is read from the enrolment page), gets recovery codes, signs in again with one,
 * consents; the app exchanges the code (offline_access), refreshes, reads FHIR, revokes; the
 * invitation link sets a password. Then the whole database (SQLite: the file and WAL bytes and
 * `sqlite3 .dump`; PostgreSQL: `pg_dump` of the schema), every line the server wrote, and the
 * data directory's other files must not contain any of those secrets, in any usual encoding.
 * The one file that holds a secret by design, `<data>/secret-key`, is left out (docs/auth.md).
 */
import { execFile } from 'node:child_process';
import { createPublicKey, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEALED_SIGNING_KEY_SETTING, SIGNING_KEY_SETTING } from '../../src/api/auth/keys.ts';
import { authorizeUrl, cookieOf, fetchHttp, formFields, pkce, type Http } from '../../src/api/auth/test-flow.ts';
import { createSecretBox } from '../../src/domain/users/secret-box.ts';
import { totpCode } from '../../src/domain/users/totp.ts';
import { HeronServer, PG_URL, STORE_KINDS } from '../fixtures/heron-server.ts';

const run = promisify(execFile);
const SQLITE3 = '/usr/bin/sqlite3';
const PG_DUMP = '/usr/bin/pg_dump';

const PASSWORD = 'Lantern-Harbour-Quill-58';
const WRONG_PASSWORD = 'Lantern-Harbour-Quill-85';
const INVITEE_PASSWORD = 'Saffron-Tundra-Beacon-31';
const WRONG_CLIENT_SECRET = 'not-the-secret-' + randomBytes(12).toString('base64url');
const EMAIL = 'vault@example.org';
const INVITEE = 'invitee@example.org';
const REDIRECT = 'http://localhost:4567/callback';
const APP_SCOPES = 'openid fhirUser offline_access user/*.rs';

const http: Http = fetchHttp;

/** One secret and every form in which a copy of it could be written. */
interface Secret {
  what: string;
  /** Text forms: as is, URL- and JSON-encoded. */
  texts: string[];
  /** Raw bytes (a seed or key), also searched as hex, base64 and base64url text. */
  bytes?: Buffer;
}

function secret(what: string, value: string, bytes?: Buffer): Secret {
  const texts = new Set([value, encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2), JSON.stringify(value).slice(1, -1)]);
  if (bytes) {
    for (const t of [bytes.toString('hex'), bytes.toString('hex').toUpperCase(), bytes.toString('base64').replace(/=+$/, ''), bytes.toString('base64url')]) texts.add(t);
  }
  return { what, texts: [...texts], ...(bytes ? { bytes } : {}) };
}

/** RFC 4648 base32 (what authenticator apps are given) to bytes. */
function base32Bytes(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  return Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
}

/** Something written by the server: a file's bytes or a text (a dump, the log). */
interface Evidence {
  name: string;
  bytes: Buffer;
}

/** Which secrets occur in which evidence, as "secret in evidence" lines (empty when none). */
function leaks(secrets: Secret[], evidence: Evidence[]): string[] {
  const found: string[] = [];
  for (const e of evidence) {
    for (const s of secrets) {
      const hit = s.texts.find((t) => e.bytes.includes(Buffer.from(t, 'utf8'))) ?? (s.bytes && e.bytes.includes(s.bytes) ? '<raw bytes>' : undefined);
      if (hit !== undefined) found.push(`${s.what} in ${e.name} (as ${hit.length > 24 ? hit.slice(0, 12) + '…' : hit})`);
    }
  }
  return found;
}

/** A private EC JWK member (`"d":"…"`, 32 bytes base64url) in JSON, possibly escaped inside a string. */
const PRIVATE_JWK_MEMBER = /\\*"d\\*"\s*:\s*\\*"[A-Za-z0-9_-]{43}\\*"/;

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

describe.each(STORE_KINDS)('secrets at rest and in logs (%s)', (kind) => {
  let server: HeronServer;
  /** PostgreSQL has no key file: the server gets the key from the environment, as in production. */
  const envKey = randomBytes(32).toString('base64');
  const secrets: Secret[] = [];
  const accessTokens: Secret[] = [];
  const evidence: Evidence[] = [];
  /** The database alone (dumps and files), for the sanity checks. */
  const database: Evidence[] = [];
  let log = '';
  let appClientId = '';
  let privateJwkD = '';
  let sealedSigningKey = '';
  /** The public JWKS the server published. */
  let published: { keys?: Record<string, unknown>[] } | undefined;

  beforeAll(async () => {
    server = await HeronServer.start(kind, {
      practiceName: 'Vault Practice',
      serve: { fullLog: true, env: { LOG_LEVEL: 'trace', ...(kind === 'postgres' ? { HERON_SECRET_KEY: envKey } : {}) } },
    });
  }, 120_000);
  afterAll(async () => server?.close());

  it('the scenario: every kind of secret is created and used over the real server', async () => {
    const t = server.default;
    const practice = t.practiceId;
    secrets.push(secret('default client secret', t.clientSecret));
    accessTokens.push(secret('default client access token', t.token), secret('default client access token signature', t.token.split('.')[2]));
    const cli = async (args: string[]) => {
      const res = await server.cli(args);
      expect(res.code, `heron ${args.join(' ')}\n${res.stdout}\n${res.stderr}`).toBe(0);
      return JSON.parse(res.stdout.trim().split('\n').at(-1)!);
    };
    const basicOf = (id: string, s: string) => Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(s)}`).toString('base64');

    const jwks = await http('GET', `${server.origin}/.well-known/jwks.json`);
    expect(jwks.status).toBe(200);
    published = JSON.parse(jwks.text);

    // The operator's part.
    await cli(['practice', 'require-mfa', practice, '--json']);
    await cli(['user', 'create', '--practice', practice, '--role', 'physician', '--email', EMAIL, '--password', PASSWORD, '--fhir-user', 'Practitioner/vault', '--json']);
    const app = await cli(['app', 'register', '--practice', practice, '--name', 'Vault Viewer', '--redirect-uri', REDIRECT, '--scopes', APP_SCOPES, '--json']);
    const backend = await cli(['client', 'create', '--practice', practice, '--scopes', 'system/*.*', '--name', 'lab interface', '--json']);
    const invite = await cli(['user', 'invite', '--practice', practice, '--role', 'nurse', '--email', INVITEE, '--public-url', server.origin, '--json']);
    appClientId = app.client_id;
    expect(app.client_secret).toEqual(expect.any(String));
    expect(backend.client_secret).toEqual(expect.any(String));
    const inviteToken = new URL(invite.link).searchParams.get('token')!;
    expect(inviteToken.length).toBeGreaterThanOrEqual(40);
    secrets.push(
      secret('password', PASSWORD),
      secret('wrong password tried', WRONG_PASSWORD),
      secret('invitee password', INVITEE_PASSWORD),
      secret('app client secret', app.client_secret),
      secret('backend client secret', backend.client_secret),
      secret('wrong client secret tried', WRONG_CLIENT_SECRET),
      secret('app Basic credentials', basicOf(app.client_id, app.client_secret)),
      secret('backend Basic credentials', basicOf(backend.client_id, backend.client_secret)),
      secret('default client Basic credentials', basicOf(t.clientId, t.clientSecret)),
      secret('invitation link secret', inviteToken),
    );

    // A backend service: a wrong secret, then a token, and some data to read.
    expect((await server.tokenRequest(backend.client_id, WRONG_CLIENT_SECRET)).status).toBe(401);
    const backendToken = await server.token(backend.client_id, backend.client_secret);
    accessTokens.push(secret('backend access token', backendToken), secret('backend access token signature', backendToken.split('.')[2]));
    const patient = await t.fhir('POST', 'Patient', { token: backendToken, body: { resourceType: 'Patient', name: [{ family: 'Strongbox', given: ['Ida'] }] } });
    expect(patient.status, patient.text).toBe(201);

    // A failed sign-in with a wrong password.
    const signInUrl = (challenge: string) => authorizeUrl(server.origin, { clientId: app.client_id, redirectUri: REDIRECT, scope: APP_SCOPES, aud: server.fhirBase, challenge, method: 'S256', state: 'vault', nonce: 'n-vault' });
    const startSignIn = async (challenge: string, password: string) => {
      const start = await http('GET', signInUrl(challenge));
      expect(start.status, start.text).toBe(200);
      const cookie = cookieOf(start);
      secrets.push(secret('sign-in cookie', cookie.slice(cookie.indexOf('=') + 1)));
      const page = await http('POST', `${server.origin}/oauth2/authorize/sign-in`, { headers: { cookie }, form: new URLSearchParams({ ...formFields(start.text).hidden, email: EMAIL, password }) });
      return { cookie, page };
    };
    expect((await startSignIn(pkce().challenge, WRONG_PASSWORD)).page.status).toBe(401);

    // Sign-in with the password; TOTP enrolment; recovery codes; consent.
    const first = pkce();
    secrets.push(secret('PKCE verifier', first.verifier));
    const { cookie, page: mfa } = await startSignIn(first.challenge, PASSWORD);
    expect(mfa.status, mfa.text).toBe(200);
    const seed = /Key: <code>([A-Z2-7]+)<\/code>/.exec(mfa.text)?.[1];
    expect(seed, mfa.text).toBeDefined();
    secrets.push(secret('TOTP seed (base32)', seed!, base32Bytes(seed!)), secret('TOTP seed (base32, lower case)', seed!.toLowerCase()));
    const enrolled = await http('POST', `${server.origin}/oauth2/authorize/mfa`, { headers: { cookie }, form: new URLSearchParams({ ...formFields(mfa.text).hidden, code: totpCode(seed!) }) });
    expect(enrolled.status, enrolled.text).toBe(200);
    const recoveryCodes = [...enrolled.text.matchAll(/<li><code>([0-9a-f-]+)<\/code><\/li>/g)].map((m) => m[1]);
    expect(recoveryCodes).toHaveLength(10);
    recoveryCodes.forEach((c, i) => secrets.push(secret(`recovery code ${i + 1}`, c), secret(`recovery code ${i + 1} (no dashes)`, c.replace(/-/g, ''))));
    const consentPage = await http('POST', `${server.origin}/oauth2/authorize/mfa`, { headers: { cookie }, form: new URLSearchParams(formFields(enrolled.text).hidden) });
    const consent = async (page: string, cookieHeader: string) => {
      expect(page).toContain('action="/oauth2/authorize/consent"');
      const fields = formFields(page);
      const form = new URLSearchParams(fields.hidden);
      for (const scope of fields.checkboxes) form.append('scope', scope);
      form.set('decision', 'allow');
      const done = await http('POST', `${server.origin}/oauth2/authorize/consent`, { headers: { cookie: cookieHeader }, form });
      expect(done.status, done.text).toBe(303);
      const code = new URL(done.headers.location).searchParams.get('code')!;
      secrets.push(secret('authorization code', code));
      return code;
    };
    const code = await consent(consentPage.text, cookie);

    // The app: code for tokens (client_secret_basic), one refresh (client_secret_post).
    const appBasic = `Basic ${basicOf(app.client_id, app.client_secret)}`;
    const exchanged = await http('POST', `${server.origin}/oauth2/token`, { headers: { authorization: appBasic }, form: new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: first.verifier, redirect_uri: REDIRECT }) });
    expect(exchanged.status, exchanged.text).toBe(200);
    const tokens = JSON.parse(exchanged.text) as { access_token: string; refresh_token: string; id_token: string };
    expect(tokens.refresh_token).toEqual(expect.any(String));
    const refreshed = await http('POST', `${server.origin}/oauth2/token`, { form: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: app.client_id, client_secret: app.client_secret }) });
    expect(refreshed.status, refreshed.text).toBe(200);
    const again = JSON.parse(refreshed.text) as { access_token: string; refresh_token: string; id_token?: string };
    secrets.push(secret('refresh token', tokens.refresh_token), secret('rotated refresh token', again.refresh_token));
    for (const [what, jwt] of [
      ['user access token', tokens.access_token],
      ['id token', tokens.id_token],
      ['refreshed access token', again.access_token],
      ...(again.id_token ? [['refreshed id token', again.id_token]] : []),
    ] as const) {
      accessTokens.push(secret(what, jwt), secret(`${what} signature`, jwt.split('.')[2]));
    }

    // FHIR calls as the user.
    const read = await t.fhir('GET', `Patient/${patient.body.id}`, { token: tokens.access_token });
    expect(read.status, read.text).toBe(200);
    const search = await t.fhir('GET', 'Patient?family=Strongbox&_count=5', { token: again.access_token });
    expect(search.status, search.text).toBe(200);
    expect(search.body.entry).toHaveLength(1);
    expect((await t.fhir('GET', 'metadata', { token: again.access_token })).status).toBe(200);

    // A second sign-in, with a recovery code instead of a TOTP code.
    const second = pkce();
    secrets.push(secret('second PKCE verifier', second.verifier));
    const signIn2 = await startSignIn(second.challenge, PASSWORD);
    expect(signIn2.page.text).toContain('action="/oauth2/authorize/mfa"');
    const withRecovery = await http('POST', `${server.origin}/oauth2/authorize/mfa`, { headers: { cookie: signIn2.cookie }, form: new URLSearchParams({ ...formFields(signIn2.page.text).hidden, code: recoveryCodes[3] }) });
    expect(withRecovery.status, withRecovery.text).toBe(200);
    const code2 = await consent(withRecovery.text, signIn2.cookie);
    const exchanged2 = await http('POST', `${server.origin}/oauth2/token`, { form: new URLSearchParams({ grant_type: 'authorization_code', code: code2, code_verifier: second.verifier, redirect_uri: REDIRECT, client_id: app.client_id, client_secret: app.client_secret }) });
    expect(exchanged2.status, exchanged2.text).toBe(200);
    const tokens2 = JSON.parse(exchanged2.text) as { access_token: string; refresh_token: string; id_token: string };
    secrets.push(secret('second refresh token', tokens2.refresh_token));
    accessTokens.push(secret('second access token', tokens2.access_token), secret('second access token signature', tokens2.access_token.split('.')[2]));

    // The invitation link sets the invitee's password.
    const invitePage = await http('GET', invite.link);
    expect(invitePage.status, invitePage.text).toBe(200);
    const accepted = await http('POST', `${server.origin}/auth/set-password`, { form: new URLSearchParams({ ...formFields(invitePage.text).hidden, password: INVITEE_PASSWORD, confirm: INVITEE_PASSWORD }) });
    expect(accepted.status, accepted.text).toBe(200);
    expect(accepted.text).toContain('Password set');

    // Sign-out: revoking a refresh token ends its grant; that grant's access token, which this
    // server has not cached, is then refused (the failure path must not log it either).
    for (const token of [again.refresh_token, tokens2.refresh_token]) {
      const revoked = await http('POST', `${server.origin}/oauth2/revoke`, { headers: { authorization: appBasic }, form: new URLSearchParams({ token }) });
      expect(revoked.status, revoked.text).toBe(200);
    }
    expect((await t.fhir('GET', `Patient/${patient.body.id}`, { token: tokens2.access_token })).status).toBe(401);
  }, 180_000);

  it('collects the database, the data directory and every log line', async () => {
    const dataDir = server.loc.dataDir;
    const key = kind === 'sqlite' ? Buffer.from((await readFile(join(dataDir, 'secret-key'), 'utf8')).trim(), 'base64') : Buffer.from(envKey, 'base64');
    expect(key).toHaveLength(32);
    secrets.push(secret('the secret key', key.toString('base64'), key));

    // SQLite: the file and its WAL as the running server left them (closing checkpoints the WAL away).
    if (kind === 'sqlite') {
      for (const file of await filesUnder(dataDir)) {
        if (/\.sqlite(-wal|-shm)?$/.test(file)) database.push({ name: `${relative(dataDir, file)} (server running)`, bytes: await readFile(file) });
      }
      expect(database.some((e) => e.name.startsWith('heron.sqlite-wal'))).toBe(true);
    }
    await server.serve.stop(); // SIGTERM: the log is flushed, SQLite checkpoints
    log = server.serve.log;
    evidence.push({ name: 'the server log', bytes: Buffer.from(log, 'utf8') });

    let sealedKey: string | undefined;
    let settingNames: string[];
    if (kind === 'sqlite') {
      const file = join(dataDir, 'heron.sqlite');
      const dump = await run(SQLITE3, [file, '.dump'], { maxBuffer: 1 << 28 });
      database.push({ name: 'sqlite3 .dump', bytes: Buffer.from(dump.stdout, 'utf8') });
      const query = async (sql: string) => (await run(SQLITE3, ['-readonly', '-json', file, sql])).stdout.trim();
      settingNames = (JSON.parse((await query('SELECT name FROM settings')) || '[]') as { name: string }[]).map((r) => r.name);
      sealedKey = (JSON.parse((await query(`SELECT value FROM settings WHERE name = '${SEALED_SIGNING_KEY_SETTING}'`)) || '[]') as { value: string }[])[0]?.value;
    } else {
      const dump = await run(PG_DUMP, ['--dbname', PG_URL, `--schema=${server.loc.schema}`], { maxBuffer: 1 << 28 });
      database.push({ name: 'pg_dump', bytes: Buffer.from(dump.stdout, 'utf8') });
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        settingNames = (await client.query<{ name: string }>(`SELECT name FROM "${server.loc.schema}".settings`)).rows.map((r) => r.name);
        sealedKey = (await client.query<{ value: string }>(`SELECT value FROM "${server.loc.schema}".settings WHERE name = $1`, [SEALED_SIGNING_KEY_SETTING])).rows[0]?.value;
      } finally {
        await client.end();
      }
    }
    // The data directory: every file but the key file (SQLite's database files again, after closing).
    for (const file of await filesUnder(dataDir)) {
      if (relative(dataDir, file) === 'secret-key') continue;
      database.push({ name: relative(dataDir, file), bytes: await readFile(file) });
    }
    evidence.push(...database);

    // The signing key is stored sealed only; open it with the key to learn what must not leak.
    expect(settingNames).toContain(SEALED_SIGNING_KEY_SETTING);
    expect(settingNames).not.toContain(SIGNING_KEY_SETTING);
    const jwk = JSON.parse(createSecretBox(key).open(sealedKey!, SEALED_SIGNING_KEY_SETTING)) as { kty: string; crv: string; x: string; y: string; d: string; kid: string };
    // The opened key is the one the server publishes (its public half).
    const publicHalf = createPublicKey({ key: jwk, format: 'jwk' }).export({ format: 'jwk' }) as { x: string; y: string };
    expect(publicHalf).toMatchObject({ x: jwk.x, y: jwk.y });
    expect(published?.keys?.[0]).toMatchObject({ kid: jwk.kid, x: jwk.x, y: jwk.y });
    expect(published?.keys?.[0]).not.toHaveProperty('d');
    privateJwkD = jwk.d;
    sealedSigningKey = sealedKey!;
    secrets.push(secret('signing key private d', jwk.d, Buffer.from(jwk.d, 'base64url')));
  }, 120_000);

  it('sanity: the evidence is complete (debug request lines, users, grants, refresh tokens)', () => {
    expect(privateJwkD).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Every request at debug level: sign-in pages, the token endpoint and FHIR calls were logged.
    expect(log).toMatch(/"msg":"request completed"/);
    for (const path of ['/oauth2/authorize/sign-in', '/oauth2/authorize/mfa', '/oauth2/token', '/oauth2/revoke', '/fhir/R4/Patient', '/auth/set-password']) expect(log).toContain(`"url":"${path}`);
    const text = database.map((e) => e.bytes.toString('latin1')).join('\n');
    for (const needle of [EMAIL, INVITEE, appClientId, 'Strongbox', 'oauth_refresh_tokens', 'user_recovery_codes', 'user_account_tokens', SEALED_SIGNING_KEY_SETTING, sealedSigningKey]) expect(text).toContain(needle);
    // The leak search finds what it looks for.
    expect(leaks([secret('the user email', EMAIL), secret('the app id', appClientId)], evidence).length).toBeGreaterThan(0);
  });

  it('no password, seed, recovery code, client secret, refresh token, link, key or private key in the database or data directory', () => {
    expect(leaks(secrets, database)).toEqual([]);
    const dbText = database.map((e) => e.bytes.toString('latin1')).join('\n');
    expect(dbText).not.toMatch(PRIVATE_JWK_MEMBER);
  });

  it('no secret and no access token in the server log', () => {
    expect(leaks([...secrets, ...accessTokens], [{ name: 'the server log', bytes: Buffer.from(log, 'utf8') }])).toEqual([]);
    expect(log).not.toMatch(PRIVATE_JWK_MEMBER);
    expect(log).not.toMatch(/authorization"?\s*:\s*"?(Bearer|Basic) /i);
  });

  it('access tokens are not stored either', () => {
    expect(leaks(accessTokens, database)).toEqual([]);
  });
});
