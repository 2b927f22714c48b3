/**
 * Create, read, vread, update, delete and their versioning headers, over HTTP against a real
 * `heron serve` on each store.
 * @see https://hl7.org/fhir/R4/http.html
 */
import { describe, expect, it } from 'vitest';
import { HeronServer, STORE_KINDS, type Tenant } from '../fixtures/heron-server.ts';
import { useHeronServer } from '../fixtures/use-heron-server.ts';
import { expectOutcome, expectStatus, patient, uniqueSystem, versionFromEtag } from './fhir-expect.ts';

describe.each(STORE_KINDS)('CRUD and versioning (%s)', (kind) => {
  let server: HeronServer;
  let t: Tenant;

  useHeronServer(kind, (started) => {
    server = started;
    t = started.default;
  });

  it('create answers 201 with Location, ETag, Last-Modified and the stored resource', async () => {
    const system = uniqueSystem('crud');
    const res = await t.fhir('POST', 'Patient', { body: patient(system, 'a', { id: 'client-chosen-id' }) });
    expectStatus(res, 201);
    expect(res.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    const body = res.body;
    expect(body.resourceType).toBe('Patient');
    expect(body.id).toMatch(/^[A-Za-z0-9\-.]{1,64}$/);
    // POST ignores a client-supplied id: the server assigns it.
    expect(body.id).not.toBe('client-chosen-id');
    expect(body.meta.versionId).toBe('1');
    expect(Number.isNaN(Date.parse(body.meta.lastUpdated))).toBe(false);
    expect(body.identifier).toEqual([{ system, value: 'a' }]);
    expect(res.headers.get('location')).toBe(`${server.fhirBase}/Patient/${body.id}/_history/1`);
    expect(res.headers.get('etag')).toBe('W/"1"');
    const lastModified = res.headers.get('last-modified');
    expect(lastModified).toBeTruthy();
    expect(Math.abs(Date.parse(lastModified!) - Date.parse(body.meta.lastUpdated))).toBeLessThan(1000);
  });

  it('read, update, vread, delete, 410 and history of a deleted resource', async () => {
    const system = uniqueSystem('crud');
    const created = await t.fhir('POST', 'Patient', { body: patient(system, 'v1') });
    expectStatus(created, 201);
    const id = created.body.id as string;

    const read = await t.fhir('GET', `Patient/${id}`);
    expectStatus(read, 200);
    expect(read.body.id).toBe(id);
    expect(read.headers.get('etag')).toBe('W/"1"');
    expect(read.headers.get('last-modified')).toBeTruthy();

    const updated = await t.fhir('PUT', `Patient/${id}`, { body: { ...patient(system, 'v2'), id } });
    expectStatus(updated, 200);
    expect(updated.body.meta.versionId).toBe('2');
    expect(updated.headers.get('etag')).toBe('W/"2"');
    expect(updated.body.name[0].given).toEqual(['v2']);

    const v1 = await t.fhir('GET', `Patient/${id}/_history/1`);
    expectStatus(v1, 200);
    expect(v1.body.meta.versionId).toBe('1');
    expect(v1.body.name[0].given).toEqual(['v1']);
    expect(v1.headers.get('etag')).toBe('W/"1"');
    const v2 = await t.fhir('GET', `Patient/${id}/_history/2`);
    expect(v2.body.name[0].given).toEqual(['v2']);
    expectOutcome(await t.fhir('GET', `Patient/${id}/_history/99`), 404);

    const deleted = await t.fhir('DELETE', `Patient/${id}`);
    expectStatus(deleted, [200, 204]);
    expectOutcome(await t.fhir('GET', `Patient/${id}`), 410);
    // Past versions stay readable after a delete.
    expectStatus(await t.fhir('GET', `Patient/${id}/_history/2`), 200);
    // Deleting again is not an error.
    expectStatus(await t.fhir('DELETE', `Patient/${id}`), [200, 204]);

    // A resource can be brought back by update after a delete.
    const revived = await t.fhir('PUT', `Patient/${id}`, { body: { ...patient(system, 'v4'), id } });
    expectStatus(revived, [200, 201]);
    expect(Number(revived.body.meta.versionId)).toBeGreaterThanOrEqual(4);
    expectStatus(await t.fhir('GET', `Patient/${id}`), 200);
  });

  it('404 with an OperationOutcome for unknown ids and unknown types', async () => {
    expectOutcome(await t.fhir('GET', 'Patient/does-not-exist'), 404);
    expectOutcome(await t.fhir('GET', 'NotAResource/1'), [400, 404]);
    expectStatus(await t.fhir('DELETE', 'Patient/never-existed'), [200, 204, 404]);
  });

  it('If-Match: matching version updates, stale version gives 412 and nothing changes', async () => {
    const system = uniqueSystem('ifmatch');
    const created = await t.fhir('POST', 'Patient', { body: patient(system, 'a') });
    const id = created.body.id as string;
    const ok = await t.fhir('PUT', `Patient/${id}`, { body: { ...patient(system, 'b'), id }, headers: { 'if-match': 'W/"1"' } });
    expectStatus(ok, 200);
    expect(ok.body.meta.versionId).toBe('2');
    const stale = await t.fhir('PUT', `Patient/${id}`, { body: { ...patient(system, 'c'), id }, headers: { 'if-match': 'W/"1"' } });
    expectOutcome(stale, 412);
    const now = await t.fhir('GET', `Patient/${id}`);
    expect(now.body.meta.versionId).toBe('2');
    expect(now.body.name[0].given).toEqual(['b']);
    // If-Match on delete as well.
    expectOutcome(await t.fhir('DELETE', `Patient/${id}`, { headers: { 'if-match': 'W/"1"' } }), 412);
    expectStatus(await t.fhir('GET', `Patient/${id}`), 200);
  });

  it('If-None-Match on read gives 304 when the version matches, 200 otherwise', async () => {
    const created = await t.fhir('POST', 'Patient', { body: patient(uniqueSystem('inm'), 'a') });
    const id = created.body.id as string;
    const notModified = await t.fhir('GET', `Patient/${id}`, { headers: { 'if-none-match': 'W/"1"' } });
    expect(notModified.status).toBe(304);
    expect(notModified.text).toBe('');
    const modified = await t.fhir('GET', `Patient/${id}`, { headers: { 'if-none-match': 'W/"7"' } });
    expectStatus(modified, 200);
    expect(versionFromEtag(modified.headers.get('etag'))).toBe('1');
  });

  it('Prefer: return=minimal | representation | OperationOutcome', async () => {
    const system = uniqueSystem('prefer');
    const minimal = await t.fhir('POST', 'Patient', { body: patient(system, 'm'), headers: { prefer: 'return=minimal' } });
    expectStatus(minimal, 201);
    expect(minimal.text).toBe('');
    const location = minimal.headers.get('location');
    expect(location).toMatch(/\/Patient\/[^/]+\/_history\/1$/);
    expect(minimal.headers.get('etag')).toBe('W/"1"');

    const representation = await t.fhir('POST', 'Patient', { body: patient(system, 'r'), headers: { prefer: 'return=representation' } });
    expectStatus(representation, 201);
    expect(representation.body.resourceType).toBe('Patient');

    const outcome = await t.fhir('POST', 'Patient', { body: patient(system, 'o'), headers: { prefer: 'return=OperationOutcome' } });
    expectStatus(outcome, 201);
    expect(outcome.body.resourceType).toBe('OperationOutcome');
    expect(outcome.headers.get('location')).toMatch(/\/Patient\/[^/]+\/_history\/1$/);

    const id = location!.split('/Patient/')[1].split('/')[0];
    const minimalUpdate = await t.fhir('PUT', `Patient/${id}`, { body: { ...patient(system, 'm2'), id }, headers: { prefer: 'return=minimal' } });
    expectStatus(minimalUpdate, 200);
    expect(minimalUpdate.text).toBe('');
    expect(minimalUpdate.headers.get('etag')).toBe('W/"2"');
  });

  it('update-as-create: PUT to a new id creates it with that id', async () => {
    const id = `uac-${Date.now()}-${kind}`;
    const res = await t.fhir('PUT', `Patient/${id}`, { body: { ...patient(uniqueSystem('uac'), 'a'), id } });
    expectStatus(res, 201);
    expect(res.body.id).toBe(id);
    expect(res.body.meta.versionId).toBe('1');
    expect(res.headers.get('location')).toBe(`${server.fhirBase}/Patient/${id}/_history/1`);
    expectStatus(await t.fhir('GET', `Patient/${id}`), 200);
  });

  it('PUT rejects a body whose id differs from the URL, or has no id', async () => {
    const created = await t.fhir('POST', 'Patient', { body: patient(uniqueSystem('mismatch'), 'a') });
    const id = created.body.id as string;
    expectOutcome(await t.fhir('PUT', `Patient/${id}`, { body: { ...patient('urn:x', 'b'), id: 'other-id' } }), 400);
    expectOutcome(await t.fhir('PUT', `Patient/${id}`, { body: patient('urn:x', 'b') }), 400);
    expectOutcome(await t.fhir('POST', 'Patient', { body: { resourceType: 'Observation', status: 'final', code: { text: 'x' } } }), 400);
    const unchanged = await t.fhir('GET', `Patient/${id}`);
    expect(unchanged.body.meta.versionId).toBe('1');
  });

  it('server-owned meta from the client is replaced', async () => {
    const res = await t.fhir('POST', 'Patient', {
      body: patient(uniqueSystem('meta'), 'a', { meta: { versionId: '42', lastUpdated: '2001-01-01T00:00:00Z' } }),
    });
    expectStatus(res, 201);
    expect(res.body.meta.versionId).toBe('1');
    expect(res.body.meta.lastUpdated).not.toBe('2001-01-01T00:00:00Z');
  });
});
