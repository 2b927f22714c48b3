/**
 * The FHIR REST API over `buildApp().inject()` with a real in-memory store: CRUD, versioning
 * headers, If-Match, conditional reads (304), Prefer, formats, and the HTTP error statuses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE, startTestApp, type Reply, type TestApp } from '../test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const patient = (value: string, extra: object = {}) => ({ resourceType: 'Patient', identifier: [{ system: 'urn:crud', value }], name: [{ family: 'Test', given: [value] }], ...extra });

function expectOutcome(res: Reply, status: number): void {
  expect(res.status, res.text.slice(0, 400)).toBe(status);
  expect(res.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
  expect(res.body?.resourceType).toBe('OperationOutcome');
  expect(['error', 'fatal']).toContain(res.body.issue[0].severity);
}

async function created(value: string): Promise<string> {
  const res = await t.fhir('POST', 'Patient', { body: patient(value) });
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}

describe('create, read, update, delete', () => {
  it('create: 201, server id, Location/ETag/Last-Modified/Content-Location, client id and meta ignored', async () => {
    const res = await t.fhir('POST', 'Patient', { body: patient('a', { id: 'mine', meta: { versionId: '9', lastUpdated: '2001-01-01T00:00:00Z', tag: [{ code: 'keep' }] } }) });
    expect(res.status, res.text).toBe(201);
    const { id, meta } = res.body;
    expect(id).not.toBe('mine');
    expect(meta.versionId).toBe('1');
    expect(meta.lastUpdated).not.toBe('2001-01-01T00:00:00Z');
    expect(meta.tag).toEqual([{ code: 'keep' }]);
    expect(res.headers.location).toBe(`${BASE}/Patient/${id}/_history/1`);
    expect(res.headers['content-location']).toBe(`${BASE}/Patient/${id}/_history/1`);
    expect(res.headers.etag).toBe('W/"1"');
    expect(res.headers['last-modified']).toBe(new Date(meta.lastUpdated).toUTCString());
  });

  it('read and HEAD: 200 with ETag; unknown 404; HEAD has no body', async () => {
    const id = await created('read');
    const read = await t.fhir('GET', `Patient/${id}`);
    expect(read.status).toBe(200);
    expect(read.body.id).toBe(id);
    expect(read.headers.etag).toBe('W/"1"');
    expect(read.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
    const head = await t.fhir('HEAD', `Patient/${id}`);
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(head.headers.etag).toBe('W/"1"');
    expectOutcome(await t.fhir('GET', 'Patient/unknown-id'), 404);
  });

  it('update, vread, delete, 410, idempotent delete, revive', async () => {
    const id = await created('v1');
    const updated = await t.fhir('PUT', `Patient/${id}`, { body: { ...patient('v2'), id } });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.headers.etag).toBe('W/"2"');
    expect(updated.headers.location).toBeUndefined();
    expect(updated.headers['content-location']).toBe(`${BASE}/Patient/${id}/_history/2`);
    expect((await t.fhir('GET', `Patient/${id}/_history/1`)).body.name[0].given).toEqual(['v1']);
    expectOutcome(await t.fhir('GET', `Patient/${id}/_history/7`), 404);

    const deleted = await t.fhir('DELETE', `Patient/${id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.headers.etag).toBe('W/"3"');
    expectOutcome(await t.fhir('GET', `Patient/${id}`), 410);
    expectOutcome(await t.fhir('GET', `Patient/${id}/_history/3`), 410);
    expect((await t.fhir('GET', `Patient/${id}/_history/2`)).status).toBe(200);
    expect((await t.fhir('DELETE', `Patient/${id}`)).status).toBe(204);
    expect((await t.fhir('DELETE', 'Patient/never-existed')).status).toBe(204);

    const revived = await t.fhir('PUT', `Patient/${id}`, { body: { ...patient('v4'), id } });
    expect(revived.status, revived.text).toBe(201);
    expect(revived.body.meta.versionId).toBe('4');
  });

  it('update-as-create with the client id', async () => {
    const res = await t.fhir('PUT', 'Patient/chosen-by-client', { body: { ...patient('uac'), id: 'chosen-by-client' } });
    expect(res.status, res.text).toBe(201);
    expect(res.headers.location).toBe(`${BASE}/Patient/chosen-by-client/_history/1`);
  });

  it('400 for id mismatch, missing id, wrong type, non-object; 422 for invalid FHIR', async () => {
    const id = await created('bad');
    expectOutcome(await t.fhir('PUT', `Patient/${id}`, { body: { ...patient('x'), id: 'other' } }), 400);
    expectOutcome(await t.fhir('PUT', `Patient/${id}`, { body: patient('x') }), 400);
    expectOutcome(await t.fhir('POST', 'Patient', { body: { resourceType: 'Observation', status: 'final', code: { text: 'x' } } }), 400);
    expectOutcome(await t.fhir('POST', 'Patient', { body: [1, 2] }), 400);
    expectOutcome(await t.fhir('POST', 'Patient', { payload: '', headers: { 'content-type': 'application/fhir+json' } }), 400);
    expectOutcome(await t.fhir('POST', 'Patient', { body: patient('x', { birthDate: '2020-13-45' }) }), 422);
    expectOutcome(await t.fhir('POST', 'Patient', { body: patient('x', { active: 'yes' }) }), 422);
    expect((await t.fhir('GET', `Patient/${id}`)).body.meta.versionId).toBe('1');
  });

  it('PATCH with JSON Patch and FHIRPath Patch; invalid result 422', async () => {
    const id = await created('patch');
    const json = await t.fhir('PATCH', `Patient/${id}`, {
      payload: JSON.stringify([{ op: 'add', path: '/gender', value: 'female' }]),
      headers: { 'content-type': 'application/json-patch+json' },
    });
    expect(json.status, json.text).toBe(200);
    expect(json.body.gender).toBe('female');
    expect(json.headers.etag).toBe('W/"2"');
    const fhirPath = await t.fhir('PATCH', `Patient/${id}`, {
      body: { resourceType: 'Parameters', parameter: [{ name: 'operation', part: [{ name: 'type', valueCode: 'replace' }, { name: 'path', valueString: 'Patient.gender' }, { name: 'value', valueCode: 'male' }] }] },
    });
    expect(fhirPath.status, fhirPath.text).toBe(200);
    expect(fhirPath.body.gender).toBe('male');
    const invalid = await t.fhir('PATCH', `Patient/${id}`, {
      payload: JSON.stringify([{ op: 'replace', path: '/gender', value: 'dragon' }]),
      headers: { 'content-type': 'application/json-patch+json' },
    });
    expectOutcome(invalid, 422);
    expectOutcome(await t.fhir('PATCH', 'Patient/missing-one', { payload: '[]', headers: { 'content-type': 'application/json-patch+json' } }), 404);
  });
});

describe('versioning headers', () => {
  it('If-Match: match updates, mismatch 412 and nothing changes; also on PATCH and DELETE', async () => {
    const id = await created('ifmatch');
    expect((await t.fhir('PUT', `Patient/${id}`, { body: { ...patient('b'), id }, headers: { 'if-match': 'W/"1"' } })).status).toBe(200);
    expectOutcome(await t.fhir('PUT', `Patient/${id}`, { body: { ...patient('c'), id }, headers: { 'if-match': 'W/"1"' } }), 412);
    expectOutcome(await t.fhir('PATCH', `Patient/${id}`, { payload: '[]', headers: { 'content-type': 'application/json-patch+json', 'if-match': '"1"' } }), 412);
    expectOutcome(await t.fhir('DELETE', `Patient/${id}`, { headers: { 'if-match': 'W/"1"' } }), 412);
    expectOutcome(await t.fhir('PUT', `Patient/${id}`, { body: { ...patient('c'), id }, headers: { 'if-match': 'garbage' } }), 400);
    const now = await t.fhir('GET', `Patient/${id}`);
    expect(now.body.meta.versionId).toBe('2');
    expect(now.body.name[0].given).toEqual(['b']);
    expect((await t.fhir('DELETE', `Patient/${id}`, { headers: { 'if-match': 'W/"2"' } })).status).toBe(204);
  });

  it('If-None-Match and If-Modified-Since give 304', async () => {
    const id = await created('inm');
    const read = await t.fhir('GET', `Patient/${id}`);
    const notModified = await t.fhir('GET', `Patient/${id}`, { headers: { 'if-none-match': 'W/"1"' } });
    expect(notModified.status).toBe(304);
    expect(notModified.text).toBe('');
    expect((await t.fhir('GET', `Patient/${id}`, { headers: { 'if-none-match': 'W/"2"' } })).status).toBe(200);
    expect((await t.fhir('GET', `Patient/${id}`, { headers: { 'if-modified-since': read.headers['last-modified'] as string } })).status).toBe(304);
    expect((await t.fhir('GET', `Patient/${id}`, { headers: { 'if-modified-since': 'Mon, 01 Jan 2001 00:00:00 GMT' } })).status).toBe(200);
  });
});

describe('Prefer', () => {
  it('return=minimal, representation, OperationOutcome', async () => {
    const minimal = await t.fhir('POST', 'Patient', { body: patient('m'), headers: { prefer: 'return=minimal' } });
    expect(minimal.status).toBe(201);
    expect(minimal.text).toBe('');
    expect(minimal.headers.location).toMatch(/\/Patient\/[^/]+\/_history\/1$/);
    const outcome = await t.fhir('POST', 'Patient', { body: patient('o'), headers: { prefer: 'return=OperationOutcome' } });
    expect(outcome.status).toBe(201);
    expect(outcome.body.resourceType).toBe('OperationOutcome');
    expect(outcome.body.issue[0].severity).toBe('information');
    const full = await t.fhir('POST', 'Patient', { body: patient('r'), headers: { prefer: 'return=representation' } });
    expect(full.body.resourceType).toBe('Patient');
  });
});

describe('formats and HTTP errors', () => {
  it('_format and Accept: JSON accepted, XML 406', async () => {
    const id = await created('fmt');
    expect((await t.fhir('GET', `Patient/${id}?_format=json`)).status).toBe(200);
    expect((await t.fhir('GET', `Patient/${id}?_format=application/fhir%2Bjson`)).status).toBe(200);
    expectOutcome(await t.fhir('GET', `Patient/${id}?_format=xml`), 406);
    expectOutcome(await t.fhir('GET', `Patient/${id}`, { headers: { accept: 'application/fhir+xml' } }), 406);
    expect((await t.fhir('GET', `Patient/${id}?_format=json`, { headers: { accept: 'application/fhir+xml' } })).status).toBe(200);
  });

  it('_pretty indents', async () => {
    const id = await created('pretty');
    expect((await t.fhir('GET', `Patient/${id}?_pretty=true`)).text).toContain('\n  "resourceType": "Patient"');
    expect((await t.fhir('GET', `Patient/${id}`)).text).not.toContain('\n');
  });

  it('415 for XML and unknown media types, 400 for broken JSON, 413 beyond the limit', async () => {
    expectOutcome(await t.fhir('POST', 'Patient', { payload: '<Patient/>', headers: { 'content-type': 'application/fhir+xml' } }), 415);
    expectOutcome(await t.fhir('POST', 'Patient', { payload: 'x', headers: { 'content-type': 'text/plain' } }), 415);
    expectOutcome(await t.fhir('POST', 'Patient', { payload: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415);
    expectOutcome(await t.fhir('POST', 'Patient', { payload: '{"resourceType":"Patient",}', headers: { 'content-type': 'application/fhir+json' } }), 400);
    expectOutcome(await t.fhir('POST', 'Patient', { payload: '{"resourceType":"Patient","resourceType":"Patient"}', headers: { 'content-type': 'application/fhir+json' } }), 400);
    const small = await startTestApp({ deps: { limits: { bodyBytes: 1024 } } });
    try {
      expectOutcome(await small.fhir('POST', 'Patient', { body: patient('x'.repeat(2000)) }), 413);
    } finally {
      await small.close();
    }
  });

  it('404 for unknown types and paths, 405 for wrong methods', async () => {
    expectOutcome(await t.fhir('GET', 'NotAType/1'), 404);
    expectOutcome(await t.fhir('GET', 'patient'), 404);
    expectOutcome(await t.fhir('GET', 'Patient/1/2/3/4/5'), 404);
    expectOutcome(await t.fhir('GET', 'Patient/$unknown-op'), 404);
    expectOutcome(await t.fhir('GET', '/nowhere'), 404);
    expectOutcome(await t.fhir('POST', 'Patient/some-id', { body: patient('x') }), 405);
    expectOutcome(await t.fhir('DELETE', 'metadata'), 405);
    expectOutcome(await t.fhir('OPTIONS', 'Patient'), 405);
    expectOutcome(await t.fhir('GET', 'Patient/bad%20id'), 400);
  });

  it('401 with WWW-Authenticate without a valid token; metadata is public', async () => {
    const none = await t.fhir('GET', 'Patient', { token: null });
    expectOutcome(none, 401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expectOutcome(await t.fhir('POST', 'Patient', { token: 'not.a.jwt', body: patient('x') }), 401);
    const metadata = await t.fhir('GET', 'metadata', { token: null });
    expect(metadata.status).toBe(200);
    expect(metadata.body.resourceType).toBe('CapabilityStatement');
    expect((await t.fhir('GET', '/healthz', { token: null })).status).toBe(200);
  });

  it('403 when the scopes do not allow the interaction', async () => {
    const readOnly = await t.tokenFor('system/Patient.read');
    expect((await t.fhir('GET', 'Patient', { token: readOnly })).status).toBe(200);
    expectOutcome(await t.fhir('POST', 'Patient', { token: readOnly, body: patient('ro') }), 403);
    expectOutcome(await t.fhir('GET', 'Observation', { token: readOnly }), 403);
  });

  it('audits successes and failures', async () => {
    t.audits.length = 0;
    const id = await created('audit');
    await t.fhir('GET', `Patient/${id}`);
    await t.fhir('GET', 'Patient/not-there');
    expect(t.audits.map((a) => [a.action, a.outcome, a.ids])).toEqual([
      ['create', 'success', [id]],
      ['read', 'success', [id]],
      ['read', 'failure', ['not-there']],
    ]);
  });
});
