/**
 * A patient's own accounting of disclosures, on both stores, through `dispatch`: patient A reads
 * who accessed A's record (search, read by id, CSV export), never an entry about B, and without
 * staff's network details; a proxy is refused.
 */
import type { Bundle } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../domain/access/principal.ts';
import { storeAuditSink } from '../../domain/audit/audit-sink.ts';
import type { Ctx } from '../../domain/context.ts';
import { dispatchAs, namedCreator, startTestApp, type TestApp } from '../test-app.ts';

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`a patient's own accounting of disclosures (${kind})`, () => {
    let t: TestApp;
    const ids: Record<string, string> = {};
    const as = (principal: Omit<Extract<Principal, { kind: 'user' }>, 'kind' | 'tenant'>, ip: string): Ctx => ({
      tenant: t.practiceId,
      principal: { kind: 'user', tenant: t.practiceId, ...principal },
      store: t.store,
      audit: storeAuditSink(t.store.audit),
      origin: { ip, userAgent: 'Chart/1.0' },
    });
    const idOf = (ref: string) => ref.split('/')[1]!;
    const patientA = () => as({ id: 'user-a', role: 'patient', scopes: ['patient/*.rs'], fhirUser: ids.a!, patients: [idOf(ids.a!)] }, '198.51.100.7');

    beforeAll(async () => {
      t = await startTestApp({ kind, auditStore: true });
      const create = namedCreator(() => t, ids);
      await create('a', { resourceType: 'Patient', name: [{ family: 'Alpha' }] });
      await create('b', { resourceType: 'Patient', name: [{ family: 'Beta' }] });
      await create('obsA', { resourceType: 'Observation', status: 'final', code: { text: 'weight' }, subject: { reference: ids.a } });
      await create('obsB', { resourceType: 'Observation', status: 'final', code: { text: 'weight' }, subject: { reference: ids.b } });
      const nurse = as({ id: 'nurse-1', role: 'nurse', scopes: ['user/*.*'], fhirUser: 'Practitioner/n1' }, '10.9.8.7');
      for (const path of [ids.obsA!, ids.obsB!, `Observation?subject=${ids.b}`]) expect((await dispatchAs(nurse, 'GET', path)).status).toBe(200);
    });
    afterAll(async () => {
      await t?.close();
    });

    it("lists who accessed the patient's record, and only entries about it, without staff's network details", async () => {
      const res = await dispatchAs(patientA(), 'GET', 'AuditEvent?_count=100');
      expect(res.status).toBe(200);
      const events = ((res.body as Bundle).entry ?? []).map((e) => e.resource!);
      expect(events.length).toBeGreaterThan(0);
      const text = JSON.stringify(events);
      expect(text).toContain('nurse-1');
      expect(text).toContain(ids.obsA);
      expect(text).not.toContain(ids.obsB);
      expect(text).not.toContain(ids.b);
      // The nurse's address is in the trail (the auditor sees it) but not in the patient's view.
      expect(JSON.stringify(await t.store.audit.query(t.practiceId, { count: 100, patient: ids.a }))).toContain('10.9.8.7');
      expect(text).not.toContain('10.9.8.7');
      expect(text).not.toContain('Chart/1.0');
    });

    it("another patient's entries match nothing, by filter, by id or by export", async () => {
      const ctx = patientA();
      expect(((await dispatchAs(ctx, 'GET', `AuditEvent?patient=${ids.b}`)).body as Bundle).entry ?? []).toEqual([]);
      const [aboutB] = await t.store.audit.query(t.practiceId, { count: 1, patient: ids.b });
      expect((await dispatchAs(ctx, 'GET', `AuditEvent/${aboutB!.seq}`)).status).toBe('not-found');
      const [aboutA] = await t.store.audit.query(t.practiceId, { count: 1, patient: ids.a });
      expect((await dispatchAs(ctx, 'GET', `AuditEvent/${aboutA!.seq}`)).status).toBe(200);
    });

    it('a proxy, and staff without the audit permission, are refused', async () => {
      const proxy = as({ id: 'mum', role: 'proxy', scopes: ['patient/*.rs'], patients: [idOf(ids.a!)] }, '198.51.100.8');
      expect((await dispatchAs(proxy, 'GET', 'AuditEvent')).status).toBe('forbidden');
      const nurse = as({ id: 'nurse-2', role: 'nurse', scopes: ['user/*.*'] }, '10.9.8.6');
      expect((await dispatchAs(nurse, 'GET', 'AuditEvent')).status).toBe('forbidden');
    });
  });
}
