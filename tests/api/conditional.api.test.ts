/**
 * Conditional create (If-None-Exist), conditional update and conditional delete, including many
 * identical conditional creates racing each other.
 * @see https://hl7.org/fhir/R4/http.html#ccreate
 */
import { describe, expect, it } from 'vitest';
import { HeronServer, STORE_KINDS, type Tenant } from '../fixtures/heron-server.ts';
import { useHeronServer } from '../fixtures/use-heron-server.ts';
import { countMatches, expectOutcome, expectStatus, patient, searchAll, uniqueSystem, identifierQuery } from './fhir-expect.ts';

describe.each(STORE_KINDS)('conditional interactions (%s)', (kind) => {
  let server: HeronServer;
  let t: Tenant;

  useHeronServer(kind, (started) => {
    server = started;
    t = started.default;
  });


  it('If-None-Exist: no match creates, one match returns the existing resource, many matches 412', async () => {
    const system = uniqueSystem('cc');
    const first = await t.fhir('POST', 'Patient', { body: patient(system, 'one'), headers: { 'if-none-exist': identifierQuery(system, 'one') } });
    expectStatus(first, 201);
    const second = await t.fhir('POST', 'Patient', { body: patient(system, 'one'), headers: { 'if-none-exist': identifierQuery(system, 'one') } });
    expectStatus(second, 200);
    // The existing resource is identified by the body or the Location header.
    const existingId = second.body?.id ?? second.headers.get('location')?.match(/Patient\/([^/]+)/)?.[1];
    expect(existingId).toBe(first.body.id);
    expect(await countMatches(t, `Patient?${identifierQuery(system, 'one')}`)).toBe(1);

    expectStatus(await t.fhir('POST', 'Patient', { body: patient(system, 'dup') }), 201);
    expectStatus(await t.fhir('POST', 'Patient', { body: patient(system, 'dup') }), 201);
    const many = await t.fhir('POST', 'Patient', { body: patient(system, 'dup'), headers: { 'if-none-exist': identifierQuery(system, 'dup') } });
    expectOutcome(many, 412);
    expect(await countMatches(t, `Patient?${identifierQuery(system, 'dup')}`)).toBe(2);
  });

  it('If-None-Exist with an invalid search is rejected, not ignored', async () => {
    const res = await t.fhir('POST', 'Patient', { body: patient(uniqueSystem('cc'), 'x'), headers: { 'if-none-exist': 'birthdate=not-a-date' } });
    expectOutcome(res, [400, 412]);
  });

  it('conditional update: no match creates, one match updates it, many matches 412', async () => {
    const system = uniqueSystem('cu');
    const created = await t.fhir('PUT', `Patient?${identifierQuery(system, 'u')}`, { body: patient(system, 'u') });
    expectStatus(created, 201);
    const id = created.body.id as string;
    expect(created.body.meta.versionId).toBe('1');

    const updated = await t.fhir('PUT', `Patient?${identifierQuery(system, 'u')}`, { body: patient(system, 'u', { gender: 'female' }) });
    expectStatus(updated, 200);
    expect(updated.body.id).toBe(id);
    expect(updated.body.meta.versionId).toBe('2');
    expect((await t.fhir('GET', `Patient/${id}`)).body.gender).toBe('female');

    expectStatus(await t.fhir('POST', 'Patient', { body: patient(system, 'm') }), 201);
    expectStatus(await t.fhir('POST', 'Patient', { body: patient(system, 'm') }), 201);
    const many = await t.fhir('PUT', `Patient?${identifierQuery(system, 'm')}`, { body: patient(system, 'm', { gender: 'male' }) });
    expectOutcome(many, 412);
    const still = await searchAll(t, `Patient?${identifierQuery(system, 'm')}`);
    expect(still.map((p) => p.gender)).toEqual([undefined, undefined]);
  });

  it('conditional delete: one match deletes it; many matches delete all or 412; no match is fine', async () => {
    const system = uniqueSystem('cd');
    const created = await t.fhir('POST', 'Patient', { body: patient(system, 'one') });
    const del = await t.fhir('DELETE', `Patient?${identifierQuery(system, 'one')}`);
    expectStatus(del, [200, 204]);
    expect(await countMatches(t, `Patient?${identifierQuery(system, 'one')}`)).toBe(0);
    expectOutcome(await t.fhir('GET', `Patient/${created.body.id}`), 410);

    expectStatus(await t.fhir('DELETE', `Patient?${identifierQuery(system, 'none')}`), [200, 204]);

    await t.fhir('POST', 'Patient', { body: patient(system, 'many') });
    await t.fhir('POST', 'Patient', { body: patient(system, 'many') });
    const many = await t.fhir('DELETE', `Patient?${identifierQuery(system, 'many')}`);
    if (many.status === 412) {
      expectOutcome(many, 412);
      expect(await countMatches(t, `Patient?${identifierQuery(system, 'many')}`)).toBe(2);
    } else {
      expectStatus(many, [200, 204]);
      expect(await countMatches(t, `Patient?${identifierQuery(system, 'many')}`)).toBe(0);
    }
  });

  it('50 parallel identical conditional creates make exactly one resource', async () => {
    const system = uniqueSystem('race');
    const results = await Promise.all(
      Array.from({ length: 50 }, () => t.fhir('POST', 'Patient', { body: patient(system, 'same'), headers: { 'if-none-exist': identifierQuery(system, 'same') } })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201), `statuses: ${statuses.join(',')}`).toHaveLength(1);
    expect(statuses.filter((s) => s === 200), `statuses: ${statuses.join(',')}`).toHaveLength(49);
    const ids = new Set(results.map((r) => r.headers.get('location')?.match(/Patient\/([^/]+)/)?.[1] ?? r.body?.id));
    expect(ids.size).toBe(1);
    expect(await countMatches(t, `Patient?${identifierQuery(system, 'same')}`)).toBe(1);
  });

  it('50 parallel identical conditional updates make exactly one resource', async () => {
    const system = uniqueSystem('race-u');
    const results = await Promise.all(Array.from({ length: 50 }, () => t.fhir('PUT', `Patient?${identifierQuery(system, 'same')}`, { body: patient(system, 'same') })));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201), `statuses: ${statuses.join(',')}`).toHaveLength(1);
    expect(statuses.filter((s) => s === 200), `statuses: ${statuses.join(',')}`).toHaveLength(49);
    const found = await searchAll(t, `Patient?${identifierQuery(system, 'same')}`);
    expect(found).toHaveLength(1);
  });
});
