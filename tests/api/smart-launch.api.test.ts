/**
 * The SMART standalone and EHR launches end to end against the real `heron serve`, on both
 * stores: the operator creates a user and registers an app with the CLI; the "browser" follows
 * the flow (authorize → sign-in form → consent form → redirect with code); the app exchanges the
 * code, reads a Patient with the user's access token, and refreshes. In the EHR launch the EHR
 * creates a launch context for a patient and encounter, and the real `fhirclient` library
 * launches from `?launch=…&iss=…` and reads them. An asymmetric confidential app registered with
 * its public key (`--jwks-file`) authenticates with signed assertions (`private_key_jwt`).
 * @see https://hl7.org/fhir/smart-app-launch/app-launch.html
 * @see https://hl7.org/fhir/smart-app-launch/client-confidential-asymmetric.html
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, exportJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { clientKey, signAssertion } from '../../src/api/auth/test-assertion.ts';
import { authorizeUrl, fetchHttp, pkce, signInAndConsent, type Http } from '../../src/api/auth/test-flow.ts';
import { HeronServer, STORE_KINDS } from '../fixtures/heron-server.ts';
import { useHeronServer } from '../fixtures/use-heron-server.ts';

const PASSWORD = 'Quiet-Meadow-Compass-77';
// fhirclient's Node entry is CommonJS.
interface FhirClient {
  request(path: string): Promise<{ id: string }>;
  refresh(): Promise<unknown>;
  getPatientId(): string | null;
  getUserId(): string | null;
  patient: { id: string | null; read(): Promise<{ resourceType: string; id: string; name?: { family?: string }[] }> };
  encounter: { id: string | null; read(): Promise<{ resourceType: string; id: string; subject?: { reference?: string } }> };
  state: { tokenResponse?: Record<string, unknown>; scope?: string };
}
const smart = createRequire(import.meta.url)('fhirclient') as (req: unknown, res: unknown, storage: unknown) => {
  authorize(o: Record<string, unknown>): Promise<string | void>;
  ready(): Promise<FhirClient>;
};
const REDIRECT = 'http://localhost:4567/callback';

const http: Http = fetchHttp;

/** What fhirclient's Node adapter needs of the app's server at localhost:4567: its session storage and requests. */
function appServer() {
  const saved = new Map<string, unknown>();
  const storage = { get: async (k: string) => saved.get(k), set: async (k: string, v: unknown) => void saved.set(k, v), unset: async (k: string) => saved.delete(k) };
  const req = (url: string) => ({ url, headers: { host: 'localhost:4567' }, socket: {} });
  const res = { writeHead() {}, end() {} };
  return { storage, req, res };
}

