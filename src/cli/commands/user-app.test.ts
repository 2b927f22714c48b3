import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verify } from '@node-rs/argon2';
import { extractIndexRows } from '../../fhir/search/extract.ts';
import { openStore } from '../../store/open-store.ts';
import type { FhirStore } from '../../store/store.ts';
import { main } from '../main.ts';
import { recordingTerminal } from '../terminal.ts';

let store: FhirStore;
let practiceId: string;
beforeAll(async () => {
  store = await openStore({ memory: true, indexer: extractIndexRows });
  await store.migrate();
  practiceId = (await run(['practice', 'create', 'Riverside', '--json'])).json.id;
});
afterAll(async () => store?.close());

async function run(args: string[], runtime: { env?: Record<string, string>; stdin?: NodeJS.ReadableStream } = {}) {
  const terminal = recordingTerminal();
  // One store for every command: `main` closes what it opens, so hand it a view that stays open.
  const code = await main(args, { terminal, env: runtime.env ?? {}, ...(runtime.stdin ? { stdin: runtime.stdin } : {}), openStore: async () => ({ store: Object.assign(Object.create(store) as FhirStore, { close: async () => {} }), migrations: [] }) });
  const last = terminal.stdout.at(-1);
  return { code, terminal, json: last?.startsWith('{') ? JSON.parse(last) : undefined };
}

describe('heron user create', () => {
  it('--json prints {"id"}; the email is lower-cased and only a hash of the password is kept', async () => {
    const res = await run(['user', 'create', '--practice', 'Riverside', '--role', 'physician', '--email', 'Ann.Lee@Example.org', '--password', 'Amber-Tide-Falcon-63', '--fhir-user', 'Practitioner/77', '--json']);
    expect(res.code).toBe(0);
    expect(Object.keys(res.json)).toEqual(['id']);
    const user = await store.admin.users.get(res.json.id);
    expect(user).toMatchObject({ email: 'ann.lee@example.org', role: 'physician', fhirUser: 'Practitioner/77', status: 'active', tenant: practiceId });
    expect(user!.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verify(user!.passwordHash, 'Amber-Tide-Falcon-63')).toBe(true);
  });

  it('a proxy takes several --patient; a patient exactly one', async () => {
    const proxy = await run(['user', 'create', '--practice', practiceId, '--role', 'proxy', '--email', 'mum@example.org', '--password', 'Amber-Tide-Falcon-63', '--patient', 'a', '--patient', 'b', '--json']);
    expect((await store.admin.users.get(proxy.json.id))!.patients).toEqual(['a', 'b']);
    const patient = await run(['user', 'create', '--practice', practiceId, '--role', 'patient', '--email', 'pat@example.org', '--password', 'Amber-Tide-Falcon-63', '--patient', 'p9', '--json']);
    expect(await store.admin.users.get(patient.json.id)).toMatchObject({ fhirUser: 'Patient/p9', patients: ['p9'] });
  });

  it('a proxy acts for some patients with limited access (an adolescent), stored apart', async () => {
    const proxy = await run(['user', 'create', '--practice', practiceId, '--role', 'proxy', '--email', 'dad@example.org', '--password', 'Amber-Tide-Falcon-63', '--patient', 'small', '--limited-patient', 'teen', '--json']);
    expect(await store.admin.users.get(proxy.json.id)).toMatchObject({ patients: ['small', 'teen'], limitedPatients: ['teen'] });
    const other = await run(['user', 'create', '--practice', practiceId, '--role', 'proxy', '--email', 'aunt@example.org', '--password', 'Amber-Tide-Falcon-63', '--patient', 'small', '--json']);
    expect((await store.admin.users.get(other.json.id))!.limitedPatients).toBeUndefined();
  });

  it.each([
    [['--role', 'physician', '--email', 'x1@example.org', '--password', 'short'], /at least 12/],
    [['--role', 'physician', '--email', 'x2@example.org', '--password', 'password12345'], /too easy to guess/],
    [['--role', 'surgeon', '--email', 'x3@example.org', '--password', 'Amber-Tide-Falcon-63'], /Unknown role/],
    [['--role', 'patient', '--email', 'x4@example.org', '--password', 'Amber-Tide-Falcon-63'], /exactly one --patient/],
    [['--role', 'nurse', '--email', 'x5@example.org', '--password', 'Amber-Tide-Falcon-63', '--patient', 'p'], /not bound to patients/],
    [['--role', 'patient', '--email', 'x6@example.org', '--password', 'Amber-Tide-Falcon-63', '--limited-patient', 'p'], /Only a proxy/],
    [['--role', 'nurse', '--email', 'not-an-email', '--password', 'Amber-Tide-Falcon-63'], /not an email/],
    [['--role', 'nurse', '--email', 'ANN.LEE@example.org', '--password', 'Amber-Tide-Falcon-63'], /already exists/],
  ])('refuses %j with a clear message', async (args, message) => {
    const res = await run(['user', 'create', '--practice', practiceId, ...(args as string[])]);
    expect(res.code).toBe(1);
    expect(res.terminal.stderr.join('\n')).toMatch(message);
  });
});

