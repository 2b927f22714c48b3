/**
 * Authentication at the HTTP edge: the FHIR API needs a valid bearer token from
 * `/oauth2/token`; only discovery documents are open.
 * @see https://hl7.org/fhir/smart-app-launch/STU2/backend-services.html
 */
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { HeronServer, STORE_KINDS, type Tenant } from '../fixtures/heron-server.ts';
import { useHeronServer } from '../fixtures/use-heron-server.ts';
import { expectOutcome, expectStatus, patient } from './fhir-expect.ts';

function b64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe.each(STORE_KINDS)('authentication (%s)', (kind) => {
  let server: HeronServer;
  let t: Tenant;

  useHeronServer(kind, (started) => {
    server = started;
    t = started.default;
  });

  it('the issued token works', async () => {
    expectStatus(await t.fhir('GET', 'Patient'), 200);
  });

  it('no token: 401 with an OperationOutcome, for reads and writes, and nothing is written', async () => {
    const read = await t.fhir('GET', 'Patient', { token: null });
    expectOutcome(read, 401);
    expect(read.headers.get('www-authenticate') ?? '').toMatch(/^Bearer/i);
    expectOutcome(await t.fhir('POST', 'Patient', { token: null, body: patient('urn:auth', 'anon') }), 401);
    expectOutcome(await t.fhir('POST', '', { token: null, body: { resourceType: 'Bundle', type: 'batch', entry: [] } }), 401);
    expectOutcome(await t.fhir('GET', '_history', { token: null }), 401);
    const check = await t.fhir('GET', `Patient?identifier=${encodeURIComponent('urn:auth|anon')}`);
    expectStatus(check, 200);
    expect(check.body.entry ?? []).toHaveLength(0);
  });

  it('bad tokens: garbage, wrong scheme, forged signature, alg none, tampered payload', async () => {
    expectOutcome(await t.fhir('GET', 'Patient', { token: 'not-a-token' }), 401);
    expectOutcome(await t.fhir('GET', 'Patient', { token: null, headers: { authorization: `Basic ${Buffer.from(`${t.clientId}:${t.clientSecret}`).toString('base64')}` } }), 401);
    expectOutcome(await t.fhir('GET', 'Patient', { token: null, headers: { authorization: 'Bearer' } }), 401);

    const [header, payload] = t.token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('x'.repeat(32)));
    expectOutcome(await t.fhir('GET', 'Patient', { token: forged }), 401);

    const none = `${b64url({ alg: 'none', typ: 'JWT' })}.${payload}.`;
    expectOutcome(await t.fhir('GET', 'Patient', { token: none }), 401);

    const tampered = `${header}.${b64url({ ...claims, scope: 'system/*.*', exp: Math.floor(Date.now() / 1000) + 86400 * 365, sub: 'someone-else' })}.${t.token.split('.')[2]}`;
    expectOutcome(await t.fhir('GET', 'Patient', { token: tampered }), 401);

    const expired = `${header}.${b64url({ ...claims, exp: 1 })}.${t.token.split('.')[2]}`;
    expectOutcome(await t.fhir('GET', 'Patient', { token: expired }), 401);
  });

  it('token endpoint: wrong secret, unknown client and wrong grant are refused', async () => {
    const wrong = await server.tokenRequest(t.clientId, 'wrong-secret');
    expect(wrong.status).toBe(401);
    expect(wrong.body?.error).toBe('invalid_client');
    expect(wrong.body?.access_token).toBeUndefined();
    const unknown = await server.tokenRequest('no-such-client', 'x');
    expect(unknown.status).toBe(401);
    expect(unknown.body?.access_token).toBeUndefined();
    const grant = await server.tokenRequest(t.clientId, t.clientSecret, 'grant_type=password&username=a&password=b');
    expect(grant.status).toBe(400);
    expect(grant.body?.error).toBe('unsupported_grant_type');
    const ok = await server.tokenRequest(t.clientId, t.clientSecret);
    expect(ok.status).toBe(200);
    expect(ok.body.token_type).toMatch(/^bearer$/i);
    expect(ok.body.expires_in).toBeGreaterThan(0);
    expect(ok.headers.get('cache-control') ?? '').toContain('no-store');
  });

  it('discovery documents are open', async () => {
    const metadata = await server.request('GET', '/fhir/R4/metadata');
    expectStatus(metadata, 200);
    expect(metadata.body.resourceType).toBe('CapabilityStatement');
    const smart = await server.request('GET', '/.well-known/smart-configuration', { headers: { accept: 'application/json' } });
    expectStatus(smart, 200);
    expect(smart.body.token_endpoint).toMatch(/\/oauth2\/token$/);
    expect(smart.body.grant_types_supported).toContain('client_credentials');
    const fhirSmart = await server.request('GET', '/fhir/R4/.well-known/smart-configuration', { headers: { accept: 'application/json' } });
    expectStatus(fhirSmart, 200);
    expectStatus(await server.request('GET', '/healthz'), 200);
  });
});
