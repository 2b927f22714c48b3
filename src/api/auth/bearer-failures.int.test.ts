/**
 * Failed bearer authentication on the FHIR API is audited, on SQLite and PostgreSQL: a missing,
 * malformed, wrongly signed, expired or revoked token answers 401 and leaves one failure entry
 * with the address and user agent — in the practice's chain when this server signed the token for
 * a practice that exists, otherwise in the server-level chain — and a flood from one address is
 * audited only up to its budget.
 */
import { randomUUID } from 'node:crypto';
import { generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerClient } from '../../domain/clients/register-client.ts';
import { SYSTEM_AUDIT_CHAIN } from '../../store/audit-log.ts';
import { BASE, ORIGIN, startTestApp, type TestApp } from '../test-app.ts';
import { signingKeysFor } from './keys.ts';

const AGENT = { 'user-agent': 'probe/1.0' };

describe.each(['sqlite', 'postgres'] as const)('failed bearer authentication is audited (%s)', (kind) => {
  let t: TestApp;
  let client: { clientId: string; clientSecret: string };
  let serverKey: { kid: string; privateKey: CryptoKey };
  let foreignKey: CryptoKey;
  let ip = 0;

  beforeAll(async () => {
    t = await startTestApp({ kind, auditStore: true, deps: { bearerFailureBudget: { perAddress: 3 } } });
    client = await registerClient(t.store, { practiceId: t.practiceId, scopes: 'system/*.read' });
    serverKey = await signingKeysFor(t.store)();
    foreignKey = (await generateKeyPair('ES256')).privateKey;
  }, 60_000);
  afterAll(async () => t?.close());

  /** A token shaped like Heron's; `claims` and the key decide what is wrong with it. */
  const sign = (claims: Record<string, unknown>, o: { key?: CryptoKey; expiresIn?: number } = {}) => {
    const iat = Math.floor(Date.now() / 1000) - 3600;
    return new SignJWT({ client_id: client.clientId, tenant: t.practiceId, scope: 'system/*.read', ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: serverKey.kid, typ: 'at+jwt' })
      .setIssuer(ORIGIN)
      .setAudience(BASE)
      .setSubject(String(claims.sub ?? client.clientId))
      .setJti(randomUUID())
      .setIssuedAt(iat)
      .setExpirationTime(iat + (o.expiresIn ?? 60))
      .sign(o.key ?? serverKey.privateKey);
  };

  /** One request from its own address, so each case has a budget of its own. */
  async function refused(authorization: string | undefined) {
    const remoteAddress = `198.51.100.${++ip}`;
    const res = await t.app.inject({ method: 'GET', url: `${BASE}/Patient`, remoteAddress, headers: { ...AGENT, ...(authorization ? { authorization } : {}) } });
    expect(res.statusCode, res.body).toBe(401);
    expect(res.json().resourceType).toBe('OperationOutcome');
    return remoteAddress;
  }
  const entriesFrom = async (tenant: string, address: string) => (await t.store.audit.query(tenant, { count: 100, ip: address })).filter((e) => e.action === 'authenticate');

  it.each([
    ['no token', () => undefined],
    ['not a Bearer token', () => 'Basic dXNlcjpwYXNz'],
    ['a malformed token', () => 'Bearer not.a.jwt'],
  ])('%s: one failure entry in the server-level chain, anonymous, with address and user agent', async (_name, header) => {
    const address = await refused(header());
    const entries = await entriesFrom(SYSTEM_AUDIT_CHAIN, address);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ outcome: 'failure', agentKind: 'system', agentId: 'anonymous', ip: address, userAgent: 'probe/1.0' });
    expect(entries[0].patients).toBeUndefined();
    expect(await entriesFrom(t.practiceId, address)).toEqual([]);
  });

  it('a token not signed by this server is not attributed to the practice it names', async () => {
    const address = await refused(`Bearer ${await sign({}, { key: foreignKey, expiresIn: 7200 })}`);
    expect(await entriesFrom(t.practiceId, address)).toEqual([]);
    expect(await entriesFrom(SYSTEM_AUDIT_CHAIN, address)).toHaveLength(1);
  });

  it('an expired token of this server goes to its practice, as the client it was issued to', async () => {
    const address = await refused(`Bearer ${await sign({})}`);
    const [entry] = await entriesFrom(t.practiceId, address);
    expect(entry).toMatchObject({ outcome: 'failure', agentKind: 'client', agentId: client.clientId, ip: address, userAgent: 'probe/1.0', reason: 'The access token has expired' });
    expect(await entriesFrom(SYSTEM_AUDIT_CHAIN, address)).toEqual([]);
    // The practice's trail stays a valid chain, and so does the server's.
    expect((await t.store.audit.verify(t.practiceId)).broken).toBeUndefined();
    expect((await t.store.audit.verify(SYSTEM_AUDIT_CHAIN)).broken).toBeUndefined();
  });

  it("a revoked user's token goes to the practice as that user", async () => {
    const address = await refused(`Bearer ${await sign({ sub: 'user-gone', role: 'nurse', sid: 'grant-gone' }, { expiresIn: 7200 })}`);
    expect(await entriesFrom(t.practiceId, address)).toMatchObject([{ agentKind: 'user', agentId: 'user-gone', reason: 'The user of this access token is signed out or disabled' }]);
  });

  it('a valid signature naming a practice that does not exist goes to the server-level chain', async () => {
    const address = await refused(`Bearer ${await sign({ tenant: 'nosuchpractice' }, { expiresIn: 7200 })}`);
    expect(await entriesFrom(SYSTEM_AUDIT_CHAIN, address)).toHaveLength(1);
  });

  it('a flood from one address is audited up to its budget only; other addresses still are', async () => {
    const flood = '203.0.113.9';
    for (let i = 0; i < 8; i++) {
      const res = await t.app.inject({ method: 'GET', url: `${BASE}/Patient`, remoteAddress: flood, headers: { ...AGENT, authorization: 'Bearer junk' } });
      expect(res.statusCode).toBe(401);
    }
    expect(await entriesFrom(SYSTEM_AUDIT_CHAIN, flood)).toHaveLength(3);
    const other = await refused('Bearer junk');
    expect(await entriesFrom(SYSTEM_AUDIT_CHAIN, other)).toHaveLength(1);
  });

  it('a valid token is not affected', async () => {
    const res = await t.fhir('GET', 'Patient');
    expect(res.status, res.text).toBe(200);
  });
});