describe('heron user create: where the password comes from', () => {
  const PASSWORD = 'Amber-Tide-Falcon-63';
  const base = (email: string) => ['user', 'create', '--practice', practiceId, '--role', 'nurse', '--email', email, '--json'];
  const passwordOf = async (id: string) => verify((await store.admin.users.get(id))!.passwordHash, PASSWORD);

  it('--password-stdin reads the first line only, without its line ending, and warns of nothing', async () => {
    const res = await run([...base('stdin@example.org'), '--password-stdin'], { stdin: Readable.from([`${PASSWORD}\r\n`, 'second line\n']) });
    expect(res.code, res.terminal.stderr.join('\n')).toBe(0);
    expect(await passwordOf(res.json.id)).toBe(true);
    expect(res.terminal.stderr).toEqual([]);
  });

  it('HERON_USER_PASSWORD is used when no flag gives one', async () => {
    const res = await run(base('env@example.org'), { env: { HERON_USER_PASSWORD: PASSWORD } });
    expect(res.code, res.terminal.stderr.join('\n')).toBe(0);
    expect(await passwordOf(res.json.id)).toBe(true);
    expect(res.terminal.stderr).toEqual([]);
  });

  it('--password still works, with a warning on stderr that it shows in the process list', async () => {
    const res = await run([...base('flag@example.org'), '--password', PASSWORD]);
    expect(res.code).toBe(0);
    expect(await passwordOf(res.json.id)).toBe(true);
    expect(res.terminal.stderr.join('\n')).toMatch(/warning: --password is visible .* process list; prefer --password-stdin or HERON_USER_PASSWORD/);
    expect(res.terminal.stdout).toHaveLength(1);
  });

  it('refuses two sources, no source, or an empty stdin as wrong usage (exit 2), creating nobody', async () => {
    const both = await run([...base('both@example.org'), '--password', PASSWORD, '--password-stdin'], { stdin: Readable.from([PASSWORD]) });
    expect(both.code).toBe(2);
    expect(both.terminal.stderr.join('\n')).toMatch(/not both/);
    const none = await run(base('none@example.org'));
    expect(none.code).toBe(2);
    expect(none.terminal.stderr.join('\n')).toMatch(/--password-stdin .*HERON_USER_PASSWORD.*--password/);
    const empty = await run([...base('empty@example.org'), '--password-stdin'], { stdin: Readable.from([]) });
    expect(empty.code).toBe(2);
    for (const email of ['both@example.org', 'none@example.org', 'empty@example.org']) expect(await store.admin.users.findByEmail(practiceId, email)).toBeUndefined();
  });
});

