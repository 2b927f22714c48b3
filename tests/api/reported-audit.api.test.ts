/**
 * Reporting AuditEvents to the real `heron serve`, as an app's backend would (IHE BALP: POST
 * AuditEvent), on both stores: a client registered with `heron client create --scopes
 * system/AuditEvent.c` reports an event, reads it back as sent and finds it in the audit report;
 * a client without that scope is refused; nobody can change or delete it; and `heron audit
 * verify` still finds the practice's chain intact with the reported entry in it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeronServer, runHeronJson, STORE_KINDS, Tenant } from '../fixtures/heron-server.ts';
import { expectOutcome, expectStatus } from './fhir-expect.ts';

describe.each(STORE_KINDS)('reported AuditEvents (%s)', (kind) => {
  let server: HeronServer;
  let reporter: Tenant;
  let patientRef: string;

  /** A client of the default practice with these scopes. */
  async function clientWith(scopes: string): Promise<Tenant> {
    const practiceId = server.default.practiceId;
    const c = await runHeronJson<{ client_id: string; client_secret: string }>(server.loc, ['client', 'create', '--practice', practiceId, '--scopes', scopes, '--json']);
    return new Tenant(server, practiceId, c.client_id, c.client_secret, await server.token(c.client_id, c.client_secret));
  }

  const event = () => ({
    resourceType: 'AuditEvent',
    type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110110', display: 'Patient Record' },
    action: 'R',
    recorded: '2026-12-05T08:00:00Z',
    outcome: '0',
    agent: [{ who: { display: 'Dr. Reader' }, requestor: true }],
    source: { observer: { display: 'Imaging viewer' } },
    entity: [{ what: { reference: patientRef } }],
  });

  beforeAll(async () => {
    server = await HeronServer.start(kind);
    reporter = await clientWith('system/AuditEvent.c system/AuditEvent.rs');
    const p = await server.default.fhir('POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family: 'Reported' }] } });
    expectStatus(p, 201);
    patientRef = `Patient/${p.body.id}`;
  });
  afterAll(async () => {
    await server?.close();
  });

  it('takes an event from a client with the scope, serves it back as sent and in the report, and keeps it unchangeable', async () => {
    const sent = event();
    const created = await reporter.fhir('POST', 'AuditEvent', { body: sent });
    expectStatus(created, 201);
    const location = created.headers.get('location') as string;
    const read = await reporter.fhir('GET', location);
    expectStatus(read, 200);
    const { id, meta, ...content } = read.body;
    expect(content).toEqual(sent);
    expect(meta.tag).toEqual([expect.objectContaining({ system: 'https://heron.dev/fhir/CodeSystem/reported-by', code: reporter.clientId })]);

    const report = await reporter.fhir('GET', `AuditEvent?patient=${patientRef}&_sort=date`);
    expectStatus(report, 200);
    const ids = report.body.entry.map((e: { resource: { id: string } }) => e.resource.id);
    expect(ids).toContain(id);
    expect(ids).toContain(String(Number(id) + 1)); // Heron's own entry: this client reported it

    for (const [method, path] of [['PUT', `AuditEvent/${id}`], ['PATCH', `AuditEvent/${id}`], ['DELETE', `AuditEvent/${id}`], ['DELETE', `AuditEvent?patient=${patientRef}`]] as const) {
      expectOutcome(await server.default.fhir(method, path, { body: method === 'DELETE' ? undefined : read.body }), 405);
    }
    expect((await reporter.fhir('GET', `AuditEvent/${id}`)).body).toEqual(read.body);
  });

  it('refuses a client without a scope allowing create on AuditEvent', async () => {
    const reader = await clientWith('system/AuditEvent.rs system/Patient.cruds');
    expectOutcome(await reader.fhir('POST', 'AuditEvent', { body: event() }), 403);
  });

  it('heron audit verify finds the chain intact with the reported entries in it', async () => {
    const newest = await reporter.fhir('GET', 'AuditEvent?_count=1');
    const entries = Number(newest.body.entry[0].resource.id) + 1; // and the entry of that search itself
    const verified = await runHeronJson<{ practices: { practice: string; checked: number; broken?: unknown }[] }>(server.loc, ['audit', 'verify', '--practice', server.default.practiceId, '--json']);
    expect(verified.practices).toEqual([expect.objectContaining({ practice: server.default.practiceId, checked: entries })]);
    expect(verified.practices[0]!.broken).toBeUndefined();
  });
});
