/**
 * Hostile and broken request bodies (tests/fixtures/bad-input/cases.json): each must be refused
 * with the right status and an OperationOutcome, leave the server healthy, and store nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HeronServer, REPO_ROOT, STORE_KINDS, type Tenant } from '../fixtures/heron-server.ts';
import { useHeronServer } from '../fixtures/use-heron-server.ts';
import { expectOutcome, expectStatus } from './fhir-expect.ts';

interface BadInputCase {
  name: string;
  file?: string;
  generate?: 'oversize';
  method: string;
  path: string;
  contentType: string;
  expect: number[];
}

const CORPUS = join(REPO_ROOT, 'tests/fixtures/bad-input');
const { cases } = JSON.parse(readFileSync(join(CORPUS, 'cases.json'), 'utf8')) as { cases: BadInputCase[] };
/** Comfortably above the server's request body limit; override if the limit is raised. */
const OVERSIZE_BYTES = Number(process.env.HERON_TEST_OVERSIZE_BYTES ?? 40 * 1024 * 1024);

function bodyOf(c: BadInputCase): Uint8Array {
  if (c.generate === 'oversize') {
    // Valid FHIR apart from its size, so only the limit can refuse it.
    const filler = 'A'.repeat(OVERSIZE_BYTES);
    return Buffer.from(JSON.stringify({ resourceType: 'Patient', text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${filler}</div>` } }));
  }
  return readFileSync(join(CORPUS, c.file!));
}

describe.each(STORE_KINDS)('bad input (%s)', (kind) => {
  let server: HeronServer;
  let t: Tenant;

  useHeronServer(kind, (started) => {
    server = started;
    t = started.default;
  });

  it('the corpus is intact', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    // The UTF-8 cases must really be invalid, or they would test nothing.
    for (const file of ['invalid-utf8.bin', 'invalid-utf8-overlong.bin', 'invalid-utf8-lone-byte.bin']) {
      expect(() => new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(join(CORPUS, file)))).toThrow();
    }
  });

  it.each(cases)('$name -> $expect', async (c) => {
    const res = await t.fhir(c.method, c.path, { body: bodyOf(c), headers: { 'content-type': c.contentType } });
    expectOutcome(res, c.expect);
    const health = await server.request('GET', '/healthz');
    expectStatus(health, 200);
    const patients = await t.fhir('GET', 'Patient');
    expectStatus(patients, 200);
    expect(patients.body.entry ?? [], `${c.name} stored a Patient`).toHaveLength(0);
  });

  it('nothing at all was written to the practice', async () => {
    const history = await t.fhir('GET', '_history');
    expectStatus(history, 200);
    // Only what `practice create` wrote: the practice's own Organization (its settings), version 1.
    const written = (history.body.entry ?? []) as Array<{ resource?: { resourceType: string; meta?: { versionId?: string } } }>;
    expect(written.map((e) => `${e.resource?.resourceType}/${e.resource?.meta?.versionId}`)).toEqual(['Organization/1']);
    expect(history.body.total ?? 0).toBe(1);
    expectStatus(await t.fhir('GET', 'Patient/bad-input-put'), 404);
  });

  it('still serves good requests afterwards', async () => {
    const res = await t.fhir('POST', 'Patient', { body: readFileSync(join(CORPUS, 'valid-patient.json')) });
    expectStatus(res, 201);
  });
});