describe('heron app register', () => {
  it('a confidential app gets a secret; a public one none', async () => {
    const conf = await run(['app', 'register', '--practice', practiceId, '--name', 'Chart', '--redirect-uri', 'https://a.example/cb', '--redirect-uri', 'http://localhost:9/cb', '--scopes', 'openid user/*.rs', '--json']);
    expect(Object.keys(conf.json)).toEqual(['client_id', 'client_secret']);
    expect(await store.admin.getClient(conf.json.client_id)).toMatchObject({ redirectUris: ['https://a.example/cb', 'http://localhost:9/cb'], scopes: 'openid user/*.rs' });
    const pub = await run(['app', 'register', '--practice', practiceId, '--name', 'Portal', '--redirect-uri', 'https://p.example/cb', '--public', '--scopes', 'patient/*.rs launch/patient', '--json']);
    expect(Object.keys(pub.json)).toEqual(['client_id']);
    expect(await store.admin.getClient(pub.json.client_id)).toMatchObject({ public: true, secretHash: '' });
  });

  it.each([
    ['http://app.example/cb', /https/],
    ['https://app.example/cb#x', /fragment/],
    ['/relative', /absolute/],
  ])('refuses redirect URI %s', async (uri, message) => {
    const res = await run(['app', 'register', '--practice', practiceId, '--name', 'X', '--redirect-uri', uri, '--scopes', 'user/*.rs']);
    expect(res.code).toBe(1);
    expect(res.terminal.stderr.join('\n')).toMatch(message);
  });

  it('refuses system and unknown scopes', async () => {
    const res = await run(['app', 'register', '--practice', practiceId, '--name', 'X', '--redirect-uri', 'https://x.example/cb', '--scopes', 'system/*.* user/Observation.rs?category=labs']);
    expect(res.code).toBe(1);
    expect(res.terminal.stderr.join('\n')).toMatch(/Not a supported app scope/);
  });

  it('registers granular scopes and refuses a query it cannot enforce, saying why', async () => {
    const vitals = 'patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|vital-signs';
    const ok = await run(['app', 'register', '--practice', practiceId, '--name', 'Vitals', '--redirect-uri', 'https://v.example/cb', '--scopes', `launch/patient ${vitals}`, '--json']);
    expect(ok.code, ok.terminal.stderr.join('\n')).toBe(0);
    expect(await store.admin.getClient(ok.json.client_id)).toMatchObject({ scopes: `launch/patient ${vitals}` });
    const bad = await run(['app', 'register', '--practice', practiceId, '--name', 'X', '--redirect-uri', 'https://x.example/cb', '--scopes', 'user/Observation.rs?catgory=laboratory']);
    expect(bad.code).toBe(1);
    expect(bad.terminal.stderr.join('\n')).toMatch(/Unknown search parameter "catgory"/);
  });
});

describe('heron app register with public keys (client-confidential-asymmetric)', () => {
  // practiceId is set in beforeAll, after this runs.
  const args = () => ['app', 'register', '--practice', practiceId, '--name', 'Key app', '--redirect-uri', 'https://k.example/cb', '--scopes', 'openid user/*.rs'];

  it('--jwks-file and --jwks-url register a confidential app without a secret', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'heron-app-jwks-'));
    try {
      const file = join(dir, 'jwks.json');
      const { publicKey } = await generateKeyPair('ES384', { extractable: true });
      await writeFile(file, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'app-1' }] }));
      const byFile = await run([...args(), '--jwks-file', file, '--json']);
      expect(byFile.code, byFile.terminal.stderr.join('\n')).toBe(0);
      expect(Object.keys(byFile.json)).toEqual(['client_id']);
      const stored = await store.admin.getClient(byFile.json.client_id);
      expect(stored).toMatchObject({ secretHash: '', redirectUris: ['https://k.example/cb'] });
      expect(stored!.public).toBeUndefined();
      expect(JSON.parse(stored!.jwks!).keys[0]).toMatchObject({ kid: 'app-1', kty: 'EC', crv: 'P-384' });
      const byUrl = await run([...args(), '--jwks-url', 'https://k.example/jwks.json']);
      expect(byUrl.code, byUrl.terminal.stderr.join('\n')).toBe(0);
      expect(byUrl.terminal.stdout.join('\n')).toMatch(/private_key_jwt/);
      expect(byUrl.terminal.stdout.join('\n')).not.toMatch(/client_secret/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each([
    // Invalid input exits 1; a misused command line (usage error) 2.
    [['--jwks-url', 'http://k.example/jwks.json'], 1, /https/],
    [['--jwks-url', 'https://k.example/jwks.json', '--public'], 1, /public app has no credentials/],
    [['--jwks-file', '/dev/null'], 1, /not JSON/],
    [['--jwks-url', 'https://k.example/jwks.json', '--jwks-file', 'x.json'], 2, /not both/],
    [['--jwks-file', '/nonexistent/jwks.json'], 2, /Cannot read/],
  ])('refuses %j', async (extra, code, message) => {
    const before = (await store.admin.listClients(practiceId, { count: 1000 })).length;
    const res = await run([...args(), ...(extra as string[])]);
    expect(res.code).toBe(code);
    expect(res.terminal.stderr.join('\n')).toMatch(message);
    expect(await store.admin.listClients(practiceId, { count: 1000 })).toHaveLength(before);
  });
});

