/**
 * OAuth: the token endpoint (client_credentials, both client authentication methods, RFC 6749
 * errors, scope narrowing, failure rate limit), discovery documents, and the bearer-token
 * authenticator (expired, forged, unsigned, foreign-key and misdirected tokens).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { SignJWT, UnsecuredJWT, decodeJwt, decodeProtectedHeader, generateKeyPair, jwtVerify, createLocalJWKSet, type CryptoKey } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerClient } from '../../domain/clients/register-client.ts';
import { FhirError } from '../../fhir/outcome.ts';
import type { FhirStore, OAuthClient, Practice } from '../../store/store.ts';
import { createAuthenticator } from './authenticate.ts';
import { signingKeysFor } from './keys.ts';
import { memoryRateLimits } from './failure-limiter.ts';
import { authRoutes } from './routes.ts';

const ROOT = 'https://ehr.example.org';
const FHIR_BASE = `${ROOT}/fhir/R4`;

type FakeStore = FhirStore & { practices: Map<string, Practice>; clients: Map<string, OAuthClient>; settings: Map<string, string> };

/** Only the admin half of the store matters here. */
function fakeStore(): FakeStore {
  const practices = new Map<string, Practice>([['p1', { id: 'p1', name: 'One', createdAt: new Date().toISOString() }]]);
  const clients = new Map<string, OAuthClient>();
  const settings = new Map<string, string>();
  return {
    practices,
    clients,
    settings,
    admin: {
      getPractice: async (id: string) => practices.get(id),
      createClient: async (c: OAuthClient) => void clients.set(c.clientId, c),
      getClient: async (id: string) => clients.get(id),
      // When an app last got a token (the admin screens' "last used"): not what these tests are about.
      noteClientUse: async () => {},
      getSetting: async (key: string) => settings.get(key),
      putSettingIfAbsent: async (key: string, value: string) => {
        if (!settings.has(key)) settings.set(key, value);
        return settings.get(key)!;
      },
      rateLimits: memoryRateLimits(),
    },
  } as unknown as FakeStore;
}

const basic = (id: string, secret: string) => 'Basic ' + Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');
const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' };

