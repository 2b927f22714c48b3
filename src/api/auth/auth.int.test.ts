/**
 * OAuth through the whole app (`buildApp().inject()` over SQLite and PostgreSQL): a client gets a
 * token and uses it on the FHIR API; requests without, or with a bad, token get 401; the signing
 * key survives a restart because it lives in the store.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discardingAuditSink } from '../../domain/audit/audit-sink.ts';
import { registerClient } from '../../domain/clients/register-client.ts';
import type { FhirStore } from '../../store/store.ts';
import { buildApp } from '../app.ts';
import { startTestApp, type TestApp } from '../test-app.ts';

describe.each(['sqlite', 'postgres'] as const)('OAuth with the FHIR API (%s)', (kind) => {
  let t: TestApp;
  let store: FhirStore;
  let app: FastifyInstance;
  let creds: { clientId: string; clientSecret: string };

  beforeAll(async () => {
    t = await startTestApp({ kind });
    store = t.store;
    creds = await registerClient(store, { practiceId: t.practiceId, scopes: 'system/*.*' });
    app = t.app;
  });
  afterAll(async () => {
    await t?.close();
  });

  async function token(scope?: string): Promise<string> {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: creds.clientId, client_secret: creds.clientSecret });
    if (scope) form.set('scope', scope);
    const res = await app.inject({ method: 'POST', url: '/oauth2/token', headers: { 'content-type': 'application/x-www-form-urlencoded', host: 'ehr.test' }, payload: form.toString() });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().access_token;
  }

  const fhir = (method: 'GET' | 'POST', url: string, authorization?: string, payload?: object) =>
    app.inject({ method, url: `/fhir/R4/${url}`, headers: { host: 'ehr.test', 'content-type': 'application/fhir+json', ...(authorization ? { authorization } : {}) }, payload: payload ? JSON.stringify(payload) : undefined });

  describe('tokens', () => {
    it('accepts its own token and rejects missing, tampered and misdirected ones', async () => {
      const t = await token();
      const created = await fhir('POST', 'Patient', `Bearer ${t}`, { resourceType: 'Patient', gender: 'female' });
      expect(created.statusCode, created.body).toBe(201);
      expect((await fhir('GET', 'Patient', `Bearer ${t}`)).statusCode).toBe(200);

      const none = await fhir('GET', 'Patient');
      expect(none.statusCode).toBe(401);
      expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(none.json().resourceType).toBe('OperationOutcome');
      expect((await fhir('GET', 'Patient', `Bearer ${t.slice(0, -2)}xx`)).statusCode).toBe(401);
      // Issued for http://ehr.test; presented at another host: wrong audience.
      const elsewhere = await app.inject({ method: 'GET', url: '/fhir/R4/Patient', headers: { host: 'other.test', authorization: `Bearer ${t}` } });
      expect(elsewhere.statusCode).toBe(401);
    });

    it('enforces a narrowed scope', async () => {
      const readOnly = await token('system/Patient.read');
      expect((await fhir('GET', 'Patient', `Bearer ${readOnly}`)).statusCode).toBe(200);
      expect((await fhir('POST', 'Patient', `Bearer ${readOnly}`, { resourceType: 'Patient' })).statusCode).toBe(403);
      expect((await fhir('GET', 'Observation', `Bearer ${readOnly}`)).statusCode).toBe(403);
    });

    it('keeps the signing key in the store, so another app instance accepts the token', async () => {
      const t = await token();
      const second = await buildApp({ store, audit: discardingAuditSink });
      try {
        const res = await second.inject({ method: 'GET', url: '/fhir/R4/Patient', headers: { host: 'ehr.test', authorization: `Bearer ${t}` } });
        expect(res.statusCode, res.body).toBe(200);
      } finally {
        await second.close();
      }
    });
  });
});
