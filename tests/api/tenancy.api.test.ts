/**
 * Practices are sealed from each other: a client of practice B can neither see nor change
 * practice A's records through any interaction.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeronServer, STORE_KINDS, type Tenant } from '../fixtures/heron-server.ts';
import { countMatches, expectOutcome, expectStatus, patient, uniqueSystem } from './fhir-expect.ts';

describe.each(STORE_KINDS)('tenancy (%s)', (kind) => {
  let server: HeronServer;
  let a: Tenant;
  let b: Tenant;
  let system: string;
  let patientId: string;
  let observationId: string;

  beforeAll(async () => {
    server = await HeronServer.start(kind, { practiceName: 'Practice A' });
    a = server.default;
    b = await server.addTenant('Practice B');
    system = uniqueSystem('tenant-a');
    const p = await a.fhir('POST', 'Patient', { body: patient(system, 'secret', { name: [{ family: 'Zzyzx' }] }) });
    expectStatus(p, 201);
    patientId = p.body.id;
    const o = await a.fhir('POST', 'Observation', { body: { resourceType: 'Observation', status: 'final', code: { text: 'bp' }, subject: { reference: `Patient/${patientId}` } } });
    expectStatus(o, 201);
    observationId = o.body.id;
  });
  afterAll(async () => {
    await server?.close();
  });

  const ident = () => `identifier=${encodeURIComponent(`${system}|secret`)}`;

  it('the two practices and clients are distinct', () => {
    expect(a.practiceId).not.toBe(b.practiceId);
    expect(a.clientId).not.toBe(b.clientId);
  });

  it("B cannot read or vread A's resources", async () => {
    expectOutcome(await b.fhir('GET', `Patient/${patientId}`), [403, 404]);
    expectOutcome(await b.fhir('GET', `Patient/${patientId}/_history/1`), [403, 404]);
    expectOutcome(await b.fhir('GET', `Observation/${observationId}`), [403, 404]);
    // The owner still can.
    expectStatus(await a.fhir('GET', `Patient/${patientId}`), 200);
  });

  it("B's searches never match A's resources", async () => {
    expect(await countMatches(b, `Patient?${ident()}`)).toBe(0);
    expect(await countMatches(b, `Patient?_id=${patientId}`)).toBe(0);
    expect(await countMatches(b, 'Patient?family=Zzyzx')).toBe(0);
    expect(await countMatches(b, `Observation?subject=Patient/${patientId}`)).toBe(0);
    expect(await countMatches(b, 'Patient')).toBe(0);
    // Control: the same searches find it for A.
    expect(await countMatches(a, `Patient?${ident()}`)).toBe(1);
    expect(await countMatches(a, `Observation?subject=Patient/${patientId}`)).toBe(1);
  });

  it("B's history at every level is free of A's versions", async () => {
    expectOutcome(await b.fhir('GET', `Patient/${patientId}/_history`), [403, 404]);
    for (const path of ['Patient/_history', '_history']) {
      const res = await b.fhir('GET', path);
      expectStatus(res, 200);
      expect(JSON.stringify(res.body.entry ?? [])).not.toContain(patientId);
    }
  });

  it("B's writes to A's ids never touch A's resources", async () => {
    // The batch goes first: after B's update-as-create below, B has its own Patient with this id.
    const batch = await b.fhir('POST', '', {
      body: { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: `Patient/${patientId}` } }, { request: { method: 'DELETE', url: `Patient/${patientId}` } }] },
    });
    expectStatus(batch, 200);
    expect(batch.body.entry[0].response.status).toMatch(/^(403|404)/);
    // Conditional writes first: they must not match A's Patient (B has none of its own yet).
    const condPut = await b.fhir('PUT', `Patient?${ident()}`, { body: patient(system, 'secret', { gender: 'male' }) });
    expectStatus(condPut, [201, 403, 404]);
    const condDel = await b.fhir('DELETE', `Patient?${ident()}`);
    expectStatus(condDel, [200, 204, 403, 404]);
    const put = await b.fhir('PUT', `Patient/${patientId}`, { body: { ...patient(system, 'secret', { gender: 'other' }), id: patientId } });
    // Either refused, or an update-as-create inside B's own practice.
    expectStatus(put, [201, 403, 404]);
    const del = await b.fhir('DELETE', `Observation/${observationId}`);
    expectStatus(del, [200, 204, 403, 404]);

    const mine = await a.fhir('GET', `Patient/${patientId}`);
    expectStatus(mine, 200);
    expect(mine.body.meta.versionId).toBe('1');
    expect(mine.body.gender).toBeUndefined();
    const obs = await a.fhir('GET', `Observation/${observationId}`);
    expectStatus(obs, 200);
    expect(obs.body.meta.versionId).toBe('1');
    const history = await a.fhir('GET', `Patient/${patientId}/_history`);
    expect(history.body.total).toBe(1);
  });

  it("B's client id with A's secret gets no token", async () => {
    const wrongSecret = await server.tokenRequest(b.clientId, a.clientSecret);
    expect(wrongSecret.status).toBe(401);
  });
});
