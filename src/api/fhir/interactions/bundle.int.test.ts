/**
 * Batch and transaction Bundles end to end through `dispatch` over a real (in-memory SQLite)
 * store: reference resolution, processing order, rollback, conditional references and creates,
 * batch independence, and a whole Synthea patient.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discardingAuditSink } from '../../../domain/audit/audit-sink.ts';
import { type Ctx, systemCtx } from '../../../domain/context.ts';
import { createPractice } from '../../../domain/practices/create-practice.ts';
import { FhirError } from '../../../fhir/outcome.ts';
import { extractIndexRows } from '../../../fhir/search/extract.ts';
import { openStore } from '../../../store/open-store.ts';
import type { FhirStore } from '../../../store/store.ts';
import { dispatch } from '../dispatch.ts';
import type { FhirRequest, FhirResponse } from '../fhir-request.ts';
import { processBundle } from './bundle.ts';

/** The store and ctx of the store kind under test (set in its `beforeAll`). */
let store: FhirStore;
let ctx: Ctx;

const BASE = 'http://heron.test/fhir/R4';
const SYNTHEA = new URL('../../../../tests/fixtures/synthea/Alexis_Toy_68cd1181-6359-4047-a77f-a165d7912480.json', import.meta.url);

function request(method: FhirRequest['method'], path: string, body?: unknown, headers: FhirRequest['headers'] = {}): FhirRequest {
  const q = path.indexOf('?');
  return { method, path: q < 0 ? path : path.slice(0, q), query: new URLSearchParams(q < 0 ? '' : path.slice(q + 1)), headers, body, baseUrl: BASE };
}

async function post(bundle: object, prefer?: string): Promise<BundleEntry[]> {
  const res = await processBundle(ctx, request('POST', '', bundle, prefer ? { prefer } : {}));
  expect(res.status).toBe(200);
  return (res.body as Bundle).entry ?? [];
}

async function failure(bundle: object): Promise<FhirError> {
  try {
    await processBundle(ctx, request('POST', '', bundle));
  } catch (e) {
    if (e instanceof FhirError) return e;
    throw e;
  }
  throw new Error('the Bundle was accepted');
}

async function read(reference: string): Promise<FhirResponse> {
  return dispatch(ctx, request('GET', reference));
}

async function search(query: string): Promise<Resource[]> {
  const res = await dispatch(ctx, request('GET', query));
  return ((res.body as Bundle).entry ?? []).filter((e) => (e.search?.mode ?? 'match') === 'match').map((e) => e.resource as Resource);
}

/** `…/Patient/123/_history/1` -> `Patient/123`. */
function identity(location: string | undefined): string {
  const m = /([A-Z][A-Za-z]+\/[^/]+)\/_history\/[^/]+$/.exec(location ?? '');
  if (!m) throw new Error(`unexpected location ${location}`);
  return m[1];
}

const urn = () => `urn:uuid:${randomUUID()}`;
const patient = (system: string, value: string, extra: object = {}) => ({ resourceType: 'Patient', identifier: [{ system, value }], ...extra });
const tx = (entry: object[]) => ({ resourceType: 'Bundle', type: 'transaction', entry });
const postEntry = (fullUrl: string | undefined, resource: object, extra: object = {}) => ({ fullUrl, resource, request: { method: 'POST', url: (resource as Resource).resourceType, ...extra } });

/** Every `reference` in a value, contained resources included. */
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

const PG_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

