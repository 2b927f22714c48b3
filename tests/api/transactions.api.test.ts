/**
 * Batch and transaction Bundles: `urn:uuid:` reference resolution, all-or-nothing transactions,
 * independent batch entries, and a whole Synthea patient as one transaction.
 * @see https://hl7.org/fhir/R4/http.html#transaction
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HeronServer, REPO_ROOT, STORE_KINDS, type Tenant } from '../fixtures/heron-server.ts';
import { useHeronServer } from '../fixtures/use-heron-server.ts';
import { countMatches, expectOutcome, expectStatus, inParallel, patient, uniqueSystem, identifierQuery } from './fhir-expect.ts';

const SYNTHEA_FILE = join(REPO_ROOT, 'tests/fixtures/synthea/Alexis_Toy_68cd1181-6359-4047-a77f-a165d7912480.json');

function idFromLocation(location: string): { type: string; id: string } {
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(location);
  if (!m) throw new Error(`unexpected location ${location}`);
  return { type: m[1], id: m[2] };
}

/** Every `reference` string in a resource, contained resources included. */
function references(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) references(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') out.push(v);
      else references(v, out);
    }
  }
  return out;
}

describe.each(STORE_KINDS)('batch and transaction (%s)', (kind) => {
  let server: HeronServer;
  let t: Tenant;

  useHeronServer(kind, (started) => {
    server = started;
    t = started.default;
  });


  it('resolves urn:uuid references to the ids it assigns', async () => {
    const system = uniqueSystem('tx');
    const p = `urn:uuid:${randomUUID()}`;
    const enc = `urn:uuid:${randomUUID()}`;
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: `urn:uuid:${randomUUID()}`,
          resource: { resourceType: 'Observation', status: 'final', code: { text: 'weight' }, subject: { reference: p }, encounter: { reference: enc } },
          request: { method: 'POST', url: 'Observation' },
        },
        { fullUrl: enc, resource: { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject: { reference: p } }, request: { method: 'POST', url: 'Encounter' } },
        { fullUrl: p, resource: patient(system, 'tx'), request: { method: 'POST', url: 'Patient' } },
      ],
    };
    const res = await t.fhir('POST', '', { body: bundle });
    expectStatus(res, 200);
    expect(res.body.resourceType).toBe('Bundle');
    expect(res.body.type).toBe('transaction-response');
    const entries = res.body.entry as any[];
    expect(entries).toHaveLength(3);
    for (const e of entries) expect(e.response.status).toMatch(/^201/);
    const obs = idFromLocation(entries[0].response.location);
    const encounter = idFromLocation(entries[1].response.location);
    const pat = idFromLocation(entries[2].response.location);
    expect([obs.type, encounter.type, pat.type]).toEqual(['Observation', 'Encounter', 'Patient']);

    const readObs = await t.fhir('GET', `Observation/${obs.id}`);
    expectStatus(readObs, 200);
    expect(readObs.body.subject.reference).toBe(`Patient/${pat.id}`);
    expect(readObs.body.encounter.reference).toBe(`Encounter/${encounter.id}`);
    expect((await t.fhir('GET', `Encounter/${encounter.id}`)).body.subject.reference).toBe(`Patient/${pat.id}`);
    expect(await countMatches(t, `Patient?${identifierQuery(system, 'tx')}`)).toBe(1);
  });

  it('rolls back every entry when one entry is invalid', async () => {
    const system = uniqueSystem('rollback');
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: `urn:uuid:${randomUUID()}`, resource: patient(system, 'good'), request: { method: 'POST', url: 'Patient' } },
        { fullUrl: `urn:uuid:${randomUUID()}`, resource: patient(system, 'good2'), request: { method: 'PUT', url: `Patient/rb-${randomUUID()}` } },
        { fullUrl: `urn:uuid:${randomUUID()}`, resource: patient(system, 'bad', { birthDate: '2020-13-45' }), request: { method: 'POST', url: 'Patient' } },
      ],
    };
    bundle.entry[1].resource.id = bundle.entry[1].request.url.split('/')[1];
    const res = await t.fhir('POST', '', { body: bundle });
    expectOutcome(res, [400, 422]);
    expect(await countMatches(t, `Patient?identifier=${encodeURIComponent(system + '|')}`)).toBe(0);
    expect(await countMatches(t, `Patient?${identifierQuery(system, 'good')}`)).toBe(0);
    expectStatus(await t.fhir('GET', bundle.entry[1].request.url), 404);
  });

  it('rolls back earlier writes when a later entry fails its If-Match', async () => {
    const system = uniqueSystem('rollback-412');
    const existing = await t.fhir('POST', 'Patient', { body: patient(system, 'existing') });
    const id = existing.body.id as string;
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: `urn:uuid:${randomUUID()}`, resource: patient(system, 'new'), request: { method: 'POST', url: 'Patient' } },
        { resource: { ...patient(system, 'existing', { gender: 'other' }), id }, request: { method: 'PUT', url: `Patient/${id}`, ifMatch: 'W/"5"' } },
      ],
    };
    const res = await t.fhir('POST', '', { body: bundle });
    expectOutcome(res, [409, 412]);
    expect(await countMatches(t, `Patient?${identifierQuery(system, 'new')}`)).toBe(0);
    const after = await t.fhir('GET', `Patient/${id}`);
    expect(after.body.meta.versionId).toBe('1');
    expect(after.body.gender).toBeUndefined();
  });

  it('batch entries succeed or fail independently', async () => {
    const system = uniqueSystem('batch');
    const bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: patient(system, 'ok'), request: { method: 'POST', url: 'Patient' } },
        { resource: patient(system, 'bad', { birthDate: 'yesterday' }), request: { method: 'POST', url: 'Patient' } },
        { request: { method: 'GET', url: 'Patient/does-not-exist' } },
        { resource: patient(system, 'ok2'), request: { method: 'POST', url: 'Patient' } },
      ],
    };
    const res = await t.fhir('POST', '', { body: bundle });
    expectStatus(res, 200);
    expect(res.body.type).toBe('batch-response');
    const entries = res.body.entry as any[];
    expect(entries).toHaveLength(4);
    expect(entries[0].response.status).toMatch(/^201/);
    expect(entries[1].response.status).toMatch(/^4(00|22)/);
    expect(entries[1].response.outcome?.resourceType).toBe('OperationOutcome');
    expect(entries[2].response.status).toMatch(/^404/);
    expect(entries[3].response.status).toMatch(/^201/);
    expect(await countMatches(t, `Patient?${identifierQuery(system, 'ok')}`)).toBe(1);
    expect(await countMatches(t, `Patient?${identifierQuery(system, 'ok2')}`)).toBe(1);
    expect(await countMatches(t, `Patient?${identifierQuery(system, 'bad')}`)).toBe(0);
  });

  it('rejects a Bundle that is neither batch nor transaction', async () => {
    const res = await t.fhir('POST', '', { body: { resourceType: 'Bundle', type: 'collection', entry: [] } });
    expectOutcome(res, [400, 422]);
    expectOutcome(await t.fhir('POST', '', { body: patient('urn:x', 'y') }), [400, 422]);
  });

  it('imports a whole Synthea patient as one transaction, all references resolved', async () => {
    const bundle = JSON.parse(readFileSync(SYNTHEA_FILE, 'utf8'));
    const res = await t.fhir('POST', '', { body: bundle });
    expectStatus(res, 200);
    expect(res.body.type).toBe('transaction-response');
    const entries = res.body.entry as any[];
    expect(entries).toHaveLength(bundle.entry.length);
    const created = entries.map((e: any, i: number) => {
      expect(e.response.status, `entry ${i}`).toMatch(/^201/);
      const loc = idFromLocation(e.response.location);
      expect(loc.type).toBe(bundle.entry[i].resource.resourceType);
      return loc;
    });
    const known = new Set(created.map((c) => `${c.type}/${c.id}`));
    const patientId = created[bundle.entry.findIndex((e: any) => e.resource.resourceType === 'Patient')].id;

    const resources = await inParallel(created, 8, async (c) => {
      const r = await t.fhir('GET', `${c.type}/${c.id}`);
      expectStatus(r, 200);
      return r.body;
    });
    for (const resource of resources) {
      for (const ref of references(resource)) {
        if (ref.startsWith('#')) continue; // contained (Claim #referral / #coverage)
        expect(ref, `${resource.resourceType}/${resource.id}`).not.toMatch(/^urn:uuid:/);
        expect(known.has(ref), `${resource.resourceType}/${resource.id} -> ${ref}`).toBe(true);
      }
    }
    const observations = bundle.entry.filter((e: any) => e.resource.resourceType === 'Observation').length;
    expect(await countMatches(t, `Observation?subject=${encodeURIComponent(`Patient/${patientId}`)}&_count=50`)).toBe(observations);
    const synthea = bundle.entry[0].resource.identifier[0];
    expect(await countMatches(t, `Patient?${identifierQuery(synthea.system, synthea.value)}`)).toBe(1);
  });
});
