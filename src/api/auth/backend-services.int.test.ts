/**
 * SMART Backend Services with asymmetric client authentication (`private_key_jwt`) through the
 * whole app on SQLite and PostgreSQL: a client registered with its public key (inline, or a JWKS
 * URL served here on loopback) signs an assertion, gets a token and reads FHIR with it; and every
 * bad assertion of the security brief's table (AUT-SYS-3/7) is 401 invalid_client.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerKeyClient } from '../../domain/clients/register-client.ts';
import { ORIGIN, startTestApp, type TestApp } from '../test-app.ts';
import { JWT_BEARER_ASSERTION } from './client-assertion.ts';
import { cacheSeconds, createJwksFetcher } from './jwks-fetch.ts';
import { clientKey, FORGED_ASSERTIONS, signAssertion, type AssertionOptions, type ClientKey } from './test-assertion.ts';

const TOKEN_URL = `${ORIGIN}/oauth2/token`;
describe.each(['sqlite', 'postgres'] as const)('backend services (%s)', (kind) => {
  let t: TestApp;
  let rsa: ClientKey;
  let ec: ClientKey;
  let jwksServer: Server;
  let jwksUrl: string;
  let jwksHits = 0;
  let ip = 0;

  beforeAll(async () => {
    t = await startTestApp({ kind });
    rsa = await clientKey('RS384', 'rsa-1');
    ec = await clientKey('ES384', 'ec-1');
    jwksServer = createServer((_req, res) => {
      jwksHits++;
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=60' });
      res.end(JSON.stringify({ keys: [ec.jwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await new Promise((resolve) => jwksServer?.close(resolve));
  });

  const inlineClient = (scopes = 'system/Patient.rs') => registerKeyClient(t.store, { practiceId: t.practiceId, scopes, jwks: JSON.stringify({ keys: [rsa.jwk] }) });

  const assertion = (clientId: string, o: AssertionOptions = {}, key: ClientKey = rsa) => signAssertion(clientId, TOKEN_URL, key, o);

  async function tokenWith(clientAssertion: string, extra: Record<string, string> = {}) {
    const res = await t.app.inject({
      method: 'POST',
      url: TOKEN_URL,
      remoteAddress: `10.0.0.${(ip++ % 250) + 1}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: clientAssertion, ...extra }).toString(),
    });
    return { status: res.statusCode, body: res.json() as Record<string, string>, headers: res.headers };
  }

  describe('private_key_jwt', () => {
    it('an RS384 assertion against an inline key gets a token that reads FHIR', async () => {
      const { clientId } = await inlineClient();
      const res = await tokenWith(await assertion(clientId));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toMatchObject({ token_type: 'Bearer', scope: 'system/Patient.rs' });
      const read = await t.fhir('GET', 'Patient', { token: res.body.access_token });
      expect(read.status, read.text).toBe(200);
      expect(read.body.resourceType).toBe('Bundle');
      // Granted scopes bound the token: Observation was never registered.
      expect((await t.fhir('GET', 'Observation', { token: res.body.access_token })).status).toBe(403);
    });

    it('an ES384 assertion against a JWKS URL, cached for its max-age', async () => {
      const { clientId } = await registerKeyClient(t.store, { practiceId: t.practiceId, scopes: 'system/*.rs', jwksUrl });
      const before = jwksHits;
      for (let i = 0; i < 2; i++) {
        const res = await tokenWith(await assertion(clientId, {}, ec));
        expect(res.status, JSON.stringify(res.body)).toBe(200);
      }
      expect(jwksHits - before).toBe(1);
      // A kid the cached set lacks makes one fresh fetch, then fails.
      const unknown = await tokenWith(await assertion(clientId, { kid: 'ec-2' }, ec));
      expect(unknown.status).toBe(401);
      expect(jwksHits - before).toBe(2);
    });

    it('grants the intersection of the requested and registered scopes', async () => {
      const { clientId } = await inlineClient('system/Patient.rs system/Observation.read');
      const res = await tokenWith(await assertion(clientId), { scope: 'system/Patient.rs system/Encounter.rs system/*.*' });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.scope).toBe('system/Patient.rs');
      const none = await tokenWith(await assertion(clientId), { scope: 'system/Encounter.rs' });
      expect(none.status).toBe(400);
      expect(none.body.error).toBe('invalid_scope');
    });

    it('refuses a reused jti', async () => {
      const { clientId } = await inlineClient();
      const signed = await assertion(clientId, { jti: 'once' });
      expect((await tokenWith(signed)).status).toBe(200);
      const again = await tokenWith(signed);
      expect(again.status).toBe(401);
      expect(again.body.error).toBe('invalid_client');
    });

    it.each(FORGED_ASSERTIONS)('%s → 401 invalid_client', async (_name, forge) => {
      const { clientId } = await inlineClient();
      const res = await tokenWith(await forge(clientId, TOKEN_URL, rsa));
      expect(res.status, JSON.stringify(res.body)).toBe(401);
      expect(res.body.error).toBe('invalid_client');
    });

    it('refuses a wrong assertion type, and a secret and an assertion together', async () => {
      const { clientId } = await inlineClient();
      expect((await tokenWith(await assertion(clientId), { client_assertion_type: 'urn:other' })).body.error).toBe('invalid_client');
      expect((await tokenWith(await assertion(clientId), { client_secret: 'x' })).body.error).toBe('invalid_request');
    });

    it('a key client has no secret that authenticates', async () => {
      const { clientId } = await inlineClient();
      const res = await t.app.inject({
        method: 'POST',
        url: TOKEN_URL,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: '' + 'x' }).toString(),
      });
      expect(res.statusCode).toBe(401);
    });

    it('advertises private_key_jwt and its algorithms', async () => {
      const conf = (await t.app.inject({ method: 'GET', url: `${ORIGIN}/.well-known/smart-configuration` })).json();
      expect(conf.token_endpoint_auth_methods_supported).toContain('private_key_jwt');
      expect(conf.token_endpoint_auth_signing_alg_values_supported).toEqual(expect.arrayContaining(['RS384', 'ES384']));
      expect(conf.token_endpoint_auth_signing_alg_values_supported).not.toContain('none');
    });
  });

  describe('client key registration and JWKS fetching', () => {
    it('refuses private keys, symmetric keys, short RSA keys and non-https URLs', async () => {
      const { privateKey } = await generateKeyPair('ES384', { extractable: true });
      const cases: Record<string, string>[] = [
        { jwks: JSON.stringify({ keys: [{ ...(await exportJWK(privateKey)), kid: 'p' }] }) },
        { jwks: JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'o' }] }) },
        { jwks: JSON.stringify({ keys: [{ ...generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' }), kid: 'short' }] }) },
        { jwks: JSON.stringify({ keys: [{ ...ec.jwk, kid: undefined }] }) },
        { jwksUrl: 'http://keys.example.org/jwks.json' },
        { jwksUrl: 'https://user:pw@keys.example.org/jwks.json' },
      ];
      for (const c of cases) {
        await expect(registerKeyClient(t.store, { practiceId: t.practiceId, scopes: 'system/*.rs', ...c }), JSON.stringify(c).slice(0, 80)).rejects.toMatchObject({ category: 'invalid' });
      }
    });

    it('caches no longer than max-age, not at all without it, and bounds size', async () => {
      expect(cacheSeconds('public, max-age=120')).toBe(120);
      expect(cacheSeconds('no-store, max-age=120')).toBe(0);
      expect(cacheSeconds(null)).toBe(0);
      let clock = 0;
      let calls = 0;
      let cacheControl: string | undefined = 'max-age=10';
      let body = JSON.stringify({ keys: [] });
      const fetcher = createJwksFetcher({
        now: () => clock,
        maxBytes: 1000,
        fetch: (async () => {
          calls++;
          return new Response(body, { headers: cacheControl ? { 'cache-control': cacheControl } : {} });
        }) as typeof fetch,
      });
      const url = 'https://keys.example.org/jwks.json';
      await fetcher.get(url);
      await fetcher.get(url);
      expect(calls).toBe(1);
      clock += 10_001;
      await fetcher.get(url);
      expect(calls).toBe(2);
      cacheControl = undefined;
      clock += 10_001;
      await fetcher.get(url);
      await fetcher.get(url);
      expect(calls).toBe(4);
      body = JSON.stringify({ keys: [], pad: 'x'.repeat(2000) });
      await expect(fetcher.get(url)).rejects.toThrow(/too large/);
      await expect(fetcher.get('http://keys.example.org/jwks.json')).rejects.toMatchObject({ category: 'invalid' });
    });
  });
});
