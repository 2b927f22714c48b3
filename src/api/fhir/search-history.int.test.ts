/**
 * Search, history, $validate and the CapabilityStatement over `buildApp().inject()` with a real
 * in-memory store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { BASE, ORIGIN, startTestApp, type TestApp } from '../test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const patient = (sys: string, value: string, extra: object = {}) => ({
  resourceType: 'Patient',
  identifier: [{ system: sys, value }],
  name: [{ family: 'Heron', given: [value] }],
  text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' },
  ...extra,
});
const ident = (sys: string) => `identifier=${encodeURIComponent(`${sys}|`)}`;
const link = (bundle: { link?: { relation: string; url: string }[] }, relation: string) => bundle.link?.find((l) => l.relation === relation)?.url;

describe('search', () => {
  it('type search returns a searchset with fullUrl, search.mode and self/next links that page', async () => {
    const sys = `urn:search:${randomUUID()}`;
    for (const v of ['a', 'b', 'c']) expect((await t.fhir('POST', 'Patient', { body: patient(sys, v, { gender: 'female' }) })).status).toBe(201);
    const all = await t.fhir('GET', `Patient?identifier=${encodeURIComponent(sys)}|a,${encodeURIComponent(sys)}|b,${encodeURIComponent(sys)}|c&_count=2`);
    expect(all.status, all.text).toBe(200);
    expect(all.body.type).toBe('searchset');
    expect(all.body.entry).toHaveLength(2);
    const [first] = all.body.entry;
    expect(first.fullUrl).toBe(`${BASE}/Patient/${first.resource.id}`);
    expect(first.search.mode).toBe('match');
    expect(link(all.body, 'self')).toMatch(new RegExp(`^${BASE}/Patient\\?`));
    const next = link(all.body, 'next');
    expect(next).toContain('_cursor=');
    const page2 = await t.fhir('GET', next!);
    expect(page2.status, page2.text).toBe(200);
    expect(page2.body.entry).toHaveLength(1);
  });

  it('POST _search with a form body equals GET', async () => {
    const sys = `urn:search:${randomUUID()}`;
    await t.fhir('POST', 'Patient', { body: patient(sys, 'form') });
    const res = await t.fhir('POST', 'Patient/_search', {
      payload: new URLSearchParams({ identifier: `${sys}|form` }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.entry).toHaveLength(1);
  });

  it('_summary=count, _summary=true, _elements and _summary=data', async () => {
    const sys = `urn:search:${randomUUID()}`;
    await t.fhir('POST', 'Patient', { body: patient(sys, 's', { gender: 'male', maritalStatus: { text: 'single' } }) });
    const count = await t.fhir('GET', `Patient?${ident(sys)}&_summary=count`);
    expect(count.body.total).toBe(1);
    expect(count.body.entry).toBeUndefined();

    const summary = (await t.fhir('GET', `Patient?${ident(sys)}&_summary=true`)).body.entry[0].resource;
    expect(summary.gender).toBe('male');
    expect(summary.maritalStatus).toBeUndefined();
    expect(summary.text).toBeUndefined();
    expect(summary.meta.tag).toContainEqual(expect.objectContaining({ code: 'SUBSETTED' }));

    const elements = (await t.fhir('GET', `Patient?${ident(sys)}&_elements=maritalStatus`)).body.entry[0].resource;
    expect(Object.keys(elements).sort()).toEqual(['id', 'maritalStatus', 'meta', 'resourceType']);

    const data = (await t.fhir('GET', `Patient?${ident(sys)}&_summary=data`)).body.entry[0].resource;
    expect(data.text).toBeUndefined();
    expect(data.maritalStatus).toEqual({ text: 'single' });
    expect((await t.fhir('GET', `Patient?${ident(sys)}&_summary=bogus`)).status).toBe(400);
  });

  it('unknown parameters: warning outcome entry when lenient, 400 when strict', async () => {
    const lenient = await t.fhir('GET', 'Patient?no-such-param=1&_count=1');
    expect(lenient.status, lenient.text).toBe(200);
    const outcome = lenient.body.entry.find((e: { search?: { mode: string } }) => e.search?.mode === 'outcome');
    expect(outcome.resource.resourceType).toBe('OperationOutcome');
    const strict = await t.fhir('GET', 'Patient?no-such-param=1', { headers: { prefer: 'handling=strict' } });
    expect(strict.status).toBe(400);
  });

  it('system search with _type', async () => {
    const sys = `urn:search:${randomUUID()}`;
    await t.fhir('POST', 'Patient', { body: patient(sys, 'sys') });
    const res = await t.fhir('GET', `?_type=Patient&${ident(sys)}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.entry).toHaveLength(1);
    expect((await t.fhir('GET', '?_type=Nope')).status).toBe(400);
  });
});

describe('history', () => {
  it('instance history: newest first, delete entry without resource, request/response per version', async () => {
    const sys = `urn:hist:${randomUUID()}`;
    const id = (await t.fhir('POST', 'Patient', { body: patient(sys, 'v1') })).body.id;
    await t.fhir('PUT', `Patient/${id}`, { body: { ...patient(sys, 'v2'), id } });
    await t.fhir('DELETE', `Patient/${id}`);
    const res = await t.fhir('GET', `Patient/${id}/_history`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.type).toBe('history');
    expect(res.body.total).toBe(3);
    const entries = res.body.entry;
    expect(entries.map((e: { request: { method: string } }) => e.request.method)).toEqual(['DELETE', 'PUT', 'POST']);
    expect(entries[0].resource).toBeUndefined();
    expect(entries[0].response).toMatchObject({ status: '204 No Content', etag: 'W/"3"' });
    expect(entries[2].request.url).toBe('Patient');
    expect(entries[2].response.status).toBe('201 Created');
    expect(entries[1].fullUrl).toBe(`${BASE}/Patient/${id}`);
  });

  it('type and system history page with _count; _since filters; bad _since 400; unknown id 404', async () => {
    for (let i = 0; i < 3; i++) await t.fhir('POST', 'Device', { body: { resourceType: 'Device', identifier: [{ value: `d${i}` }] } });
    const page1 = await t.fhir('GET', 'Device/_history?_count=2');
    expect(page1.body.total).toBe(3);
    expect(page1.body.entry).toHaveLength(2);
    const page2 = await t.fhir('GET', link(page1.body, 'next')!);
    expect(page2.body.entry).toHaveLength(1);
    const since = new Date(Date.now() + 60_000).toISOString();
    expect((await t.fhir('GET', `_history?_since=${encodeURIComponent(since)}`)).body.entry).toBeUndefined();
    expect((await t.fhir('GET', '_history?_count=1')).body.entry).toHaveLength(1);
    expect((await t.fhir('GET', 'Patient/_history?_since=yesterday')).status).toBe(400);
    expect((await t.fhir('GET', 'Patient/nope-nope/_history')).status).toBe(404);
  });
});

describe('$validate and metadata', () => {
  it('validates a resource or Parameters{resource} without storing it', async () => {
    const good = await t.fhir('POST', 'Patient/$validate', { body: { resourceType: 'Patient', gender: 'female' } });
    expect(good.status, good.text).toBe(200);
    expect(good.body.issue[0].severity).toBe('information');
    const bad = await t.fhir('POST', 'Patient/$validate', { body: { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: { resourceType: 'Patient', gender: 'dragon' } }] } });
    expect(bad.status).toBe(200);
    expect(bad.body.issue.some((i: { severity: string }) => i.severity === 'error')).toBe(true);
    const id = (await t.fhir('POST', 'Patient', { body: { resourceType: 'Patient' } })).body.id;
    expect((await t.fhir('GET', `Patient/${id}/$validate`)).body.issue[0].severity).toBe('information');
  });

  it('the CapabilityStatement lists what is implemented', async () => {
    const cs = (await t.fhir('GET', 'metadata', { token: null })).body;
    expect(cs).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1', kind: 'instance', status: 'active' });
    const rest = cs.rest[0];
    const p = rest.resource.find((r: { type: string }) => r.type === 'Patient');
    expect(p).toMatchObject({ versioning: 'versioned-update', readHistory: true, updateCreate: true, conditionalCreate: true, conditionalDelete: 'single' });
    expect(p.searchParam.map((s: { name: string }) => s.name)).toEqual(expect.arrayContaining(['identifier', 'name', 'birthdate']));
    expect(rest.interaction.map((i: { code: string }) => i.code).sort()).toEqual(['batch', 'history-system', 'search-system', 'transaction']);
    expect(JSON.stringify(rest.security)).toContain(`${ORIGIN}/oauth2/token`);
    expect(cs.implementation.url).toBe(BASE);
  });
});