describe('heron user disable / enable, practice require-mfa', () => {
  it('disabling ends tokens issued before; enabling does not revive them', async () => {
    const created = await run(['user', 'create', '--practice', practiceId, '--role', 'billing', '--email', 'bill@example.org', '--password', 'Amber-Tide-Falcon-63', '--json']);
    const before = Date.now();
    expect((await run(['user', 'disable', '--practice', practiceId, '--email', 'BILL@example.org', '--json'])).json).toEqual({ id: created.json.id, status: 'disabled' });
    expect(await store.admin.users.get(created.json.id)).toMatchObject({ status: 'disabled' });
    await run(['user', 'enable', '--practice', practiceId, '--email', 'bill@example.org']);
    const user = await store.admin.users.get(created.json.id);
    expect(user).toMatchObject({ status: 'active' });
    expect(user!.tokensValidAfter).toBeGreaterThanOrEqual(before);
    expect((await run(['user', 'disable', '--practice', practiceId, '--email', 'nobody@example.org'])).code).toBe(1);
  });

  it('require-mfa toggles the practice setting', async () => {
    expect((await run(['practice', 'require-mfa', 'Riverside', '--json'])).json).toEqual({ id: practiceId, mfa_required: true });
    expect(await store.admin.users.practiceRequiresMfa(practiceId)).toBe(true);
    await run(['practice', 'require-mfa', practiceId, '--off']);
    expect(await store.admin.users.practiceRequiresMfa(practiceId)).toBe(false);
  });
});

describe('changes made from the command line are in the audit trail', () => {
  it('practice, users, apps, clients and the MFA policy: who (heron-cli and the OS user), what, never a secret', async () => {
    const created = (await run(['practice', 'create', 'Audited Practice', '--json'])).json.id as string;
    const user = await run(['user', 'create', '--practice', created, '--role', 'proxy', '--email', 'p@example.org', '--password', 'Amber-Tide-Falcon-63', '--limited-patient', 'teen', '--json']);
    await run(['user', 'disable', '--practice', created, '--email', 'p@example.org']);
    const app = await run(['app', 'register', '--practice', created, '--name', 'Viewer', '--redirect-uri', 'https://app.example/cb', '--scopes', 'user/Patient.rs', '--json']);
    const client = await run(['client', 'create', '--practice', created, '--scopes', 'system/*.rs', '--json']);
    await run(['practice', 'require-mfa', created]);
    const trail = (await store.audit.query(created, { count: 50, ascending: true })).map((e) => [e.action, e.agentId, e.entities]);
    expect(trail).toEqual([
      ['admin-practice-create', 'heron-cli', [`Practice/${created}`]],
      // The practice's own Organization (its name and settings), written with the practice.
      ['create', 'heron-cli', [expect.stringMatching(/^Organization\//)]],
      ['admin-user-create', 'heron-cli', [`User/${user.json.id}`]],
      ['admin-user-disable', 'heron-cli', [`User/${user.json.id}`]],
      ['admin-app-register', 'heron-cli', [`Client/${app.json.client_id}`]],
      ['admin-client-create', 'heron-cli', [`Client/${client.json.client_id}`]],
      ['admin-mfa-policy', 'heron-cli', [`Practice/${created}`]],
    ]);
    const entries = await store.audit.query(created, { count: 50, ascending: true });
    expect(entries[2]).toMatchObject({ patients: ['Patient/teen'], userAgent: expect.stringMatching(/^heron-cli \(os user .+\)$/) });
    const text = JSON.stringify(entries);
    for (const secret of ['Amber-Tide-Falcon-63', app.json.client_secret, client.json.client_secret]) expect(text).not.toContain(secret);
    expect(await store.audit.verify(created)).toMatchObject({ checked: 7 });
  });
});
