/**
 * AuditEvents reported by apps and backend services (`POST AuditEvent`), on both stores, over
 * HTTP for clients and through dispatch for signed-in users: a scope is required; the event
 * reads back as sent, marked with the reporter taken from the token; it is found by the report's
 * filters beside Heron's own entries and by the patient's accounting of disclosures; it is one
 * more link of the verified chain, with Heron's own `create` entry after it; nobody can update,
 * patch or delete an AuditEvent, directly, conditionally or in a Bundle; patient-bound access
 * reports only about its own patient.
 */
import { randomBytes } from 'node:crypto';
import type { AuditEvent, Bundle, OperationOutcome } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../domain/access/principal.ts';
import { csvField } from '../../domain/audit/audit-report.ts';
import { storeAuditSink } from '../../domain/audit/audit-sink.ts';
import type { Ctx } from '../../domain/context.ts';
import { createPractice } from '../../domain/practices/create-practice.ts';
import { validateResource } from '../../fhir/validation/validate.ts';
import { dispatchAs, namedCreator, ORIGIN, startTestApp, type TestApp } from '../test-app.ts';

const REPORTED_BY = 'https://heron.dev/fhir/CodeSystem/reported-by';

/** A BALP-style "patient record viewed" event, as an app would report it. */
function viewed(patient: string, o: { agent?: string; outcome?: AuditEvent['outcome'] } = {}): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' },
    subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'read' }],
    action: 'R',
    recorded: '2026-12-01T09:30:00.123+01:00',
    outcome: o.outcome ?? '0',
    purposeOfEvent: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' }] }],
    agent: [
      {
        type: { coding: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110153', display: 'Source Role ID' }] },
        who: { identifier: { system: 'https://viewer.example/users', value: o.agent ?? 'dr-who' } },
        requestor: true,
        network: { address: '192.0.2.44', type: '2' },
      },
    ],
    source: { observer: { display: 'Some other system entirely' }, type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4' }] },
    entity: [
      { what: { reference: patient }, role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1' } },
      { what: { reference: 'DocumentReference/doc-1' }, type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2' } },
    ],
  };
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`AuditEvents reported by clients (${kind})`, () => {
    let t: TestApp;
    let reporter: string;
    let reporterId: string;
    /** The id of the first event reported. */
    let firstReported: string;
    const ids: Record<string, string> = {};
    const user = (principal: Omit<Extract<Principal, { kind: 'user' }>, 'kind' | 'tenant'>): Ctx => ({
      tenant: t.practiceId,
      principal: { kind: 'user', tenant: t.practiceId, ...principal },
      store: t.store,
      audit: storeAuditSink(t.store.audit),
      origin: { ip: '10.1.2.3', userAgent: 'Chart/2.0' },
    });
    const idOf = (ref: string) => ref.split('/')[1]!;
    const newest = async () => (await t.store.audit.query(t.practiceId, { count: 1 }))[0]!.seq;

    beforeAll(async () => {
      t = await startTestApp({ kind, auditStore: true });
      ({ clientId: reporterId, token: reporter } = await t.clientFor('system/AuditEvent.c system/AuditEvent.rs'));
      const create = namedCreator(() => t, ids);
      await create('a', { resourceType: 'Patient', name: [{ family: 'Alpha' }] });
      await create('b', { resourceType: 'Patient', name: [{ family: 'Beta' }] });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('accepts a valid event: 201, reads back as sent with its id and the reporter from the token, one more link of the chain', async () => {
      const sent = viewed(ids.a!);
      const before = await newest();
      const res = await t.fhir('POST', 'AuditEvent', { token: reporter, body: sent });
      expect(res.status, res.text).toBe(201);
      const id = res.body.id as string;
      firstReported = id;
      expect(id).toBe(String(before + 1));
      expect(res.headers.location).toBe(`${ORIGIN}/fhir/R4/AuditEvent/${id}/_history/1`);
      expect(res.headers.etag).toBe('W/"1"');

      const read = await t.fhir('GET', `AuditEvent/${id}`, { token: reporter });
      expect(read.status).toBe(200);
      const { id: readId, meta, ...content } = read.body as AuditEvent;
      expect(readId).toBe(id);
      expect(content).toEqual(sent);
      // Who reported it is Heron's to say, from the verified token, whatever the body claims.
      expect(meta?.tag).toEqual([{ system: REPORTED_BY, code: reporterId, display: `Reported by client ${reporterId}` }]);
      expect(meta?.versionId).toBeUndefined(); // an AuditEvent never changes: it has no versions
      expect((await t.fhir('GET', res.headers.location as string, { token: reporter })).body).toEqual(read.body);
      expect((await t.fhir('GET', `AuditEvent/${id}/_history/2`, { token: reporter })).status).toBe(404);
      expect(read.body).toEqual(res.body);
      expect(validateResource(read.body)).toEqual([]);

      // Heron's own entry right after it records that this client reported it, when and from where.
      const [reported, own] = await t.store.audit.query(t.practiceId, { count: 2, afterSeq: before, ascending: true });
      expect(own).toMatchObject({ seq: before + 2, action: 'create', outcome: 'success', agentKind: 'client', agentId: reporterId, resourceType: 'AuditEvent', entities: [`AuditEvent/${id}`], patients: [ids.a] });
      expect(reported).toMatchObject({ seq: before + 1, action: 'reported', outcome: 'success', agentKind: 'client', agentId: reporterId, clientId: reporterId, patients: [ids.a], entities: [ids.a, 'DocumentReference/doc-1'], purpose: 'TREAT' });
      expect(meta?.lastUpdated).toBe(new Date(reported!.recorded).toISOString());
      expect(await t.store.audit.verify(t.practiceId)).toEqual({ checked: await newest() });
    });

    it("is found with Heron's own entries: by patient, entity, agent (the reporter), subtype, outcome and purpose", async () => {
      const res = await t.fhir('POST', 'AuditEvent', { token: reporter, body: viewed(ids.b!, { outcome: '8' }) });
      expect(res.status, res.text).toBe(201);
      const id = res.body.id as string;
      const found = async (query: string) => ((await t.fhir('GET', `AuditEvent?${query}&_count=1000`)).body as Bundle).entry!.map((e) => e.resource!.id);
      const aboutB = await found(`patient=${ids.b}`);
      expect(aboutB).toContain(id);
      expect(aboutB).toContain(String(Number(id) + 1)); // Heron's create entry, about the same patient
      expect(aboutB.length).toBeGreaterThan(2); // and Heron's entry of B's own creation
      expect(await found('entity=DocumentReference/doc-1')).toContain(id);
      expect(await found(`agent=${reporterId}&subtype=reported`)).toEqual([id, firstReported]);
      expect(await found('agent=dr-who')).toEqual([]); // the body's agent is its claim, not an identity Heron filters on
      expect(await found(`patient=${ids.b}&outcome=4`)).toEqual([id]);
      expect(await found(`patient=${ids.b}&purpose=TREAT`)).toEqual([id]);
      const entry = ((await t.fhir('GET', `AuditEvent?patient=${ids.b}&subtype=reported`)).body as Bundle).entry![0]!;
      expect((entry.resource as AuditEvent).outcome).toBe('8');
      const csv = await t.fhir('GET', `AuditEvent?patient=${ids.b}&subtype=reported&_format=text/csv`);
      expect(csv.text).toContain(`${id},`);
      // A client id is random base64url: one starting with '-' is written with the CSV's formula guard.
      const reporterCell = csvField(reporterId);
      expect(csv.text).toContain(`,client,${reporterCell},,${reporterCell},E,reported,AuditEvent,`);
    });

    it('refuses without a scope allowing create on AuditEvent (403), and records the refusal', async () => {
      for (const scopes of ['system/AuditEvent.rs', 'system/AuditEvent.read', 'system/Observation.cruds']) {
        const before = await newest();
        const res = await t.fhir('POST', 'AuditEvent', { token: await t.tokenFor(scopes), body: viewed(ids.a!) });
        expect(res.status, scopes).toBe(403);
        const after = await t.store.audit.query(t.practiceId, { count: 10, afterSeq: before, ascending: true });
        expect(after.map((e) => [e.action, e.outcome, e.reason, e.reported])).toEqual([['create', 'failure', 'forbidden', undefined]]);
      }
      expect((await t.fhir('POST', 'AuditEvent', { token: await t.tokenFor('system/AuditEvent.write'), body: viewed(ids.a!) })).status).toBe(201);
    });

    it('refuses an event that is not valid R4 with an OperationOutcome naming what is wrong, and appends nothing of it', async () => {
      const before = await newest();
      const { type: _type, recorded: _recorded, source: _source, ...incomplete } = viewed(ids.a!);
      const res = await t.fhir('POST', 'AuditEvent', { token: reporter, body: incomplete });
      expect(res.status).toBe(422);
      const outcome = res.body as OperationOutcome;
      const text = JSON.stringify(outcome.issue);
      for (const element of ['type', 'recorded', 'source']) expect(text).toContain(element);
      expect((await t.fhir('POST', 'AuditEvent', { token: reporter, body: { ...viewed(ids.a!), agent: [] } })).status).toBe(422);
      expect((await t.fhir('POST', 'AuditEvent', { token: reporter, body: { ...viewed(ids.a!), recorded: 'yesterday' } })).status).toBe(422);
      expect((await t.fhir('POST', 'AuditEvent', { token: reporter, body: { resourceType: 'Patient' } })).status).toBe(400);
      const claimed = await t.fhir('POST', 'AuditEvent', { token: reporter, body: { ...viewed(ids.a!), meta: { tag: [{ system: REPORTED_BY, code: 'someone-else' }] } } });
      expect(claimed.status).toBe(400);
      expect(claimed.text).toContain('set by Heron');
      const conditional = await t.fhir('POST', 'AuditEvent', { token: reporter, body: viewed(ids.a!), headers: { 'if-none-exist': 'entity=Patient/x' } });
      expect(conditional.status).toBe(400);
      expect(conditional.body.issue[0].code).toBe('not-supported');
      const after = await t.store.audit.query(t.practiceId, { count: 100, afterSeq: before, ascending: true });
      expect(after.every((e) => e.action === 'create' && e.outcome === 'failure' && e.reported === undefined)).toBe(true);
      expect(after.length).toBe(6);
    });

    it('refuses update, patch and delete of AuditEvent for everyone: directly, conditionally and in Bundles', async () => {
      const id = (await t.fhir('POST', 'AuditEvent', { body: viewed(ids.a!) })).body.id as string; // system/*.* may report too
      const stored = (await t.fhir('GET', `AuditEvent/${id}`)).body as AuditEvent;
      const changed = { ...stored, outcome: '12' };
      const patchBody = { payload: JSON.stringify([{ op: 'replace', path: '/outcome', value: '12' }]), headers: { 'content-type': 'application/json-patch+json' } };
      for (const token of [undefined, reporter]) {
        expect((await t.fhir('PUT', `AuditEvent/${id}`, { token, body: changed })).status).toBe(405);
        expect((await t.fhir('PATCH', `AuditEvent/${id}`, { token, ...patchBody })).status).toBe(405);
        expect((await t.fhir('DELETE', `AuditEvent/${id}`, { token })).status).toBe(405);
        expect((await t.fhir('PUT', `AuditEvent?entity=${ids.a}`, { token, body: changed })).status).toBe(405);
        expect((await t.fhir('PATCH', `AuditEvent?entity=${ids.a}`, { token, ...patchBody })).status).toBe(405);
        expect((await t.fhir('DELETE', `AuditEvent?entity=${ids.a}`, { token })).status).toBe(405);
        expect((await t.fhir('POST', `AuditEvent/${id}`, { token, body: changed })).status).toBe(405);
      }
      const patch = { resourceType: 'Binary', contentType: 'application/json-patch+json', data: Buffer.from(JSON.stringify([{ op: 'replace', path: '/outcome', value: '12' }])).toString('base64') };
      const writes = [
        { resource: changed, request: { method: 'PUT', url: `AuditEvent/${id}` } },
        { resource: patch, request: { method: 'PATCH', url: `AuditEvent/${id}` } },
        { request: { method: 'DELETE', url: `AuditEvent/${id}` } },
        { resource: changed, request: { method: 'PUT', url: `AuditEvent?entity=${ids.a}` } },
        { request: { method: 'DELETE', url: `AuditEvent?entity=${ids.a}` } },
      ];
      const batch = await t.fhir('POST', '', { body: { resourceType: 'Bundle', type: 'batch', entry: writes } });
      expect(batch.status).toBe(200);
      expect((batch.body as Bundle).entry!.map((e) => e.response?.status)).toEqual(writes.map(() => '405 Method Not Allowed'));
      for (const entry of writes) {
        expect((await t.fhir('POST', '', { body: { resourceType: 'Bundle', type: 'transaction', entry: [entry] } })).status).toBe(405);
      }
      expect((await t.fhir('GET', `AuditEvent/${id}`)).body).toEqual(stored);
      expect((await t.store.audit.verify(t.practiceId)).broken).toBeUndefined();
    });

    it('takes reports in batch Bundles, each its own entry, and refuses them in transactions', async () => {
      const batch = await t.fhir('POST', '', {
        token: reporter,
        body: { resourceType: 'Bundle', type: 'batch', entry: [viewed(ids.a!), { resourceType: 'AuditEvent' }, viewed(ids.b!)].map((resource) => ({ resource, request: { method: 'POST', url: 'AuditEvent' } })) },
      });
      expect(batch.status, batch.text).toBe(200);
      const responses = (batch.body as Bundle).entry!.map((e) => e.response!);
      expect(responses.map((r) => r.status.slice(0, 3))).toEqual(['201', '422', '201']);
      for (const i of [0, 2]) expect((await t.fhir('GET', responses[i]!.location!, { token: reporter })).body.entity[0].what.reference).toBe(i === 0 ? ids.a : ids.b);
      const before = await newest();
      const transaction = await t.fhir('POST', '', {
        token: reporter,
        body: { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: viewed(ids.a!), request: { method: 'POST', url: 'AuditEvent' } }] },
      });
      expect(transaction.status).toBe(400);
      expect(transaction.text).toContain('batch');
      expect((await t.store.audit.query(t.practiceId, { count: 10, afterSeq: before, ascending: true })).map((e) => [e.action, e.outcome])).toEqual([['transaction', 'failure']]);
    });

    it('users: staff apps report for the user; patients do not; patient-bound access only about its own patient', async () => {
      const nurse = user({ id: 'nurse-1', role: 'nurse', scopes: ['user/AuditEvent.c'], clientId: 'chart-app', fhirUser: 'Practitioner/n1' });
      const res = await dispatchAs(nurse, 'POST', 'AuditEvent', viewed(ids.a!));
      expect(res.status).toBe(201);
      const [reported] = await t.store.audit.query(t.practiceId, { count: 1, action: 'reported' });
      expect(reported).toMatchObject({ action: 'reported', agentKind: 'user', agentId: 'nurse-1', agentRole: 'nurse', clientId: 'chart-app', ip: '10.1.2.3' });
      expect(res.body!.meta?.tag).toEqual([{ system: REPORTED_BY, code: 'chart-app', display: 'Reported by app chart-app for user nurse-1' }]);
      expect((await dispatchAs(user({ id: 'nurse-1', role: 'nurse', scopes: ['user/Observation.cruds'] }), 'POST', 'AuditEvent', viewed(ids.a!))).status).toBe('forbidden');

      const patientA = user({ id: 'pat-a', role: 'patient', scopes: ['patient/*.cruds'], fhirUser: ids.a, patients: [idOf(ids.a!)] });
      expect((await dispatchAs(patientA, 'POST', 'AuditEvent', viewed(ids.a!))).status).toBe('forbidden');
      const proxy = user({ id: 'proxy-a', role: 'proxy', scopes: ['patient/*.cruds'], patients: [idOf(ids.a!)] });
      expect((await dispatchAs(proxy, 'POST', 'AuditEvent', viewed(ids.a!))).status).toBe('forbidden');

      // A physician in an app launched for patient A.
      const boundToA = user({ id: 'doc-1', role: 'physician', scopes: ['patient/AuditEvent.c'], clientId: 'launch-app', patients: [idOf(ids.a!)] });
      const before = await newest();
      expect((await dispatchAs(boundToA, 'POST', 'AuditEvent', viewed(ids.b!))).status).toBe('forbidden');
      const both = viewed(ids.a!);
      both.entity!.push({ what: { reference: ids.b }, role: { code: '1' } });
      expect((await dispatchAs(boundToA, 'POST', 'AuditEvent', both)).status).toBe('forbidden');
      const none = viewed(ids.a!);
      none.entity = [{ what: { reference: 'DocumentReference/doc-1' } }];
      expect((await dispatchAs(boundToA, 'POST', 'AuditEvent', none)).status).toBe('forbidden');
      expect((await t.store.audit.query(t.practiceId, { count: 10, afterSeq: before, ascending: true })).every((e) => e.outcome === 'failure' && e.reported === undefined)).toBe(true);
      expect((await dispatchAs(boundToA, 'POST', 'AuditEvent', viewed(ids.a!))).status).toBe(201);
    });

    it("is in the patient's accounting of disclosures, without the agents' network addresses", async () => {
      const patientA = user({ id: 'pat-a', role: 'patient', scopes: ['patient/AuditEvent.rs'], fhirUser: ids.a, patients: [idOf(ids.a!)] });
      const res = await dispatchAs(patientA, 'GET', 'AuditEvent?subtype=reported&_count=100');
      const events = ((res.body as Bundle).entry ?? []).map((e) => e.resource as AuditEvent);
      expect(events.length).toBeGreaterThan(0);
      expect(events.every((e) => e.entity!.some((x) => x.what?.reference === ids.a))).toBe(true);
      expect(events[0]!.agent[0]!.who).toEqual({ identifier: { system: 'https://viewer.example/users', value: 'dr-who' } });
      const text = JSON.stringify(events);
      expect(text).not.toContain('192.0.2.44');
      expect(text).not.toContain(ids.b);
      expect(JSON.stringify((await t.fhir('GET', `AuditEvent/${events[0]!.id}`)).body)).toContain('192.0.2.44'); // the auditor sees it
    });

    it("another practice's client reports into its own practice only", async () => {
      const other = await createPractice(t.store, `Other ${randomBytes(4).toString('hex')}`);
      const { clientId, token: otherToken } = await t.clientFor('system/AuditEvent.c system/AuditEvent.rs', other.id);
      const before = await newest();
      const res = await t.fhir('POST', 'AuditEvent', { token: otherToken, body: viewed(ids.a!) });
      expect(res.status).toBe(201);
      expect(res.body.id).toBe('1');
      expect(await newest()).toBe(before);
      expect((await t.store.audit.query(other.id, { count: 10 })).map((e) => [e.seq, e.action])).toEqual([
        [2, 'create'],
        [1, 'reported'],
      ]);
      expect((await t.fhir('GET', 'AuditEvent/1', { token: otherToken })).body.meta.tag[0].code).toBe(clientId);
      expect((await t.fhir('GET', 'AuditEvent/1', { token: reporter })).body.meta?.tag).toBeUndefined();
    });

    it('leaves a chain that verifies with every reported entry in it', async () => {
      const all = await t.store.audit.query(t.practiceId, { count: 1000, action: 'reported' });
      expect(all.length).toBeGreaterThanOrEqual(8);
      expect(await t.store.audit.verify(t.practiceId)).toEqual({ checked: await newest() });
    });
  });
}
