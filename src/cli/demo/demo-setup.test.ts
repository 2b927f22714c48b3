import { access, copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractIndexRows } from '../../fhir/search/extract.ts';
import { openStore } from '../../store/open-store.ts';
import type { FhirStore } from '../../store/store.ts';
import { recordingTerminal } from '../terminal.ts';
import { readDemoCredentials } from './demo-credentials.ts';
import { DEMO_LOADED_SETTING, DEMO_PRACTICE_NAME, sampleFiles, SAMPLE_DIR, setupDemo } from './demo-setup.ts';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const SAMPLES = ['Clemente_Kreiger_1484a42d-0eaf-4654-9cbf-6b050a5cd73b.json', 'Mao_Kilback_93cfa114-ace6-4e01-b30b-73863b9339a5.json'];

let store: FhirStore;
let dataDir: string;
let sampleDir: string;
beforeEach(async () => {
  store = await openStore({ memory: true, indexer: extractIndexRows });
  await store.migrate();
  dataDir = await mkdtemp(join(tmpdir(), 'heron-demo-data-'));
  sampleDir = await mkdtemp(join(tmpdir(), 'heron-demo-sample-'));
  await writeFile(join(sampleDir, 'manifest.json'), JSON.stringify(SAMPLES.map((file) => ({ file }))));
});
afterEach(async () => {
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(sampleDir, { recursive: true, force: true });
});

async function patientCount(practiceId: string): Promise<number | undefined> {
  const page = await store.reader(practiceId).search({ resourceTypes: ['Patient'], criteria: [], sort: [], count: 10, total: 'accurate', include: [], revinclude: [] });
  return page.total;
}

describe('setupDemo', () => {
  it('resumes an incomplete load with only the files that are missing', async () => {
    await copyFile(join(ROOT, 'sample-data/synthea', SAMPLES[0]), join(sampleDir, SAMPLES[0]));
    await writeFile(join(sampleDir, SAMPLES[1]), '{"resourceType": "Bundle",'); // cut off, like an interrupted download

    const first = recordingTerminal();
    const credentials = await setupDemo({ store, terminal: first, dataDir, sampleDir });
    const practice = await store.admin.findPracticeByName(DEMO_PRACTICE_NAME);
    expect(practice?.id).toBe(credentials.practiceId);
    expect(await patientCount(credentials.practiceId)).toBe(1);
    expect(first.stderr.join('\n')).toMatch(/retries the rest on the next start/);
    expect(await store.admin.getSetting(DEMO_LOADED_SETTING)).toBeUndefined();

    await copyFile(join(ROOT, 'sample-data/synthea', SAMPLES[1]), join(sampleDir, SAMPLES[1]));
    const second = recordingTerminal();
    expect(await setupDemo({ store, terminal: second, dataDir, sampleDir })).toEqual(credentials);
    expect(second.stderr[0]).toMatch(/^Loading 1 sample patients .*\(resuming: 1 already loaded\)/);
    expect(await patientCount(credentials.practiceId)).toBe(2);
    expect(await store.admin.getSetting(DEMO_LOADED_SETTING)).toBeDefined();

    const third = recordingTerminal();
    await setupDemo({ store, terminal: third, dataDir, sampleDir });
    expect(third.stderr).toEqual([]);
    expect(await patientCount(credentials.practiceId)).toBe(2);
  });

  it('registers a new client when the saved one is not in this database', async () => {
    const other = await mkdtemp(join(tmpdir(), 'heron-demo-other-'));
    try {
      await writeFile(join(other, 'demo-credentials.json'), JSON.stringify({ practiceId: 'gone', clientId: 'gone', clientSecret: 's', scopes: 'system/*.*' }));
      await writeFile(join(sampleDir, 'manifest.json'), '[]');
      const credentials = await setupDemo({ store, terminal: recordingTerminal(), dataDir: other, sampleDir });
      expect(credentials.clientId).not.toBe('gone');
      expect(await store.admin.getClient(credentials.clientId)).toMatchObject({ practiceId: credentials.practiceId, scopes: 'system/*.*' });
      expect(await readDemoCredentials(other)).toEqual(credentials);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('refuses a damaged credentials file instead of silently replacing it', async () => {
    await writeFile(join(dataDir, 'demo-credentials.json'), '{"practiceId": 1}');
    await expect(setupDemo({ store, terminal: recordingTerminal(), dataDir, sampleDir })).rejects.toThrow(/delete it/);
  });
});

describe('sampleFiles', () => {
  it('lists all 80 shipped bundles, each present', async () => {
    const files = await sampleFiles(SAMPLE_DIR);
    expect(files).toHaveLength(80);
    expect(files.every((f) => f.startsWith(SAMPLE_DIR) && f.endsWith('.json'))).toBe(true);
    await Promise.all(files.map((f) => access(f)));
  });
});
