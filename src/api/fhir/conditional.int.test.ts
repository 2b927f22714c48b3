/**
 * Conditional create, update, delete and patch over `buildApp().inject()`, on SQLite and
 * PostgreSQL, including 50 identical conditional creates racing each other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startTestApp, type TestApp } from '../test-app.ts';

describe.each(['sqlite', 'postgres'] as const)('conditional interactions (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ kind });
  });
  afterAll(async () => {
    await t?.close();
  });

  const system = () => `urn:cond:${randomUUID()}`;
  const patient = (sys: string, value: string, extra: object = {}) => ({ resourceType: 'Patient', identifier: [{ system: sys, value }], ...extra });
  const ident = (sys: string, value: string) => `identifier=${encodeURIComponent(`${sys}|${value}`)}`;
  const count = async (query: string) => ((await t.fhir('GET', `Patient?${query}&_summary=count`)).body.total as number);

  it('If-None-Exist: none -> 201, one -> 200 with it, many -> 412; bad criteria 400', async () => {
    const sys = system();
    const first = await t.fhir('POST', 'Patient', { body: patient(sys, 'a'), headers: { 'if-none-exist': ident(sys, 'a') } });
    expect(first.status, first.text).toBe(201);
    const again = await t.fhir('POST', 'Patient', { body: patient(sys, 'a'), headers: { 'if-none-exist': `Patient?${ident(sys, 'a')}` } });
    expect(again.status, again.text).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.meta.versionId).toBe('1');

    await t.fhir('POST', 'Patient', { body: patient(sys, 'dup') });
    await t.fhir('POST', 'Patient', { body: patient(sys, 'dup') });
    expect((await t.fhir('POST', 'Patient', { body: patient(sys, 'dup'), headers: { 'if-none-exist': ident(sys, 'dup') } })).status).toBe(412);
    expect((await t.fhir('POST', 'Patient', { body: patient(sys, 'x'), headers: { 'if-none-exist': 'birthdate=not-a-date' } })).status).toBe(400);
    expect((await t.fhir('POST', 'Patient', { body: patient(sys, 'x'), headers: { 'if-none-exist': 'no-such-param=1' } })).status).toBe(400);
  });

  it('conditional update: none -> create, one -> update, many -> 412, id mismatch -> 400', async () => {
    const sys = system();
    const made = await t.fhir('PUT', `Patient?${ident(sys, 'u')}`, { body: patient(sys, 'u') });
    expect(made.status, made.text).toBe(201);
    const id = made.body.id as string;
    const updated = await t.fhir('PUT', `Patient?${ident(sys, 'u')}`, { body: patient(sys, 'u', { gender: 'female' }) });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.body.id).toBe(id);
    expect(updated.body.meta.versionId).toBe('2');
    expect((await t.fhir('PUT', `Patient?${ident(sys, 'u')}`, { body: patient(sys, 'u', { id: 'another' }) })).status).toBe(400);
    expect((await t.fhir('PUT', `Patient?${ident(sys, 'u')}`, { body: patient(sys, 'u', { id }) })).status).toBe(200);

    const withId = await t.fhir('PUT', `Patient?${ident(sys, 'new')}`, { body: patient(sys, 'new', { id: `cu-${randomUUID()}` }) });
    expect(withId.status, withId.text).toBe(201);
    // An id that exists but does not match the criteria is a conflict, not an overwrite.
    expect((await t.fhir('PUT', `Patient?${ident(sys, 'other')}`, { body: patient(sys, 'other', { id }) })).status).toBe(409);

    await t.fhir('POST', 'Patient', { body: patient(sys, 'm') });
    await t.fhir('POST', 'Patient', { body: patient(sys, 'm') });
    expect((await t.fhir('PUT', `Patient?${ident(sys, 'm')}`, { body: patient(sys, 'm') })).status).toBe(412);
    expect((await t.fhir('PUT', 'Patient', { body: patient(sys, 'm') })).status).toBe(400);
  });

  it('conditional delete (single): none -> 204, one -> deleted, many -> 412', async () => {
    const sys = system();
    const made = await t.fhir('POST', 'Patient', { body: patient(sys, 'd') });
    expect((await t.fhir('DELETE', `Patient?${ident(sys, 'd')}`)).status).toBe(204);
    expect((await t.fhir('GET', `Patient/${made.body.id}`)).status).toBe(410);
    expect((await t.fhir('DELETE', `Patient?${ident(sys, 'none')}`)).status).toBe(204);
    await t.fhir('POST', 'Patient', { body: patient(sys, 'm') });
    await t.fhir('POST', 'Patient', { body: patient(sys, 'm') });
    expect((await t.fhir('DELETE', `Patient?${ident(sys, 'm')}`)).status).toBe(412);
    expect(await count(ident(sys, 'm'))).toBe(2);
  });

  it('conditional patch: none -> 404, one -> patched', async () => {
    const sys = system();
    const made = await t.fhir('POST', 'Patient', { body: patient(sys, 'p') });
    const ops = JSON.stringify([{ op: 'add', path: '/active', value: true }]);
    const headers = { 'content-type': 'application/json-patch+json' };
    const patched = await t.fhir('PATCH', `Patient?${ident(sys, 'p')}`, { payload: ops, headers });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.id).toBe(made.body.id);
    expect(patched.body.active).toBe(true);
    expect((await t.fhir('PATCH', `Patient?${ident(sys, 'none')}`, { payload: ops, headers })).status).toBe(404);
  });

  it('50 parallel identical conditional creates make exactly one resource', async () => {
    const sys = system();
    const results = await Promise.all(
      Array.from({ length: 50 }, () => t.fhir('POST', 'Patient', { body: patient(sys, 'same'), headers: { 'if-none-exist': ident(sys, 'same') } })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201), statuses.join(',')).toHaveLength(1);
    expect(statuses.filter((s) => s === 200), statuses.join(',')).toHaveLength(49);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(await count(ident(sys, 'same'))).toBe(1);
  });

  it('50 parallel identical conditional updates make exactly one resource', async () => {
    const sys = system();
    const results = await Promise.all(Array.from({ length: 50 }, () => t.fhir('PUT', `Patient?${ident(sys, 'same')}`, { body: patient(sys, 'same') })));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201), statuses.join(',')).toHaveLength(1);
    expect(statuses.filter((s) => s === 200), statuses.join(',')).toHaveLength(49);
    expect(await count(ident(sys, 'same'))).toBe(1);
  });
});
