/**
 * SMART "client-confidential-asymmetric": an app people sign in to, registered with public keys
 * (inline or a JWKS URL), authenticates with `private_key_jwt` at the token endpoint — code
 * exchange with PKCE, refresh, introspection and revocation — through the whole app on SQLite and
 * PostgreSQL. The assertion rules are those of backend services (one verification for both); each
 * forged assertion is refused at the code exchange without spending the code, and each client has
 * exactly one way to authenticate: no secret for a key app, no assertion for a secret or public app.
 * @see https://hl7.org/fhir/smart-app-launch/client-confidential-asymmetric.html
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerApp } from '../../domain/clients/register-app.ts';
import { createUser } from '../../domain/users/create-user.ts';
import { BASE, ORIGIN, startTestApp, type TestApp } from '../test-app.ts';
import { JWT_BEARER_ASSERTION } from './client-assertion.ts';
import { clientKey, FORGED_ASSERTIONS, signAssertion, type AssertionOptions, type ClientKey } from './test-assertion.ts';
import { authorizeUrl, injectHttp, pkce, signInAndConsent, type Http } from './test-flow.ts';

const PASSWORD = 'Copper-Lantern-Orchard-58';
const REDIRECT = 'https://keys-app.example.org/callback';
const TOKEN_URL = `${ORIGIN}/oauth2/token`;
const SCOPES = 'openid fhirUser offline_access user/Patient.rs';

/** A listener that counts connections: where a forged `jku` points. Nothing may reach it. */
async function listen(body: () => object): Promise<{ server: Server; url: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=60' });
    res.end(JSON.stringify(body()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`, hits: () => hits };
}

describe.each(['sqlite', 'postgres'] as const)('asymmetric confidential apps (%s)', (kind) => {
  let t: TestApp;
  let http: Http;
  let rsa: ClientKey;
  let ec: ClientKey;
  let jwksHost: Awaited<ReturnType<typeof listen>>;
  let attacker: Awaited<ReturnType<typeof listen>>;
  let patientId: string;
  let ip = 0;

  beforeAll(async () => {
    t = await startTestApp({ kind });
    http = injectHttp(t.app);
    rsa = await clientKey('RS384', 'rsa-1');
    ec = await clientKey('ES384', 'ec-1');
    jwksHost = await listen(() => ({ keys: [ec.jwk] }));
    attacker = await listen(() => ({ keys: [rsa.jwk] }));
    await createUser(t.store, { practiceId: t.practiceId, role: 'physician', email: 'dr.keys@example.org', password: PASSWORD, fhirUser: 'Practitioner/keys' });
    const created = await t.fhir('POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family: 'Mbeki' }] } });
    expect(created.status, created.text).toBe(201);
    patientId = created.body.id;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    for (const listener of [jwksHost, attacker]) await new Promise((resolve) => listener?.server.close(resolve));
  });

  /** A new app: registered with the RSA key inline by default, or `{ jwksUrl }`, or with a secret or none. */
  const newApp = (keys: { jwks?: string; jwksUrl?: string; public?: boolean } = { jwks: JSON.stringify({ keys: [rsa.jwk] }) }) =>
    registerApp(t.store, { practiceId: t.practiceId, name: 'Key app', redirectUris: [REDIRECT], public: keys.public === true, scopes: SCOPES, ...(keys.jwks ? { jwks: keys.jwks } : {}), ...(keys.jwksUrl ? { jwksUrl: keys.jwksUrl } : {}) });

  async function codeFor(clientId: string) {
    const { verifier, challenge } = pkce();
    const url = authorizeUrl(ORIGIN, { clientId, redirectUri: REDIRECT, scope: SCOPES, aud: BASE, challenge, method: 'S256', state: 'k' });
    const { redirect } = await signInAndConsent(http, ORIGIN, url, { email: 'dr.keys@example.org', password: PASSWORD });
    return { code: redirect.searchParams.get('code')!, verifier };
  }

  /** A POST to an OAuth endpoint from a fresh address (the per-address failure limit stays out of the way). */
  async function post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    const res = await t.app.inject({
      method: 'POST',
      url: `${ORIGIN}${path}`,
      remoteAddress: `10.9.0.${(ip++ % 250) + 1}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: new URLSearchParams(fields).toString(),
    });
    return { status: res.statusCode, body: JSON.parse(res.body || '{}') as Record<string, unknown & string> };
  }

  const asserted = (clientAssertion: string) => ({ client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: clientAssertion });
  const assertion = (clientId: string, o: AssertionOptions = {}, key: ClientKey = rsa) => signAssertion(clientId, TOKEN_URL, key, o);
  const exchangeFields = (c: { code: string; verifier: string }) => ({ grant_type: 'authorization_code', code: c.code, code_verifier: c.verifier, redirect_uri: REDIRECT });

  it('exchanges the code with an RS384 assertion, reads FHIR, refreshes, introspects and revokes with assertions', async () => {
    const { clientId, clientSecret } = await newApp();
    expect(clientSecret).toBeUndefined();
    const exchanged = await post('/oauth2/token', { ...exchangeFields(await codeFor(clientId)), ...asserted(await assertion(clientId)) });
    expect(exchanged.status, JSON.stringify(exchanged.body)).toBe(200);
    expect(exchanged.body).toMatchObject({ token_type: 'Bearer', scope: SCOPES, refresh_token: expect.any(String), id_token: expect.any(String) });
    expect(decodeJwt(exchanged.body.access_token)).toMatchObject({ client_id: clientId, role: 'physician', fhirUser: 'Practitioner/keys' });
    expect(decodeJwt(exchanged.body.id_token)).toMatchObject({ aud: clientId });
    expect((await t.fhir('GET', `Patient/${patientId}`, { token: exchanged.body.access_token })).status).toBe(200);

    const refreshed = await post('/oauth2/token', { grant_type: 'refresh_token', refresh_token: exchanged.body.refresh_token, ...asserted(await assertion(clientId)) });
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(exchanged.body.refresh_token);
    expect((await t.fhir('GET', `Patient/${patientId}`, { token: refreshed.body.access_token })).status).toBe(200);

    const introspected = await post('/oauth2/introspect', { token: refreshed.body.access_token, ...asserted(await assertion(clientId)) });
    expect(introspected.status, JSON.stringify(introspected.body)).toBe(200);
    expect(introspected.body).toMatchObject({ active: true, client_id: clientId, role: 'physician' });

    const revoked = await post('/oauth2/revoke', { token: refreshed.body.refresh_token, ...asserted(await assertion(clientId)) });
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    // The FHIR API may trust a token it has cached for up to a minute; introspection checks afresh.
    const ended = await post('/oauth2/introspect', { token: refreshed.body.access_token, ...asserted(await assertion(clientId)) });
    expect(ended.body).toEqual({ active: false });
    const after = await post('/oauth2/token', { grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token, ...asserted(await assertion(clientId)) });
    expect(after.body.error).toBe('invalid_grant');
  });

  it('an app whose keys are at a JWKS URL signs with ES384; a jku naming that URL is accepted', async () => {
    const { clientId } = await newApp({ jwksUrl: jwksHost.url });
    const first = await post('/oauth2/token', { ...exchangeFields(await codeFor(clientId)), ...asserted(await assertion(clientId, {}, ec)) });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const refreshed = await post('/oauth2/token', { grant_type: 'refresh_token', refresh_token: first.body.refresh_token, ...asserted(await assertion(clientId, { jku: jwksHost.url }, ec)) });
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    expect(jwksHost.hits()).toBeGreaterThan(0);
  });

  describe('a refused assertion does not spend the code: the same code then works with a good one', () => {
    async function refusedThenAccepted(clientId: string, bad: Record<string, string>, headers: Record<string, string> = {}, good: () => Promise<string> = () => assertion(clientId)) {
      const c = await codeFor(clientId);
      const refused = await post('/oauth2/token', { ...exchangeFields(c), ...bad }, headers);
      const accepted = await post('/oauth2/token', { ...exchangeFields(c), ...asserted(await good()) });
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
      return refused;
    }

    it.each(FORGED_ASSERTIONS)('%s → 401 invalid_client', async (_name, forge) => {
      const { clientId } = await newApp();
      const refused = await refusedThenAccepted(clientId, asserted(await forge(clientId, TOKEN_URL, rsa)));
      expect(refused.status, JSON.stringify(refused.body)).toBe(401);
      expect(refused.body.error).toBe('invalid_client');
    });

    it('a jti already used (by this client, for another request) → 401 invalid_client', async () => {
      const { clientId } = await newApp();
      const jti = randomUUID();
      const first = await post('/oauth2/token', { ...exchangeFields(await codeFor(clientId)), ...asserted(await assertion(clientId, { jti })) });
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      const reused = await refusedThenAccepted(clientId, asserted(await assertion(clientId, { jti })));
      expect(reused.status).toBe(401);
      expect(reused.body.error).toBe('invalid_client');
    });

    it('a jku other than the registered URL → 401, and the named host is never contacted', async () => {
      const inline = await newApp();
      const byUrl = await newApp({ jwksUrl: jwksHost.url });
      const forInline = await refusedThenAccepted(inline.clientId, asserted(await assertion(inline.clientId, { jku: attacker.url })));
      const forUrl = await refusedThenAccepted(byUrl.clientId, asserted(await assertion(byUrl.clientId, { jku: attacker.url }, ec)), {}, () => assertion(byUrl.clientId, {}, ec));
      expect([forInline.status, forUrl.status]).toEqual([401, 401]);
      expect(attacker.hits()).toBe(0);
    });

    it('a secret sent for a key app → 401: it has none (Basic, post, empty)', async () => {
      const { clientId } = await newApp();
      const basic = (secret: string) => ({ authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` });
      for (const [fields, headers] of [
        [{}, basic('guess')],
        [{}, basic('')],
        [{ client_id: clientId, client_secret: 'guess' }, {}],
      ] as [Record<string, string>, Record<string, string>][]) {
        const refused = await refusedThenAccepted(clientId, fields, headers);
        expect(refused.status).toBe(401);
        expect(refused.body.error).toBe('invalid_client');
      }
    });

    it('a key app sending only its client_id, as a public app would → 401', async () => {
      const { clientId } = await newApp();
      const refused = await refusedThenAccepted(clientId, { client_id: clientId });
      expect(refused.status).toBe(401);
      expect(refused.body.error).toBe('invalid_client');
    });

    it('an assertion and a secret together → 400 invalid_request', async () => {
      const { clientId } = await newApp();
      const refused = await refusedThenAccepted(clientId, { ...asserted(await assertion(clientId)), client_secret: 'x' });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe('invalid_request');
    });
  });

  it('a secret app and a public app cannot authenticate with an assertion, even one signed with a real key', async () => {
    for (const registration of [{}, { public: true }]) {
      const app = await newApp(registration);
      expect(app.clientSecret === undefined).toBe(registration.public === true);
      const c = await codeFor(app.clientId);
      const refused = await post('/oauth2/token', { ...exchangeFields(c), ...asserted(await assertion(app.clientId)) });
      expect(refused.status, JSON.stringify(refused.body)).toBe(401);
      expect(refused.body.error).toBe('invalid_client');
    }
  });

  it('a refresh needs a fresh assertion too: none, another client’s, or a secret → refused', async () => {
    const { clientId } = await newApp();
    const other = await newApp();
    const first = await post('/oauth2/token', { ...exchangeFields(await codeFor(clientId)), ...asserted(await assertion(clientId)) });
    expect(first.status).toBe(200);
    const refresh = { grant_type: 'refresh_token', refresh_token: first.body.refresh_token };
    expect((await post('/oauth2/token', { ...refresh, client_id: clientId })).status).toBe(401);
    expect((await post('/oauth2/token', { ...refresh, client_id: clientId, client_secret: 'x' })).status).toBe(401);
    // Another client with valid credentials of its own cannot use this client's refresh token.
    expect((await post('/oauth2/token', { ...refresh, ...asserted(await assertion(other.clientId)) })).body.error).toBe('invalid_grant');
  });

  it('is listed in the SMART configuration and the CapabilityStatement', async () => {
    const conf = (await t.app.inject({ method: 'GET', url: `${ORIGIN}/.well-known/smart-configuration` })).json();
    expect(conf.capabilities).toContain('client-confidential-asymmetric');
    expect(conf.token_endpoint_auth_methods_supported).toContain('private_key_jwt');
    expect(conf.token_endpoint_auth_signing_alg_values_supported).toEqual(expect.arrayContaining(['RS384', 'ES384']));
    const metadata = await t.fhir('GET', 'metadata', { token: null });
    expect(metadata.body.rest[0].security.description).toMatch(/private_key_jwt/);
  });
});
