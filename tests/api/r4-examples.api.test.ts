/**
 * Valid public FHIR goes in and comes back unchanged: every R4 specification example in
 * `tests/fixtures/r4-examples/` (and every resource with an id inside its Bundles) is written
 * with `PUT [type]/[id]` and read back equal, apart from `meta.versionId` and `meta.lastUpdated`,
 * which the server owns. What Heron refuses of the whole R4 example set, and why, is listed in
 * docs/validation.md.
 * @see https://hl7.org/fhir/R4/http.html#update
 */
import { describe, expect, it } from 'vitest';
import { r4ExampleFiles } from '../fixtures/r4-examples.ts';
import { STORE_KINDS, type Tenant } from '../fixtures/heron-server.ts';
import { useHeronServer } from '../fixtures/use-heron-server.ts';
import { expectStatus } from './fhir-expect.ts';

type Json = Record<string, any>;

/** The resource without what the server owns (`meta.versionId`, `meta.lastUpdated`). */
function withoutServerMeta(resource: Json): Json {
  const copy = structuredClone(resource);
  if (copy.meta) {
    delete copy.meta.versionId;
    delete copy.meta.lastUpdated;
    if (Object.keys(copy.meta).length === 0) delete copy.meta;
  }
  return copy;
}

/** Every example, then every resource with an id in the examples' Bundles, once per type and id. */
function resourcesToWrite(): { label: string; resource: Json }[] {
  const out: { label: string; resource: Json }[] = [];
  const seen = new Set<string>();
  const add = (label: string, resource: Json) => {
    const key = `${resource.resourceType}/${resource.id}`;
    if (typeof resource.id !== 'string' || seen.has(key)) return;
    seen.add(key);
    out.push({ label, resource });
  };
  const examples = r4ExampleFiles();
  for (const { file, resource } of examples) add(file, resource);
  for (const { file, resource } of examples) {
    if (resource.resourceType !== 'Bundle') continue;
    for (const [i, entry] of ((resource.entry ?? []) as Json[]).entries()) if (entry.resource) add(`${file} entry ${i}`, entry.resource);
  }
  return out;
}

const RESOURCES = resourcesToWrite();

describe.each(STORE_KINDS)('R4 specification examples (%s)', (kind) => {
  let t: Tenant;
  useHeronServer(kind, (server) => {
    t = server.default;
  });

  it('covers many resource types', () => {
    const types = new Set(RESOURCES.map((r) => r.resource.resourceType));
    expect(types.size).toBeGreaterThanOrEqual(25);
  });

  it.each(RESOURCES.map((r) => [r.label, r.resource] as const))('%s: PUT, then GET gives it back unchanged', async (_label, resource) => {
    const path = `${resource.resourceType}/${resource.id}`;
    const put = await t.fhir('PUT', path, { body: resource });
    expectStatus(put, [200, 201]);
    const read = await t.fhir('GET', path);
    expectStatus(read, 200);
    expect(withoutServerMeta(read.body)).toEqual(withoutServerMeta(resource));
  });

  it('a Binary with MIME-wrapped base64 (76 characters a line, CRLF) is stored and read back as sent', async () => {
    // A PDF (Binary content must be an allowed document type, of its declared type).
    const flat = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7) % 256))]).toString('base64');
    const data = flat.match(/.{1,76}/g)!.join('\r\n');
    const binary = { resourceType: 'Binary', id: 'mime-wrapped', contentType: 'application/pdf', data };
    expectStatus(await t.fhir('PUT', 'Binary/mime-wrapped', { body: binary }), 201);
    const read = await t.fhir('GET', 'Binary/mime-wrapped');
    expect(read.body.data).toBe(data);
  });

  it('a batch-response Bundle with an OperationOutcome in entry.response.outcome, sent as data', async () => {
    const bundle = {
      resourceType: 'Bundle',
      id: 'batch-response-with-outcome',
      type: 'batch-response',
      entry: [
        { response: { status: '201 Created', location: 'Patient/1/_history/1' } },
        { response: { status: '404 Not Found', outcome: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', diagnostics: 'Patient/2 is not known' }] } } },
      ],
    };
    expectStatus(await t.fhir('PUT', 'Bundle/batch-response-with-outcome', { body: bundle }), 201);
    const read = await t.fhir('GET', 'Bundle/batch-response-with-outcome');
    expect(withoutServerMeta(read.body)).toEqual(bundle);
  });
});
