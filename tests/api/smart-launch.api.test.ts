/**
 * The SMART standalone launch end to end against the real `heron serve`, on both stores: the
 * operator creates a user and registers an app with the CLI; the "browser" follows the flow
 * (authorize → sign-in form → consent form → redirect with code); the app exchanges the code,
 * reads a Patient with the user's access token, and refreshes.
 * @see https://hl7.org/fhir/smart-app-launch/app-launch.html
 */
import { createRequire } from 'node:module';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { authorizeUrl, pkce, signInAndConsent, type Http } from '../../src/api/auth/test-flow.ts';
import { HeronServer, STORE_KINDS } from '../fixtures/heron-server.ts';
import { useHeronServer } from '../fixtures/use-heron-server.ts';

const PASSWORD = 'Quiet-Meadow-Compass-77';
// fhirclient's Node entry is CommonJS.
const smart = createRequire(import.meta.url)('fhirclient') as (req: unknown, res: unknown, storage: unknown) => {
  authorize(o: Record<string, unknown>): Promise<string | void>;
  ready(): Promise<{ request(path: string): Promise<{ id: string }>; refresh(): Promise<unknown>; getPatientId(): string | null; getUserId(): string | null; state: { tokenResponse?: Record<string, unknown> } }>;
};
const REDIRECT = 'http://localhost:4567/callback';

const http: Http = async (method, url, o = {}) => {
  const res = await fetch(url, {
    method,
    redirect: 'manual',
    headers: { ...o.headers, ...(o.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(o.form ? { body: o.form.toString() } : {}),
  });
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => (headers[k] = v));
  return { status: res.status, headers, text: await res.text() };
};

describe.each(STORE_KINDS)('SMART standalone launch (%s)', (kind) => {
  let server: HeronServer;
  useHeronServer(kind, (started) => {
    server = started;
  });

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

  it('the fhirclient library (SMART JS client, Node adapter) launches, reads and refreshes', async () => {
    const practice = server.default.practiceId;
    const app = JSON.parse((await server.cli(['app', 'register', '--practice', practice, '--name', 'fhirclient', '--redirect-uri', REDIRECT, '--scopes', 'openid fhirUser offline_access user/Patient.rs', '--json'])).stdout.trim().split('\n').at(-1)!);
    const email = `lib-${kind}@example.org`;
    expect((await server.cli(['user', 'create', '--practice', practice, '--role', 'physician', '--email', email, '--password', PASSWORD, '--fhir-user', 'Practitioner/lib'])).code).toBe(0);
    const created = await server.default.fhir('POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family: 'Lindqvist' }] } });

    // The app is a Node server at localhost:4567; fhirclient keeps its state in this storage.
    const saved = new Map<string, unknown>();
    const storage = { get: async (k: string) => saved.get(k), set: async (k: string, v: unknown) => void saved.set(k, v), unset: async (k: string) => saved.delete(k) };
    const req = (url: string) => ({ url, headers: { host: 'localhost:4567' }, socket: {} });
    const res = { writeHead() {}, end() {} };
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
});