describe.each(STORE_KINDS)('SMART launches (%s)', (kind) => {
  let server: HeronServer;
  useHeronServer(kind, (started) => {
    server = started;
  });

  /** `heron app register --jwks-file` with the public key `jwk`, as an operator would. */
  async function registerKeyApp(name: string, scopes: string, jwk: object): Promise<{ client_id: string; client_secret?: string }> {
    const dir = await mkdtemp(join(tmpdir(), 'heron-app-key-'));
    try {
      const file = join(dir, 'jwks.json');
      await writeFile(file, JSON.stringify({ keys: [jwk] }));
      const registered = await server.cli(['app', 'register', '--practice', server.default.practiceId, '--name', name, '--redirect-uri', REDIRECT, '--scopes', scopes, '--jwks-file', file, '--json']);
      expect(registered.code, registered.stderr).toBe(0);
      return JSON.parse(registered.stdout.trim().split('\n').at(-1)!);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('sign-in, consent, code, token, FHIR read, refresh', async () => {
    const practice = server.default.practiceId;
    const cli = async (args: string[]) => {
      const res = await server.cli(args);
      expect(res.code, res.stderr).toBe(0);
      return JSON.parse(res.stdout.trim().split('\n').at(-1)!);
    };
    const weak = await server.cli(['user', 'create', '--practice', practice, '--role', 'physician', '--email', 'weak@example.org', '--password', 'password1234']);
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/too easy to guess/);
    const user = await cli(['user', 'create', '--practice', practice, '--role', 'physician', '--email', 'House@Example.org', '--password', PASSWORD, '--fhir-user', 'Practitioner/p-77', '--json']);
    const app = await cli(['app', 'register', '--practice', practice, '--name', 'Chart App', '--redirect-uri', REDIRECT, '--scopes', 'openid fhirUser offline_access user/Patient.rs', '--json']);
    expect(app.client_secret).toEqual(expect.any(String));

    const created = await server.default.fhir('POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family: 'Okafor' }] } });
    expect(created.status).toBe(201);

    const discovery = await http('GET', `${server.origin}/.well-known/smart-configuration`);
    const smart = JSON.parse(discovery.text);
    expect(smart.authorization_endpoint).toBe(`${server.origin}/oauth2/authorize`);
    expect(smart.code_challenge_methods_supported).toEqual(['S256']);

    const { verifier, challenge } = pkce();
    const url = authorizeUrl(server.origin, { clientId: app.client_id, redirectUri: REDIRECT, scope: 'openid fhirUser offline_access user/Patient.rs', aud: server.fhirBase, challenge, method: 'S256', state: 'e2e', nonce: 'n-e2e' });
    const { redirect } = await signInAndConsent(http, server.origin, url, { email: 'house@example.org', password: PASSWORD });
    expect(redirect.origin + redirect.pathname).toBe(REDIRECT);
    expect(redirect.searchParams.get('state')).toBe('e2e');

    const basic = `Basic ${Buffer.from(`${app.client_id}:${app.client_secret}`).toString('base64')}`;
    const tokenCall = (form: Record<string, string>) =>
      http('POST', `${server.origin}/oauth2/token`, { headers: { authorization: basic }, form: new URLSearchParams(form) });
    const exchanged = await tokenCall({ grant_type: 'authorization_code', code: redirect.searchParams.get('code')!, code_verifier: verifier, redirect_uri: REDIRECT });
    expect(exchanged.status, exchanged.text).toBe(200);
    expect(exchanged.headers['cache-control']).toBe('no-store');
    const body = JSON.parse(exchanged.text);
    expect(decodeJwt(body.access_token)).toMatchObject({ sub: user.id, role: 'physician', fhirUser: 'Practitioner/p-77', client_id: app.client_id });
    expect(decodeJwt(body.id_token)).toMatchObject({ sub: user.id, aud: app.client_id, nonce: 'n-e2e' });

    const read = await server.default.fhir('GET', `Patient/${created.body.id}`, { token: body.access_token });
    expect(read.status, read.text).toBe(200);
    expect(read.body.name[0].family).toBe('Okafor');

    const refreshed = await tokenCall({ grant_type: 'refresh_token', refresh_token: body.refresh_token });
    expect(refreshed.status, refreshed.text).toBe(200);
    const again = JSON.parse(refreshed.text);
    expect((await server.default.fhir('GET', `Patient/${created.body.id}`, { token: again.access_token })).status).toBe(200);
    // The old refresh token is spent; replaying it ends the whole grant.
    expect(JSON.parse((await tokenCall({ grant_type: 'refresh_token', refresh_token: body.refresh_token })).text).error).toBe('invalid_grant');
    expect(JSON.parse((await tokenCall({ grant_type: 'refresh_token', refresh_token: again.refresh_token })).text).error).toBe('invalid_grant');
  }, 120_000);

  it('an asymmetric confidential app (client-confidential-asymmetric): registered with --jwks-file, code + PKCE and refresh with private_key_jwt', async () => {
    const practice = server.default.practiceId;
    const key = await clientKey('ES384', 'planner-1');
    const app = await registerKeyApp('Care Planner', 'openid fhirUser offline_access user/Patient.rs', key.jwk);
    expect(app.client_secret).toBeUndefined();
    const email = `keys-${kind}@example.org`;
    expect((await server.cli(['user', 'create', '--practice', practice, '--role', 'physician', '--email', email, '--password', PASSWORD, '--fhir-user', 'Practitioner/keys'])).code).toBe(0);
    const created = await server.default.fhir('POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family: 'Haddad' }] } });
    expect(created.status).toBe(201);

    const smartConfiguration = JSON.parse((await http('GET', `${server.origin}/.well-known/smart-configuration`)).text);
    expect(smartConfiguration.capabilities).toContain('client-confidential-asymmetric');
    expect(smartConfiguration.token_endpoint_auth_methods_supported).toContain('private_key_jwt');
    expect(smartConfiguration.token_endpoint_auth_signing_alg_values_supported).toEqual(expect.arrayContaining(['RS384', 'ES384']));
    const tokenUrl: string = smartConfiguration.token_endpoint;

    const { verifier, challenge } = pkce();
    const url = authorizeUrl(server.origin, { clientId: app.client_id, redirectUri: REDIRECT, scope: 'openid fhirUser offline_access user/Patient.rs', aud: server.fhirBase, challenge, method: 'S256' });
    const { redirect } = await signInAndConsent(http, server.origin, url, { email, password: PASSWORD });
    const code = redirect.searchParams.get('code')!;
    const tokenCall = async (form: Record<string, string>, headers: Record<string, string> = {}) => {
      const res = await http('POST', tokenUrl, { headers, form: new URLSearchParams(form) });
      return { status: res.status, body: JSON.parse(res.text) as Record<string, string> };
    };
    const withAssertion = async (jti: string = randomUUID()) => ({
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await signAssertion(app.client_id, tokenUrl, key, { jti }),
    });
    const exchange = { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT };

    // A guessed secret is not how this app authenticates; refused, and the code is not spent.
    const withSecret = await tokenCall(exchange, { authorization: `Basic ${Buffer.from(`${app.client_id}:guess`).toString('base64')}` });
    expect([withSecret.status, withSecret.body.error]).toEqual([401, 'invalid_client']);
    const jti = randomUUID();
    const exchanged = await tokenCall({ ...exchange, ...(await withAssertion(jti)) });
    expect(exchanged.status, JSON.stringify(exchanged.body)).toBe(200);
    expect(decodeJwt(exchanged.body.access_token)).toMatchObject({ client_id: app.client_id, role: 'physician', fhirUser: 'Practitioner/keys' });
    const read = await server.default.fhir('GET', `Patient/${created.body.id}`, { token: exchanged.body.access_token });
    expect(read.status, read.text).toBe(200);

    const refresh = { grant_type: 'refresh_token', refresh_token: exchanged.body.refresh_token };
    // The assertion of the exchange cannot be replayed (its jti is spent).
    const replayed = await tokenCall({ ...refresh, ...(await withAssertion(jti)) });
    expect([replayed.status, replayed.body.error]).toEqual([401, 'invalid_client']);
    const refreshed = await tokenCall({ ...refresh, ...(await withAssertion()) });
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    expect((await server.default.fhir('GET', `Patient/${created.body.id}`, { token: refreshed.body.access_token })).status).toBe(200);
  }, 120_000);

  it('fhirclient with a private JWK (its asymmetric client authentication) exchanges the code with Heron', async () => {
    const practice = server.default.practiceId;
    const key = await clientKey('RS384', 'fc-1');
    const app = await registerKeyApp('fhirclient keys', 'openid fhirUser user/Patient.rs', key.jwk);
    const email = `fc-keys-${kind}@example.org`;
    expect((await server.cli(['user', 'create', '--practice', practice, '--role', 'physician', '--email', email, '--password', PASSWORD, '--fhir-user', 'Practitioner/fck'])).code).toBe(0);
    const created = await server.default.fhir('POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family: 'Novak' }] } });

    const { storage, req, res } = appServer();
    const url = await smart(req('/launch'), res, storage).authorize({
      iss: server.fhirBase,
      clientId: app.client_id,
      clientPrivateJwk: { ...(await exportJWK(key.privateKey)), kid: 'fc-1', alg: 'RS384' },
      scope: 'openid fhirUser user/Patient.rs',
      redirectUri: REDIRECT,
      pkceMode: 'required',
      noRedirect: true,
    });
    const { redirect } = await signInAndConsent(http, server.origin, String(url), { email, password: PASSWORD });
    const client = await smart(req(redirect.pathname + redirect.search), res, storage).ready();
    expect(client.getUserId()).toBe('fck');
    expect((await client.request(`Patient/${created.body.id}`)).id).toBe(created.body.id);
  }, 120_000);

  it('the fhirclient library (SMART JS client, Node adapter) launches, reads and refreshes', async () => {
    const practice = server.default.practiceId;
    const app = JSON.parse((await server.cli(['app', 'register', '--practice', practice, '--name', 'fhirclient', '--redirect-uri', REDIRECT, '--scopes', 'openid fhirUser offline_access user/Patient.rs', '--json'])).stdout.trim().split('\n').at(-1)!);
    const email = `lib-${kind}@example.org`;
    expect((await server.cli(['user', 'create', '--practice', practice, '--role', 'physician', '--email', email, '--password', PASSWORD, '--fhir-user', 'Practitioner/lib'])).code).toBe(0);
    const created = await server.default.fhir('POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family: 'Lindqvist' }] } });

    // The app is a Node server at localhost:4567; fhirclient keeps its state in this storage.
    const { storage, req, res } = appServer();
    const url = await smart(req('/launch'), res, storage).authorize({
      iss: server.fhirBase,
      clientId: app.client_id,
      clientSecret: app.client_secret,
      scope: 'openid fhirUser offline_access user/Patient.rs',
      redirectUri: REDIRECT,
      pkceMode: 'required',
      noRedirect: true,
    });
    expect(String(url)).toMatch(/code_challenge_method=S256/);
    const { redirect } = await signInAndConsent(http, server.origin, String(url), { email, password: PASSWORD });
    const client = await smart(req(redirect.pathname + redirect.search), res, storage).ready();
    expect(client.getUserId()).toBe('lib');
    expect((await client.request(`Patient/${created.body.id}`)).id).toBe(created.body.id);
    const before = client.state.tokenResponse?.access_token;
    await client.refresh();
    expect(client.state.tokenResponse?.access_token).not.toBe(before);
    expect((await client.request(`Patient/${created.body.id}`)).id).toBe(created.body.id);
  }, 120_000);

  it('EHR launch: a staff user launches an app for a patient and encounter; fhirclient gets both and reads them', async () => {
    const practice = server.default.practiceId;
    const register = async (name: string, scopes: string) =>
      JSON.parse((await server.cli(['app', 'register', '--practice', practice, '--name', name, '--redirect-uri', REDIRECT, '--scopes', scopes, '--json'])).stdout.trim().split('\n').at(-1)!) as { client_id: string; client_secret: string };
    const ehr = await register('EHR web app', 'openid fhirUser user/*.rs');
    const app = await register('Growth Chart', 'launch launch/patient openid fhirUser patient/*.rs');
    const email = `ehr-${kind}@example.org`;
    expect((await server.cli(['user', 'create', '--practice', practice, '--role', 'physician', '--email', email, '--password', PASSWORD, '--fhir-user', 'Practitioner/ehr'])).code).toBe(0);
    const patient = await server.default.fhir('POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family: 'Achebe' }] } });
    const other = await server.default.fhir('POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family: 'Brandt' }] } });
    const encounter = await server.default.fhir('POST', 'Encounter', { body: { resourceType: 'Encounter', status: 'in-progress', class: { code: 'AMB' }, subject: { reference: `Patient/${patient.body.id}` } } });
    expect([patient.status, other.status, encounter.status]).toEqual([201, 201, 201]);

    // The EHR's own session for the physician, then the launch context for the chart being viewed.
    const { verifier, challenge } = pkce();
    const signIn = await signInAndConsent(http, server.origin, authorizeUrl(server.origin, { clientId: ehr.client_id, redirectUri: REDIRECT, scope: 'user/*.rs', aud: server.fhirBase, challenge, method: 'S256' }), { email, password: PASSWORD });
    const ehrTokens = await http('POST', `${server.origin}/oauth2/token`, {
      headers: { authorization: `Basic ${Buffer.from(`${ehr.client_id}:${ehr.client_secret}`).toString('base64')}` },
      form: new URLSearchParams({ grant_type: 'authorization_code', code: signIn.redirect.searchParams.get('code')!, code_verifier: verifier, redirect_uri: REDIRECT }),
    });
    expect(ehrTokens.status, ehrTokens.text).toBe(200);
    const launched = await fetch(`${server.origin}/oauth2/launch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${JSON.parse(ehrTokens.text).access_token}` },
      body: JSON.stringify({ client_id: app.client_id, patient: patient.body.id, encounter: encounter.body.id }),
    });
    const launch = (await launched.json()) as { launch: string; iss: string; expires_in: number };
    expect(launched.status, JSON.stringify(launch)).toBe(200);
    expect(launch.iss).toBe(server.fhirBase);

    // The EHR opens the app's launch URL; the app hands `launch` and `iss` to fhirclient.
    const { storage, req, res } = appServer();
    const launchUrl = `/launch?${new URLSearchParams({ launch: launch.launch, iss: launch.iss })}`;
    const url = String(
      await smart(req(launchUrl), res, storage).authorize({
        clientId: app.client_id,
        clientSecret: app.client_secret,
        scope: 'launch launch/patient openid fhirUser patient/*.rs',
        redirectUri: REDIRECT,
        pkceMode: 'required',
        noRedirect: true,
      }),
    );
    const asked = new URL(url).searchParams;
    expect(asked.get('launch')).toBe(launch.launch);
    expect(asked.get('aud')).toBe(server.fhirBase);
    const { redirect, consentPage } = await signInAndConsent(http, server.origin, url, { email, password: PASSWORD });
    expect(consentPage).toContain(`Patient/${patient.body.id}`);
    const client = await smart(req(redirect.pathname + redirect.search), res, storage).ready();

    expect(client.patient.id).toBe(patient.body.id);
    expect(client.encounter.id).toBe(encounter.body.id);
    expect(client.getUserId()).toBe('ehr');
    const read = await client.patient.read();
    expect(read).toMatchObject({ resourceType: 'Patient', id: patient.body.id, name: [{ family: 'Achebe' }] });
    expect(await client.encounter.read()).toMatchObject({ resourceType: 'Encounter', id: encounter.body.id, subject: { reference: `Patient/${patient.body.id}` } });
    // The token is bound to the launched patient: another patient's record is not there for it.
    await expect(client.request(`Patient/${other.body.id}`)).rejects.toThrow(/404/);
    // A launch works once.
    const again = await http('GET', url);
    expect(again.status).toBe(303);
    expect(new URL(again.headers.location).searchParams.get('error')).toBe('invalid_request');
  }, 120_000);
});