describe('OAuth token endpoint and authenticator', () => {
  let store: FakeStore;
  let app: FastifyInstance;
  let client: { clientId: string; clientSecret: string };

  beforeEach(async () => {
    store = fakeStore();
    client = await registerClient(store, { practiceId: 'p1', scopes: 'system/*.read system/Patient.cruds' });
    app = Fastify();
    await app.register(authRoutes, { store, publicBaseUrl: ROOT, failureLimit: { maxFailures: 3 } });
    await app.ready();
  });
  afterEach(async () => {
    await app.close();
  });

  const tokenRequest = (payload: string | object, headers: Record<string, string> = FORM_TYPE) =>
    app.inject({ method: 'POST', url: '/oauth2/token', headers, payload: payload as string });

  it('issues an ES256 token with client_secret_basic', async () => {
    const res = await tokenRequest(form({ grant_type: 'client_credentials' }), { ...FORM_TYPE, authorization: basic(client.clientId, client.clientSecret) });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 600, scope: 'system/*.read system/Patient.cruds' });
    expect(decodeProtectedHeader(body.access_token)).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    const claims = decodeJwt(body.access_token);
    expect(claims).toMatchObject({ iss: ROOT, aud: FHIR_BASE, sub: client.clientId, client_id: client.clientId, tenant: 'p1', scope: body.scope });
    expect(claims.exp! - claims.iat!).toBe(600);
    expect(typeof claims.jti).toBe('string');

    // The published JWKS verifies it.
    const jwks = (await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
    expect(jwks.keys[0].d).toBeUndefined();
    await expect(jwtVerify(body.access_token, createLocalJWKSet(jwks))).resolves.toBeDefined();

    const principal = await createAuthenticator({ store, publicBaseUrl: ROOT })(`Bearer ${body.access_token}`);
    expect(principal).toEqual({ kind: 'client', id: client.clientId, tenant: 'p1', scopes: ['system/*.read', 'system/Patient.cruds'] });
  });

  it('issues a token with client_secret_post, form or JSON', async () => {
    const post = { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret };
    expect((await tokenRequest(form(post))).statusCode).toBe(200);
    expect((await tokenRequest(JSON.stringify(post), { 'content-type': 'application/json' })).statusCode).toBe(200);
  });

  it('answers a wrong secret or unknown client with 401 invalid_client', async () => {
    for (const auth of [basic(client.clientId, 'wrong'), basic('nobody', client.clientSecret)]) {
      const res = await tokenRequest(form({ grant_type: 'client_credentials' }), { ...FORM_TYPE, authorization: auth });
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toBe('invalid_client');
      expect(res.headers['www-authenticate']).toMatch(/^Basic/);
    }
    const missing = await tokenRequest(form({ grant_type: 'client_credentials' }));
    expect(missing.statusCode).toBe(401);
    expect(missing.json().error).toBe('invalid_client');
  });

  it('answers grant problems with 400', async () => {
    const auth = { ...FORM_TYPE, authorization: basic(client.clientId, client.clientSecret) };
    expect((await tokenRequest(form({ grant_type: 'password' }), auth)).json()).toMatchObject({ error: 'unsupported_grant_type' });
    const noGrant = await tokenRequest(form({}), auth);
    expect(noGrant.statusCode).toBe(400);
    expect(noGrant.json().error).toBe('invalid_request');
    const repeated = await tokenRequest('grant_type=client_credentials&grant_type=client_credentials', auth);
    expect(repeated.json().error).toBe('invalid_request');
    const both = await tokenRequest(form({ grant_type: 'client_credentials', client_secret: client.clientSecret }), auth);
    expect(both.json().error).toBe('invalid_request');
  });

  it('narrows scopes on request but never widens them', async () => {
    const auth = { ...FORM_TYPE, authorization: basic(client.clientId, client.clientSecret) };
    const narrow = await tokenRequest(form({ grant_type: 'client_credentials', scope: 'system/Observation.rs system/Patient.c' }), auth);
    expect(narrow.statusCode, narrow.body).toBe(200);
    expect(narrow.json().scope).toBe('system/Observation.rs system/Patient.c');
    expect(decodeJwt(narrow.json().access_token).scope).toBe('system/Observation.rs system/Patient.c');
    // The intersection: what was not registered is left out of the grant.
    const mixed = await tokenRequest(form({ grant_type: 'client_credentials', scope: 'system/Patient.read launch system/*.*' }), auth);
    expect(mixed.statusCode, mixed.body).toBe(200);
    expect(mixed.json().scope).toBe('system/Patient.read');
    for (const scope of ['system/Observation.write', 'system/*.*', 'user/*.*', 'launch']) {
      const wide = await tokenRequest(form({ grant_type: 'client_credentials', scope }), auth);
      expect(wide.statusCode, scope).toBe(400);
      expect(wide.json().error).toBe('invalid_scope');
    }
  });

  it('refuses further attempts after repeated failures with 429', async () => {
    const bad = { ...FORM_TYPE, authorization: basic(client.clientId, 'wrong') };
    for (let i = 0; i < 3; i++) expect((await tokenRequest(form({ grant_type: 'client_credentials' }), bad)).statusCode).toBe(401);
    const blocked = await tokenRequest(form({ grant_type: 'client_credentials' }), { ...FORM_TYPE, authorization: basic(client.clientId, client.clientSecret) });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('publishes a truthful SMART configuration at the root and under the FHIR base', async () => {
    for (const url of ['/.well-known/smart-configuration', '/fhir/R4/.well-known/smart-configuration']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        token_endpoint: `${ROOT}/oauth2/token`,
        jwks_uri: `${ROOT}/.well-known/jwks.json`,
        authorization_endpoint: `${ROOT}/oauth2/authorize`,
        revocation_endpoint: `${ROOT}/oauth2/revoke`,
        introspection_endpoint: `${ROOT}/oauth2/introspect`,
        grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
        token_endpoint_auth_signing_alg_values_supported: expect.arrayContaining(['RS384', 'ES384']),
      });
      expect(res.json().capabilities).toEqual(
        expect.arrayContaining(['launch-standalone', 'client-public', 'client-confidential-symmetric', 'client-confidential-asymmetric', 'sso-openid-connect', 'permission-v2']),
      );
      expect(res.json().capabilities).toContain('launch-ehr');
      expect(res.json().token_endpoint_auth_signing_alg_values_supported).not.toContain('none');
    }
  });

  describe('authenticator', () => {
    const keys = () => signingKeysFor(store)();

    async function tokenWith(claims: Record<string, unknown>, options: { expSeconds?: number; key?: CryptoKey; typ?: string } = {}) {
      const k = await keys();
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ client_id: client.clientId, tenant: 'p1', scope: 'system/*.read', ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: k.kid, typ: options.typ ?? 'at+jwt' })
        .setIssuer((claims.iss as string) ?? ROOT)
        .setAudience((claims.aud as string) ?? FHIR_BASE)
        .setSubject(client.clientId)
        .setJti('j1')
        .setIssuedAt(now - 10)
        .setExpirationTime(now + (options.expSeconds ?? 300))
        .sign(options.key ?? k.privateKey);
    }

    async function rejects(authorization: string | undefined, fhirBaseUrl?: string): Promise<FhirError> {
      const authenticate = createAuthenticator({ store, publicBaseUrl: ROOT });
      try {
        await authenticate(authorization, fhirBaseUrl);
      } catch (e) {
        expect(e).toBeInstanceOf(FhirError);
        expect((e as FhirError).category).toBe('unauthenticated');
        return e as FhirError;
      }
      throw new Error('token was accepted');
    }

    it('accepts a well-formed token and caches it', async () => {
      const authenticate = createAuthenticator({ store, publicBaseUrl: ROOT });
      const token = await tokenWith({});
      const first = await authenticate(`Bearer ${token}`);
      expect(first).toMatchObject({ kind: 'client', tenant: 'p1', scopes: ['system/*.read'] });
      expect(await authenticate(`bearer ${token}`)).toBe(first);
    });

    it('requires a header and the Bearer scheme', async () => {
      expect((await rejects(undefined)).headers['WWW-Authenticate']).toBe('Bearer realm="heron"');
      expect((await rejects(basic('a', 'b'))).headers['WWW-Authenticate']).toMatch(/invalid_token/);
    });

    it('rejects an expired token', async () => {
      const e = await rejects(`Bearer ${await tokenWith({}, { expSeconds: -60 })}`);
      expect(e.message).toMatch(/expired/);
    });

    it('rejects a token signed with another key (forged or foreign)', async () => {
      const { privateKey } = await generateKeyPair('ES256');
      await rejects(`Bearer ${await tokenWith({}, { key: privateKey })}`);
    });

    it('rejects alg:none and a tampered payload', async () => {
      const unsigned = new UnsecuredJWT({ client_id: client.clientId, tenant: 'p1', scope: 'system/*.*', sub: client.clientId })
        .setIssuer(ROOT)
        .setAudience(FHIR_BASE)
        .setIssuedAt()
        .setExpirationTime('5m')
        .encode();
      await rejects(`Bearer ${unsigned}`);
      const [h, , s] = (await tokenWith({})).split('.');
      const widened = Buffer.from(JSON.stringify({ ...decodeJwt(await tokenWith({})), scope: 'system/*.*' })).toString('base64url');
      await rejects(`Bearer ${h}.${widened}.${s}`);
    });

    it('rejects a token for another audience or issuer, or of another type', async () => {
      await rejects(`Bearer ${await tokenWith({ aud: 'https://other.example.org/fhir/R4' })}`);
      await rejects(`Bearer ${await tokenWith({ iss: 'https://other.example.org', aud: 'https://other.example.org/fhir/R4' })}`);
      await rejects(`Bearer ${await tokenWith({}, { typ: 'JWT' })}`);
    });

    it('checks the audience against the request base when no public URL is configured', async () => {
      const authenticate = createAuthenticator({ store });
      const token = `Bearer ${await tokenWith({})}`;
      await expect(authenticate(token, FHIR_BASE)).resolves.toMatchObject({ tenant: 'p1' });
      await expect(authenticate(token, 'http://localhost:8080/fhir/R4')).rejects.toMatchObject({ category: 'unauthenticated' });
    });

    it('rejects a token whose practice or client no longer exists, even when cached', async () => {
      let now = Date.now();
      const authenticate = createAuthenticator({ store, publicBaseUrl: ROOT, recheckMs: 1000, now: () => now });
      const token = `Bearer ${await tokenWith({})}`;
      await authenticate(token);
      store.practices.delete('p1');
      await expect(authenticate(token)).resolves.toBeDefined(); // still within the recheck interval
      now += 1001;
      await expect(authenticate(token)).rejects.toMatchObject({ category: 'unauthenticated' });
    });

    it('rejects a token naming a tenant other than its client practice', async () => {
      store.practices.set('p2', { id: 'p2', name: 'Two', createdAt: '' });
      await rejects(`Bearer ${await tokenWith({ tenant: 'p2' })}`);
    });
  });
});
