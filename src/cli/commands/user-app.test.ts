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

async function run(args: string[]) {
  const terminal = recordingTerminal();
  // One store for every command: `main` closes what it opens, so hand it a view that stays open.
  const code = await main(args, { terminal, env: {}, openStore: async () => ({ store: { ...store, admin: store.admin, close: async () => {} } as FhirStore, migrations: [] }) });
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
