/**
 * `GET AuditEvent/$verify` on both stores: intact chains answer intact with the number of entries;
 * an entry edited below the application (its trigger dropped first, as an attacker with database
 * access would) is named as the first broken one; only callers who may search the whole trail
 * (practice administrators, services with a scope to search it) may ask, and every call is audited.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Parameters } from '@medplum/fhirtypes';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal, Role } from '../../domain/access/principal.ts';
import { storeAuditSink } from '../../domain/audit/audit-sink.ts';
import type { Ctx } from '../../domain/context.ts';
import { openSqliteDatabase } from '../../store/sqlite/engine.ts';
import { dispatchAs, startTestApp, TEST_PG_URL, type TestApp } from '../test-app.ts';

function value(body: unknown, name: string): unknown {
  const p = (body as Parameters | undefined)?.parameter?.find((x) => x.name === name);
  return p?.valueBoolean ?? p?.valueInteger ?? p?.valueString ?? p?.valueReference?.reference;
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`AuditEvent/$verify (${kind})`, () => {
    let t: TestApp;
    let dir: string | undefined;
    /** Raw SQL on the audit tables, below the application. */
    let raw: { exec(sql: string): Promise<void>; close(): Promise<void> };
    const as = (role: Role, o: Partial<Extract<Principal, { kind: 'user' }>> = {}): Ctx => ({
      tenant: t.practiceId,
      principal: { kind: 'user', id: `u-${role}`, tenant: t.practiceId, role, scopes: ['user/*.cruds'], ...o } as Principal,
      store: t.store,
      audit: storeAuditSink(t.store.audit),
      origin: { ip: '10.0.0.9', userAgent: 'verify-test' },
    });

    beforeAll(async () => {
      dir = kind === 'sqlite' ? mkdtempSync(join(tmpdir(), 'heron-verify-')) : undefined;
      t = await startTestApp({ kind, auditStore: true, sqliteDir: dir });
      const entries = Array.from({ length: 30 }, (_, i) => ({ tenant: t.practiceId, recorded: Date.UTC(2020, 0, 1) + i, action: 'read', outcome: 'success' as const, agentKind: 'user', agentId: `u${i % 3}`, patients: ['Patient/p1'] }));
      await t.store.audit.append(entries);
      if (kind === 'sqlite') {
        const db = openSqliteDatabase(join(dir!, 'heron-audit.sqlite'), { busyTimeoutMs: 5000 });
        raw = { exec: async (sql) => void db.exec(sql), close: async () => void db.close() };
      } else {
        const client = new pg.Client({ connectionString: TEST_PG_URL, options: `-c search_path=${t.schema}` });
        await client.connect();
        raw = { exec: async (sql) => void (await client.query(sql)), close: () => client.end() };
      }
    });
    afterAll(async () => {
      await raw?.close();
      await t?.close();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    });

    it('answers intact, with every entry checked, to a practice administrator and to a service that may search the trail; each call is audited', async () => {
      const before = (await t.store.audit.query(t.practiceId, { count: 1 }))[0].seq;
      const admin = await dispatchAs(as('practice-admin'), 'GET', 'AuditEvent/$verify');
      expect(admin.status).toBe(200);
      expect(admin.body?.resourceType).toBe('Parameters');
      expect(value(admin.body, 'intact')).toBe(true);
      // The chain holds at least what was there before the call.
      expect(value(admin.body, 'checked')).toBeGreaterThanOrEqual(before);
      expect(value(admin.body, 'broken-entry')).toBeUndefined();
      const [recorded] = await t.store.audit.query(t.practiceId, { count: 1 });
      expect(recorded).toMatchObject({ action: '$verify', outcome: 'success', agentId: 'u-practice-admin', agentRole: 'practice-admin', resourceType: 'AuditEvent' });

      const service = await t.tokenFor('system/AuditEvent.rs');
      const res = await t.fhir('GET', 'AuditEvent/$verify', { token: service });
      expect(res.status, res.text).toBe(200);
      expect(value(res.body, 'intact')).toBe(true);
      expect(value(res.body, 'verified')).toBeUndefined(); // an instant, not one of the values read above
      expect(res.body.parameter.find((p: { name: string }) => p.name === 'verified').valueInstant).toMatch(/^\d{4}-\d\d-\d\dT/);
      // Listed in the CapabilityStatement.
      const metadata = await t.fhir('GET', 'metadata');
      expect(metadata.body.rest[0].resource.find((r: { type: string }) => r.type === 'AuditEvent').operation.map((o: { name: string }) => o.name)).toContain('verify');
    });

    it('refuses every other role, patient-bound access and scopes that do not reach the whole trail, and records the refusal', async () => {
      for (const role of ['physician', 'nurse', 'front-desk', 'billing', 'medical-assistant'] as const) {
        const res = await dispatchAs(as(role), 'GET', 'AuditEvent/$verify');
        expect(res.status, role).toBe('forbidden');
        const [recorded] = await t.store.audit.query(t.practiceId, { count: 1 });
        expect(recorded, role).toMatchObject({ action: '$verify', outcome: 'failure', agentId: `u-${role}`, reason: 'forbidden' });
      }
      // A patient may read their own record's trail, not verify the practice's.
      expect((await dispatchAs(as('patient', { scopes: ['patient/*.rs'], patients: ['p1'] }), 'GET', 'AuditEvent/$verify')).status).toBe('forbidden');
      // An administrator's app granted only a granular scope on the trail sees part of it.
      expect((await dispatchAs(as('practice-admin', { scopes: ['user/AuditEvent.rs?patient=Patient/p1'] }), 'GET', 'AuditEvent/$verify')).status).toBe('forbidden');
      // An administrator's app without a scope on AuditEvent.
      expect((await dispatchAs(as('practice-admin', { scopes: ['user/Patient.rs'] }), 'GET', 'AuditEvent/$verify')).status).toBe('forbidden');
      const reporter = await t.tokenFor('system/AuditEvent.c');
      expect((await t.fhir('GET', 'AuditEvent/$verify', { token: reporter })).status).toBe(403);
      expect((await t.fhir('POST', 'AuditEvent/$verify', { body: { resourceType: 'Parameters' } })).status).toBe(405);
    });

    it('names the first broken entry once an entry is edited below the application', async () => {
      const target = (await t.store.audit.query(t.practiceId, { count: 1, ascending: true, from: Date.UTC(2020, 0, 1) + 10 }))[0].seq;
      if (kind === 'sqlite') await raw.exec('DROP TRIGGER audit_events_no_update');
      else await raw.exec('DROP TRIGGER audit_events_append_only ON audit_events');
      await raw.exec(`UPDATE audit_events SET agent_id = 'someone-else' WHERE tenant = '${t.practiceId}' AND seq = ${target}`);
      // The SQLite reader shares a snapshot within one event-loop turn; another connection's edit shows from the next.
      await new Promise((resolve) => setImmediate(resolve));
      const res = await dispatchAs(as('practice-admin'), 'GET', 'AuditEvent/$verify');
      expect(res.status).toBe(200);
      const body = res.body;
      expect(value(body, 'intact')).toBe(false);
      expect(value(body, 'checked')).toBe(target - 1);
      expect(value(body, 'broken-entry')).toBe(`AuditEvent/${target}`);
      expect(value(body, 'problem')).toBe('its content does not match its hash');
    });
  });
}
