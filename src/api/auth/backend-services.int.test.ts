/**
 * SMART Backend Services with asymmetric client authentication (`private_key_jwt`) through the
 * whole app on SQLite and PostgreSQL: a client registered with its public key (inline, or a JWKS
 * URL served here on loopback) signs an assertion, gets a token and reads FHIR with it; and every
 * bad assertion of the security brief's table (AUT-SYS-3/7) is 401 invalid_client.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSign, generateKeyPairSync, KeyObject, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerKeyClient } from '../../domain/clients/register-client.ts';
import { ORIGIN, startTestApp, type TestApp } from '../test-app.ts';
import { JWT_BEARER_ASSERTION } from './client-assertion.ts';
import { cacheSeconds, createJwksFetcher } from './jwks-fetch.ts';

const TOKEN_URL = `${ORIGIN}/oauth2/token`;
describe.each(['sqlite', 'postgres'] as const)('backend services (%s)', (kind) => {
  let t: TestApp;
  let rsa: { privateKey: CryptoKey; jwk: JWK };
  let ec: { privateKey: CryptoKey; jwk: JWK };
  let jwksServer: Server;
  let jwksUrl: string;
  let jwksHits = 0;
  let ip = 0;

  async function keyPair(alg: string, kid: string) {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg } };
  }

  beforeAll(async () => {
    t = await startTestApp({ kind });
    rsa = await keyPair('RS384', 'rsa-1');
    ec = await keyPair('ES384', 'ec-1');
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

  interface AssertionOptions {
    alg?: string;
    kid?: string;
    typ?: string;
    iss?: string;
    sub?: string;
    aud?: string;
    exp?: number;
    jti?: string;
    key?: CryptoKey | Uint8Array;
  }

  function assertion(clientId: string, o: AssertionOptions = {}, key: CryptoKey | Uint8Array = rsa.privateKey): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: o.alg ?? 'RS384', kid: o.kid ?? 'rsa-1', typ: o.typ ?? 'JWT' })
      .setIssuer(o.iss ?? clientId)
      .setSubject(o.sub ?? clientId)
      .setAudience(o.aud ?? TOKEN_URL)
      .setExpirationTime(o.exp ?? now + 240)
      .setJti(o.jti ?? randomUUID())
      .sign(o.key ?? key);
  }

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
        const res = await tokenWith(await assertion(clientId, { alg: 'ES384', kid: 'ec-1' }, ec.privateKey));
        expect(res.status, JSON.stringify(res.body)).toBe(200);
      }
      expect(jwksHits - before).toBe(1);
      // A kid the cached set lacks makes one fresh fetch, then fails.
      const unknown = await tokenWith(await assertion(clientId, { alg: 'ES384', kid: 'ec-2' }, ec.privateKey));
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

    const now = () => Math.floor(Date.now() / 1000);
    const claimsFor = (id: string) => ({ iss: id, sub: id, aud: TOKEN_URL, exp: now() + 60, jti: randomUUID() });
    /** A JWS signed outside jose, which would refuse the mismatched algorithm itself. */
    const rawSigned = (header: object, claims: object, hash: string) => {
      const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
      const signature = createSign(hash).update(input).sign(KeyObject.from(rsa.privateKey)).toString('base64url');
      return `${input}.${signature}`;
    };
    const bad: [string, (clientId: string) => Promise<string>][] = [
      ['alg not on the allowlist (RS512)', async (id) => rawSigned({ alg: 'RS512', kid: 'rsa-1', typ: 'JWT' }, claimsFor(id), 'sha512')],
      ['alg none', async (id) => new UnsecuredJWT({ jti: randomUUID() }).setIssuer(id).setSubject(id).setAudience(TOKEN_URL).setExpirationTime(now() + 60).encode()],
      [
        'HS256 with the public key as the secret',
        async (id) => assertion(id, { alg: 'HS256', key: new TextEncoder().encode(JSON.stringify(rsa.jwk)) }),
      ],
      ['wrong aud', (id) => assertion(id, { aud: `${ORIGIN}/fhir/R4` })],
      ['expired', (id) => assertion(id, { exp: now() - 60 })],
      ['exp more than 5 minutes ahead', (id) => assertion(id, { exp: now() + 900 })],
      ['unknown kid', (id) => assertion(id, { kid: 'rsa-2' })],
      ['wrong iss', (id) => assertion(id, { iss: 'someone-else' })],
      ['sub differs from iss', (id) => assertion(id, { sub: 'someone-else' })],
      ['typ not JWT', (id) => assertion(id, { typ: 'at+jwt' })],
      ['signed with another key', async (id) => assertion(id, {}, (await generateKeyPair('RS384')).privateKey)],
      ['not a JWT', async () => 'not.a.jwt'],
    ];
    it.each(bad)('%s → 401 invalid_client', async (_name, make) => {
      const { clientId } = await inlineClient();
      const res = await tokenWith(await make(clientId));
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
