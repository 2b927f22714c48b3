/**
 * Audit through the one dispatch path, on both stores: a scripted sequence of interactions leaves
 * exactly the expected entries (who, what, whose record, outcome) in the hash-chained log; writes
 * and their entries commit together; a read whose audit entry cannot be written returns no data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '@medplum/fhirtypes';
import type { AuditSink } from '../../domain/audit/audit-sink.ts';
import { validateResource } from '../../fhir/validation/validate.ts';
import { startTestApp, type TestApp } from '../test-app.ts';

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`audit of FHIR interactions (${kind})`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ kind, auditStore: true });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('records every interaction of a scripted session, in order, with the patients concerned', async () => {
      const created = await t.fhir('POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family: 'Audited' }] } });
      const p = created.body.id as string;
      const obs = await t.fhir('POST', 'Observation', { body: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${p}` } } });
      expect((await t.fhir('GET', `Patient/${p}`)).status).toBe(200);
      expect((await t.fhir('GET', `Observation?subject=Patient/${p}`)).status).toBe(200);
      expect((await t.fhir('PUT', `Patient/${p}`, { body: { resourceType: 'Patient', id: p, name: [{ family: 'Audited', given: ['Ann'] }] } })).status).toBe(200);
      expect((await t.fhir('GET', 'Patient/does-not-exist')).status).toBe(404);
      expect([200, 204]).toContain((await t.fhir('DELETE', `Observation/${obs.body.id}`)).status);

      const entries = await t.store.audit.query(t.practiceId, { count: 100, ascending: true });
      const summary = entries.map((e) => [e.action, e.outcome, e.entities, e.patients]);
      expect(summary).toEqual([
        ['create', 'success', [`Patient/${p}`], [`Patient/${p}`]],
        ['create', 'success', [`Observation/${obs.body.id}`], [`Patient/${p}`]],
        ['read', 'success', [`Patient/${p}`], [`Patient/${p}`]],
        ['search-type', 'success', [`Observation/${obs.body.id}`], [`Patient/${p}`]],
        ['update', 'success', [`Patient/${p}`], [`Patient/${p}`]],
        ['read', 'failure', ['Patient/does-not-exist'], undefined],
        ['delete', 'success', [`Observation/${obs.body.id}`], undefined],
      ]);
      expect(entries.every((e) => e.agentKind === 'client' && e.clientId === e.agentId && e.ip !== undefined)).toBe(true);
      // The accounting of disclosures for the patient: everything above that concerned them.
      expect((await t.store.audit.query(t.practiceId, { count: 100, patient: `Patient/${p}` })).length).toBe(5);
      expect(await t.store.audit.verify(t.practiceId)).toEqual({ checked: entries.length });
    });

    it('serves the log as unchangeable AuditEvents: filtered, sorted, paged, valid R4', async () => {
      const patient = (await t.fhir('POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family: 'Reported' }] } })).body.id as string;
      await t.fhir('GET', `Patient/${patient}`);
      await t.fhir('GET', `Patient/${patient}`);
      const report = await t.fhir('GET', `AuditEvent?patient=${patient}&_sort=date`);
      expect(report.status, report.text).toBe(200);
      const events = report.body.entry.map((e: { resource: AuditEvent }) => e.resource);
      expect(events.map((e: AuditEvent) => [e.action, e.subtype?.[0].code, e.outcome])).toEqual([
        ['C', 'create', '0'],
        ['R', 'read', '0'],
        ['R', 'read', '0'],
      ]);
      for (const event of events) expect(validateResource(event)).toEqual([]);
      expect(events[1].entity).toEqual(expect.arrayContaining([{ what: { reference: `Patient/${patient}` }, role: expect.objectContaining({ code: '1' }) }]));
      expect(events[1].agent[0]).toMatchObject({ requestor: true, network: { type: '2' } });

      // Reading the report about a patient is itself a disclosure of that patient: it is logged too.
      const again = await t.fhir('GET', `AuditEvent?patient=Patient/${patient}`);
      expect(again.body.entry[0].resource.entity).toEqual(expect.arrayContaining([expect.objectContaining({ what: { reference: `Patient/${patient}` } })]));
      expect(again.body.entry[0].resource.subtype[0].code).toBe('search-type');
      const first = await t.fhir('GET', `AuditEvent?patient=Patient/${patient}&subtype=read&_count=1`);
      expect(first.body.entry.map((e: { resource: AuditEvent }) => e.resource.id)).toEqual([events[2].id]);
      const next = first.body.link.find((l: { relation: string }) => l.relation === 'next').url;
      const second = await t.fhir('GET', next);
      expect(second.body.entry.map((e: { resource: AuditEvent }) => e.resource.id)).toEqual([events[1].id]);
      expect(second.body.link.find((l: { relation: string }) => l.relation === 'next')).toBeUndefined();
      expect((await t.fhir('GET', `AuditEvent?subtype=create&outcome=0&date=ge2020-01-01&_count=1000`)).body.entry.length).toBeGreaterThanOrEqual(3);
      expect((await t.fhir('GET', `AuditEvent?outcome=4`)).body.entry.every((e: { resource: AuditEvent }) => e.resource.outcome === '4')).toBe(true);

      const one = await t.fhir('GET', `AuditEvent/${events[0].id}`);
      expect(one.body).toEqual(events[0]);
      expect((await t.fhir('GET', 'AuditEvent/999999999')).status).toBe(404);
      // Reporting new events is POST AuditEvent (reported-audit.int.test.ts); existing ones never change.
      expect((await t.fhir('POST', `AuditEvent/${events[0].id}`, { body: events[0] })).status).toBe(405);
      expect((await t.fhir('PUT', `AuditEvent/${events[0].id}`, { body: events[0] })).status).toBe(405);
      expect((await t.fhir('DELETE', `AuditEvent/${events[0].id}`)).status).toBe(405);
      expect((await t.fhir('GET', 'AuditEvent?name=x')).status).toBe(400);
      const observationsOnly = await t.tokenFor('system/Observation.read');
      expect((await t.fhir('GET', 'AuditEvent', { token: observationsOnly })).status).toBe(403);
    });

    it('a transaction Bundle audits each entry with its writes and the Bundle itself', async () => {
      const before = (await t.store.audit.query(t.practiceId, { count: 1 }))[0].seq;
      const bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { fullUrl: 'urn:uuid:7b6b8f0e-0000-4000-8000-000000000001', resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } },
          { resource: { resourceType: 'Observation', status: 'final', code: { text: 'y' }, subject: { reference: 'urn:uuid:7b6b8f0e-0000-4000-8000-000000000001' } }, request: { method: 'POST', url: 'Observation' } },
        ],
      };
      expect((await t.fhir('POST', '', { body: bundle })).status).toBe(200);
      const failing = { ...bundle, entry: [...bundle.entry, { request: { method: 'DELETE', url: 'Patient?name:missing=maybe' } }] };
      expect((await t.fhir('POST', '', { body: failing })).status).toBe(400);
      const after = await t.store.audit.query(t.practiceId, { count: 100, afterSeq: before, ascending: true });
      // The failed transaction left no create entries (they rolled back with its writes), only its failure.
      expect(after.map((e) => [e.action, e.outcome])).toEqual([
        ['create', 'success'],
        ['create', 'success'],
        ['transaction', 'success'],
        ['delete', 'failure'],
        ['transaction', 'failure'],
      ]);
    });
  });
}

describe('audit is fail-closed', () => {
  let t: TestApp;
  let failing = false;
  beforeAll(async () => {
    const audit: AuditSink = { record: () => (failing ? Promise.reject(new Error('audit store unavailable')) : undefined) };
    t = await startTestApp({ deps: { audit } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('returns no data when the audit entry of a read or search cannot be written', async () => {
    const created = await t.fhir('POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family: 'Secret' }] } });
    failing = true;
    for (const path of [`Patient/${created.body.id}`, 'Patient?family=Secret']) {
      const res = await t.fhir('GET', path);
      expect(res.status, path).toBe(500);
      expect(res.body.resourceType).toBe('OperationOutcome');
      expect(res.text).not.toContain('Secret');
    }
    // A write whose audit entry fails does not happen.
    const write = await t.fhir('POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family: 'Unaudited' }] } });
    expect(write.status).toBe(500);
    failing = false;
    expect((await t.fhir('GET', 'Patient?family=Unaudited')).body.total).toBe(0);
  });
});