describe.each(['sqlite', 'postgres'] as const)('bundles (%s)', (kind) => {
  const schema = `heron_bundle_${randomUUID().replaceAll('-', '').slice(0, 16)}`;

  beforeAll(async () => {
    store = kind === 'sqlite' ? await openStore({ memory: true, indexer: extractIndexRows }) : await openStore({ databaseUrl: PG_URL, schema, indexer: extractIndexRows });
    await store.migrate();
    const practice = await createPractice(store, `Bundle tests ${randomUUID()}`);
    ctx = systemCtx(store, practice.id, discardingAuditSink);
  });
  afterAll(async () => {
    await store?.close();
    if (kind === 'postgres') {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    }
  });

  describe('transaction', () => {
    it('resolves forward, backward and cyclic urn:uuid references, contained ones too', async () => {
      const system = `urn:test:${randomUUID()}`;
      const [a, b, enc, obs] = [urn(), urn(), urn(), urn()];
      const entries = await post(
        tx([
          postEntry(obs, {
            resourceType: 'Observation',
            status: 'final',
            code: { text: 'x' },
            subject: { reference: a },
            encounter: { reference: enc },
            contained: [{ resourceType: 'Patient', id: 'c1', link: [{ other: { reference: b }, type: 'seealso' }] }],
            performer: [{ reference: '#c1' }],
          }),
          postEntry(enc, { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject: { reference: a } }),
          postEntry(a, patient(system, 'a', { link: [{ other: { reference: b }, type: 'seealso' }] })),
          postEntry(b, patient(system, 'b', { link: [{ other: { reference: a }, type: 'seealso' }] })),
        ]),
      );
      expect(entries.map((e) => e.response?.status)).toEqual(['201 Created', '201 Created', '201 Created', '201 Created']);
      const [obsId, encId, aId, bId] = entries.map((e) => identity(e.response?.location));
      expect([obsId, encId, aId, bId].map((i) => i.split('/')[0])).toEqual(['Observation', 'Encounter', 'Patient', 'Patient']);
      expect(entries[0].response?.etag).toBe('W/"1"');
      expect(Number.isNaN(Date.parse(entries[0].response?.lastModified ?? ''))).toBe(false);

      const observation = (await read(obsId)).body as any;
      expect(observation.subject.reference).toBe(aId);
      expect(observation.encounter.reference).toBe(encId);
      expect(observation.contained[0].link[0].other.reference).toBe(bId);
      expect(observation.performer[0].reference).toBe('#c1');
      expect(((await read(aId)).body as any).link[0].other.reference).toBe(bId);
      expect(((await read(bId)).body as any).link[0].other.reference).toBe(aId);
    });

    it('returns resources when the Bundle prefers representation', async () => {
      const entries = await post(tx([postEntry(urn(), patient(`urn:test:${randomUUID()}`, 'r'))]), 'return=representation');
      expect(entries[0].resource?.resourceType).toBe('Patient');
      expect(entries[0].fullUrl).toBe(`${BASE}/Patient/${entries[0].resource?.id}`);
    });

    it('processes DELETE, POST, PUT, GET in that order and answers in Bundle order', async () => {
      const system = `urn:test:${randomUUID()}`;
      const [kept] = await post(tx([postEntry(undefined, patient(system, 'kept'))]));
      const [gone] = await post(tx([postEntry(undefined, patient(system, 'gone'))]));
      const keptId = identity(kept.response?.location);
      const goneId = identity(gone.response?.location);
      const entries = await post(
        tx([
          { request: { method: 'GET', url: keptId } },
          { resource: { ...patient(system, 'kept', { gender: 'female' }), id: keptId.split('/')[1] }, request: { method: 'PUT', url: keptId } },
          // The condition matches "gone" unless the DELETE below runs first.
          postEntry(urn(), patient(system, 'new'), { ifNoneExist: `identifier=${system}|gone` }),
          { request: { method: 'DELETE', url: goneId } },
        ]),
      );
      expect(entries.map((e) => e.response?.status.split(' ')[0])).toEqual(['200', '200', '201', expect.stringMatching(/^20[04]$/)]);
      expect((entries[0].resource as any).gender).toBe('female'); // the GET ran after the PUT
      expect(entries[0].resource?.meta?.versionId).toBe('2');
      await expect(read(goneId)).rejects.toMatchObject({ category: 'gone' });
    });

    it('applies a JSON Patch carried in a Binary entry', async () => {
      const system = `urn:test:${randomUUID()}`;
      const [created] = await post(tx([postEntry(undefined, patient(system, 'p'))]));
      const id = identity(created.response?.location);
      const data = Buffer.from(JSON.stringify([{ op: 'add', path: '/gender', value: 'male' }])).toString('base64');
      const [patched] = await post(tx([{ resource: { resourceType: 'Binary', contentType: 'application/json-patch+json', data }, request: { method: 'PATCH', url: id } }]));
      expect(patched.response?.status).toBe('200 OK');
      expect(patched.response?.etag).toBe('W/"2"');
      expect(((await read(id)).body as any).gender).toBe('male');
    });

    it('rolls back every entry when one fails, and says which', async () => {
      const system = `urn:test:${randomUUID()}`;
      const putId = `rb-${randomUUID()}`;
      const error = await failure(
        tx([
          postEntry(urn(), patient(system, 'good')),
          { resource: { ...patient(system, 'good2'), id: putId }, request: { method: 'PUT', url: `Patient/${putId}` } },
          postEntry(urn(), patient(system, 'bad', { birthDate: '2020-13-45' })),
        ]),
      );
      expect(['invalid', 'unprocessable']).toContain(error.category);
      expect(error.issues.some((i) => i.expression?.some((e) => e.startsWith('Bundle.entry[2]')))).toBe(true);
      expect(await search(`Patient?identifier=${encodeURIComponent(system + '|')}`)).toHaveLength(0);
      await expect(read(`Patient/${putId}`)).rejects.toMatchObject({ category: 'not-found' });
    });

    it('resolves conditional references and fails on none or several matches', async () => {
      const system = `urn:test:${randomUUID()}`;
      const [one] = await post(tx([postEntry(undefined, patient(system, 'one'))]));
      await post(tx([postEntry(undefined, patient(system, 'twin')), postEntry(undefined, patient(system, 'twin'))]));
      const obs = (subject: string) => postEntry(urn(), { resourceType: 'Observation', status: 'final', code: { text: 'c' }, subject: { reference: subject } });

      const [created] = await post(tx([obs(`Patient?identifier=${system}|one`), obs(`Patient?identifier=${system}|one`)]));
      expect(((await read(identity(created.response?.location))).body as any).subject.reference).toBe(identity(one.response?.location));
      expect((await failure(tx([obs(`Patient?identifier=${system}|twin`)]))).category).toBe('precondition-failed');
      expect((await failure(tx([obs(`Patient?identifier=${system}|nobody`)]))).category).toBe('invalid');
    });

    it('maps the fullUrl of a conditional create that matches to the existing resource', async () => {
      const system = `urn:test:${randomUUID()}`;
      const [existing] = await post(tx([postEntry(undefined, patient(system, 'x'))]));
      const p = urn();
      const entries = await post(
        tx([
          postEntry(p, patient(system, 'x'), { ifNoneExist: `identifier=${system}|x` }),
          postEntry(urn(), { resourceType: 'Observation', status: 'final', code: { text: 'c' }, subject: { reference: p } }),
        ]),
      );
      expect(entries[0].response?.status).toBe('200 OK');
      const obs = (await read(identity(entries[1].response?.location))).body as any;
      expect(obs.subject.reference).toBe(identity(existing.response?.location));
      expect(await search(`Patient?identifier=${encodeURIComponent(`${system}|x`)}`)).toHaveLength(1);
    });

    it('refuses duplicate fullUrls, unresolvable urn references and a resource changed twice', async () => {
      const system = `urn:test:${randomUUID()}`;
      const p = urn();
      const dup = await failure(tx([postEntry(p, patient(system, 'a')), postEntry(p, patient(system, 'b'))]));
      expect(dup.category).toBe('invalid');
      expect(dup.issues[0].expression).toContain('Bundle.entry[1].fullUrl');
      const dangling = await failure(tx([postEntry(urn(), { resourceType: 'Observation', status: 'final', code: { text: 'c' }, subject: { reference: urn() } })]));
      expect(dangling.category).toBe('invalid');
      const twice = await failure(tx([{ request: { method: 'DELETE', url: 'Patient/t1' } }, { resource: patient(system, 't', { id: 't1' }), request: { method: 'PUT', url: 'Patient/t1' } }]));
      expect(twice.category).toBe('invalid');
      expect(await search(`Patient?identifier=${encodeURIComponent(system + '|')}`)).toHaveLength(0);
    });

    it('imports a whole Synthea patient with every reference resolved', async () => {
      const bundle = JSON.parse(readFileSync(SYNTHEA, 'utf8')) as Bundle;
      const count = bundle.entry!.length;
      const started = performance.now();
      const entries = await post(bundle);
      const ms = performance.now() - started;
      console.log(`Synthea transaction: ${count} entries in ${ms.toFixed(0)} ms (${Math.round((count / ms) * 1000)} resources/s)`);
      expect(entries).toHaveLength(count);
      const created = entries.map((e, i) => {
        expect(e.response?.status, `entry ${i}`).toBe('201 Created');
        const id = identity(e.response?.location);
        expect(id.split('/')[0]).toBe(bundle.entry![i].resource!.resourceType);
        return id;
      });
      const known = new Set(created);
      for (const id of created) {
        const resource = (await read(id)).body;
        for (const ref of references(resource)) {
          if (!ref.startsWith('#')) expect(known.has(ref), `${id} -> ${ref}`).toBe(true);
        }
      }
    });
  });

  describe('batch', () => {
    it('runs entries independently and reports each', async () => {
      const system = `urn:test:${randomUUID()}`;
      const entries = await post({
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          { resource: patient(system, 'ok'), request: { method: 'POST', url: 'Patient' } },
          { resource: patient(system, 'bad', { birthDate: 'yesterday' }), request: { method: 'POST', url: 'Patient' } },
          { request: { method: 'GET', url: 'Patient/does-not-exist' } },
          { request: { method: 'GET' } },
          { resource: patient(system, 'ok2'), request: { method: 'POST', url: 'Patient' } },
        ],
      });
      expect(entries.map((e) => e.response?.status.split(' ')[0])).toEqual(['201', expect.stringMatching(/^4(00|22)$/), '404', '400', '201']);
      expect(entries[1].response?.outcome?.resourceType).toBe('OperationOutcome');
      expect(entries[3].response?.outcome?.issue?.[0].expression).toContain('Bundle.entry[3].request.url');
      expect(await search(`Patient?identifier=${encodeURIComponent(system + '|')}`)).toHaveLength(2);
    });
  });

  describe('envelope', () => {
    it('accepts only batch and transaction Bundles of bounded size', async () => {
      const collection = await failure({ resourceType: 'Bundle', type: 'collection', entry: [] });
      expect(collection.issues[0].expression).toEqual(['Bundle.type']);
      expect((await failure({ resourceType: 'Patient' })).category).toBe('invalid');
      const noUrl = await failure(tx([{ resource: patient('s', 'v'), request: { method: 'POST' } }]));
      expect(noUrl.issues[0].expression).toContain('Bundle.entry[0].request.url');
      const big = { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: 'Patient' } }, { request: { method: 'GET', url: 'Patient' } }] };
      await expect(processBundle(ctx, request('POST', '', big), { maxEntries: 1 })).rejects.toMatchObject({ category: 'too-large' });
      expect(await post({ resourceType: 'Bundle', type: 'transaction' })).toEqual([]);
    });
  });
});
