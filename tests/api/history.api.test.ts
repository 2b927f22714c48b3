/**
 * History at instance, type and system level: order, delete entries, `_since`, and paging by
 * following `next` links.
 * @see https://hl7.org/fhir/R4/http.html#history
 */
import { describe, expect, it } from 'vitest';
import { HeronServer, STORE_KINDS, sleep, type HttpResult, type Tenant } from '../fixtures/heron-server.ts';
import { useHeronServer } from '../fixtures/use-heron-server.ts';
import { expectOutcome, expectStatus, patient, uniqueSystem } from './fhir-expect.ts';

/** Follows next links; returns every entry and the number of pages. */
async function allHistory(t: Tenant, first: string): Promise<{ entries: any[]; pages: number; firstPage: HttpResult }> {
  const firstPage = await t.fhir('GET', first);
  let res = firstPage;
  const entries: any[] = [];
  for (let pages = 1; pages <= 100; pages++) {
    expectStatus(res, 200);
    expect(res.body.resourceType).toBe('Bundle');
    expect(res.body.type).toBe('history');
    entries.push(...(res.body.entry ?? []));
    const next = (res.body.link ?? []).find((l: any) => l.relation === 'next')?.url;
    if (!next) return { entries, pages, firstPage };
    res = await t.fhir('GET', next);
  }
  throw new Error('history paging did not end');
}

function versionKey(entry: any): string {
  if (entry.resource) return `${entry.resource.resourceType}/${entry.resource.id}/${entry.resource.meta.versionId}`;
  return entry.request?.url ?? entry.fullUrl;
}

describe.each(STORE_KINDS)('history (%s)', (kind) => {
  let server: HeronServer;
  let t: Tenant;

  useHeronServer(kind, (started) => {
    server = started;
    t = started.default;
  });

  it('instance history lists every version newest first, including the delete', async () => {
    const system = uniqueSystem('hist');
    const created = await t.fhir('POST', 'Patient', { body: patient(system, 'v1') });
    const id = created.body.id as string;
    expectStatus(await t.fhir('PUT', `Patient/${id}`, { body: { ...patient(system, 'v2'), id } }), 200);
    expectStatus(await t.fhir('PUT', `Patient/${id}`, { body: { ...patient(system, 'v3'), id } }), 200);
    expectStatus(await t.fhir('DELETE', `Patient/${id}`), [200, 204]);

    const res = await t.fhir('GET', `Patient/${id}/_history`);
    expectStatus(res, 200);
    expect(res.body.type).toBe('history');
    expect(res.body.total).toBe(4);
    const entries = res.body.entry as any[];
    expect(entries).toHaveLength(4);
    // Newest first: the delete, then versions 3, 2, 1.
    expect(entries[0].resource).toBeUndefined();
    expect(entries[0].request.method).toBe('DELETE');
    expect(entries[0].request.url).toContain(`Patient/${id}`);
    expect(entries.slice(1).map((e) => e.resource.meta.versionId)).toEqual(['3', '2', '1']);
    expect(entries.slice(1).map((e) => e.resource.name[0].given[0])).toEqual(['v3', 'v2', 'v1']);
    expect(entries[3].request.method).toBe('POST');
    expect(entries[2].request.method).toBe('PUT');
    for (const e of entries) expect(e.response?.status).toMatch(/^\d{3}/);
  });

  it('instance history of an unknown id is 404', async () => {
    expectOutcome(await t.fhir('GET', 'Patient/nope-nope/_history'), 404);
  });

  it('type history pages with _count through next links without gaps or repeats', async () => {
    // Device is used only by this test, so its type history is exactly what we wrote.
    const written = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const res = await t.fhir('POST', 'Device', { body: { resourceType: 'Device', identifier: [{ system: 'urn:dev', value: `d${i}` }] } });
      expectStatus(res, 201);
      written.add(`Device/${res.body.id}/1`);
      if (i < 2) {
        const upd = await t.fhir('PUT', `Device/${res.body.id}`, { body: { resourceType: 'Device', id: res.body.id, identifier: [{ system: 'urn:dev', value: `d${i}-b` }] } });
        expectStatus(upd, 200);
        written.add(`Device/${res.body.id}/2`);
      }
    }
    const { entries, pages, firstPage } = await allHistory(t, 'Device/_history?_count=2');
    expect(firstPage.body.total).toBe(7);
    expect(firstPage.body.entry).toHaveLength(2);
    expect(pages).toBe(4);
    const seen = entries.map(versionKey);
    expect(new Set(seen).size).toBe(seen.length);
    expect(new Set(seen)).toEqual(written);
    // Newest first across pages.
    const times = entries.map((e) => Date.parse(e.resource.meta.lastUpdated));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeLessThanOrEqual(times[i - 1]);
  });

  it('_since returns only versions after the instant, at every level', async () => {
    const system = uniqueSystem('since');
    const before = await t.fhir('POST', 'Patient', { body: patient(system, 'old') });
    expectStatus(before, 201);
    await sleep(30);
    const since = new Date().toISOString();
    await sleep(30);
    const after1 = await t.fhir('POST', 'Patient', { body: patient(system, 'new1') });
    const after2 = await t.fhir('POST', 'Location', { body: { resourceType: 'Location', name: 'since-test' } });
    expectStatus(after1, 201);
    expectStatus(after2, 201);
    const id = before.body.id as string;
    expectStatus(await t.fhir('PUT', `Patient/${id}`, { body: { ...patient(system, 'old-updated'), id } }), 200);

    const q = `_since=${encodeURIComponent(since)}`;
    const system_ = await allHistory(t, `_history?${q}`);
    const keys = new Set(system_.entries.map(versionKey));
    expect(keys).toEqual(new Set([`Patient/${after1.body.id}/1`, `Location/${after2.body.id}/1`, `Patient/${id}/2`]));

    const type = await allHistory(t, `Patient/_history?${q}`);
    expect(new Set(type.entries.map(versionKey))).toEqual(new Set([`Patient/${after1.body.id}/1`, `Patient/${id}/2`]));

    const instance = await allHistory(t, `Patient/${id}/_history?${q}`);
    expect(instance.entries.map(versionKey)).toEqual([`Patient/${id}/2`]);
  });

  it('system history pages through next links', async () => {
    const { entries, firstPage } = await allHistory(t, '_history?_count=3');
    expect(firstPage.body.entry.length).toBeLessThanOrEqual(3);
    expect(entries.length).toBe(firstPage.body.total);
    const keys = entries.map(versionKey);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('rejects a malformed _since', async () => {
    expectOutcome(await t.fhir('GET', 'Patient/_history?_since=yesterday'), 400);
  });
});
