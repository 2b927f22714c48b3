import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discardingAuditSink } from '../../domain/audit/audit-sink.ts';
import { systemCtx } from '../../domain/context.ts';
import { createPractice } from '../../domain/practices/create-practice.ts';
import { extractIndexRows } from '../../fhir/search/extract.ts';
import { openStore } from '../../store/open-store.ts';
import type { FhirStore } from '../../store/store.ts';
import { importFiles } from './run-import.ts';

let dir: string;
let store: FhirStore;
let practiceId: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'heron-run-import-'));
  store = await openStore({ memory: true, indexer: extractIndexRows });
  await store.migrate();
  practiceId = (await createPractice(store, 'Run Import')).id;
});
afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('importFiles', () => {
  it('times the one-time definitions load apart from the import itself', async () => {
    const file = join(dir, 'patient.json');
    await writeFile(file, JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Clock' }] }));
    let clock = 0;
    // Each reading of the clock advances it 100 ms: before and after the definitions, then the import's start and end.
    const result = await importFiles(systemCtx(store, practiceId, discardingAuditSink), [file], { now: () => (clock += 100) });
    expect(result).toMatchObject({ files: 1, resources: 1, failures: [], definitionsMs: 100, elapsedMs: 100 });
  });

  it('reads JSON files ahead on its reader thread and imports them in order', async () => {
    const files: string[] = [];
    for (let i = 0; i < 5; i++) {
      files.push(join(dir, `p${i}.json`));
      await writeFile(files[i], JSON.stringify({ resourceType: 'Patient', id: `ordered-${i}`, name: [{ family: `F${i}` }] }));
    }
    files.splice(2, 0, join(dir, 'missing.json'));
    const done: string[] = [];
    const result = await importFiles(systemCtx(store, practiceId, discardingAuditSink), files, { onFileDone: async (file) => void done.push(file) });
    expect(done).toEqual(files);
    expect(result.resources).toBe(5);
    expect(result.failures).toEqual([{ file: files[2], message: expect.stringMatching(/^cannot read: .*ENOENT/) }]);
    const patient = await store.reader(practiceId).readCurrent('Patient', 'ordered-4');
    expect(patient?.resource).toMatchObject({ name: [{ family: 'F4' }] });
  });
});
