/**
 * `heron import` end to end over an in-memory store: two sample bundles and an NDJSON file with
 * bad lines. Checks what reached the store, the summary and how failures are reported.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPractice } from '../../domain/practices/create-practice.ts';
import { extractIndexRows } from '../../fhir/search/extract.ts';
import { openStore } from '../../store/open-store.ts';
import type { FhirStore } from '../../store/store.ts';
import { recordingTerminal } from '../terminal.ts';
import { importCommand } from './import.ts';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const SAMPLES = join(ROOT, 'sample-data/synthea');
const BUNDLES = ['Clemente_Kreiger_1484a42d-0eaf-4654-9cbf-6b050a5cd73b.json', 'Mao_Kilback_93cfa114-ace6-4e01-b30b-73863b9339a5.json'];
const BAD_NDJSON = join(ROOT, 'tests/fixtures/import/bad-lines.ndjson');

interface ManifestRow {
  file: string;
  patient_id: string;
  entries: number;
}

let store: FhirStore;
let practiceId: string;
let manifest: ManifestRow[];

beforeAll(async () => {
  store = await openStore({ memory: true, indexer: extractIndexRows });
  await store.migrate();
  practiceId = (await createPractice(store, 'Import Practice')).id;
  manifest = JSON.parse(await readFile(join(SAMPLES, 'manifest.json'), 'utf8'));
});
afterAll(async () => {
  await store?.close();
});

describe('heron import', () => {
  it('imports good data, reports bad lines by file and line, and exits 1', async () => {
    const terminal = recordingTerminal();
    let clock = 0;
    const now = () => (clock += 250); // deterministic seconds and rate
    const paths = [...BUNDLES.map((f) => join(SAMPLES, f)), BAD_NDJSON];
    const code = await importCommand({ store, terminal, now }, { paths, practice: 'Import Practice' });

    const expectedResources = BUNDLES.reduce((sum, f) => sum + manifest.find((r) => r.file === f)!.entries, 0) + 2;
    expect(code).toBe(1);
    expect(terminal.stdout[0]).toBe('Files:       3 (1 with failures)');
    expect(terminal.stdout[1]).toBe(`Resources:   ${expectedResources}`);
    expect(terminal.stdout[2]).toMatch(/^Seconds: {5}\d+\.\d$/);
    expect(terminal.stdout[3]).toMatch(/^Resources\/s: [1-9]\d*$/);
    expect(terminal.stdout[4]).toBe('Failures:    2');
    expect(terminal.stderr).toEqual([
      // Line 3 ends (column 70) before its object does.
      `  ${BAD_NDJSON}:3:70: Invalid JSON: Expected ',' or '}' after a property value`,
      `  ${BAD_NDJSON}:4: the line is not a FHIR resource (expected a JSON object with "resourceType")`,
    ]);

    // The good data is in the practice: the sample patients (new ids) and the NDJSON ones (kept ids).
    const patients = await store.reader(practiceId).search(patientSearch());
    expect(patients.total).toBe(3);
    const ndjsonPatient = await store.reader(practiceId).readCurrent('Patient', 'ndjson-p1');
    expect(ndjsonPatient?.resource).toMatchObject({ name: [{ family: 'Lineberg' }] });
    const observation = await store.reader(practiceId).readCurrent('Observation', 'ndjson-o1');
    expect(observation?.resource).toMatchObject({ subject: { reference: 'Patient/ndjson-p1' } });
  });

  it('refreshes the planner statistics once the files are in', async () => {
    const calls: string[] = [];
    const watched = Object.assign(Object.create(store) as FhirStore, {
      transaction: ((tenant, fn) => (calls.push('transaction'), store.transaction(tenant, fn))) as FhirStore['transaction'],
      refreshStatistics: async () => void calls.push('refreshStatistics'),
    });
    await importCommand({ store: watched, terminal: recordingTerminal() }, { paths: [join(SAMPLES, BUNDLES[0])], practice: practiceId });
    expect(calls.at(-1)).toBe('refreshStatistics');
    expect(calls.filter((c) => c === 'refreshStatistics')).toHaveLength(1);
    expect(calls).toContain('transaction');
  });

  it('exits 0 with no failures when everything imports, and accepts the practice id', async () => {
    const terminal = recordingTerminal();
    const code = await importCommand({ store, terminal }, { paths: [join(SAMPLES, BUNDLES[0])], practice: practiceId });
    expect(terminal.stderr).toEqual([]);
    expect(code).toBe(0);
    expect(terminal.stdout).toContain('Failures:    0');
  });

  it('skips an invalid NDJSON line, names it, and imports the rest of its chunk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'heron-import-test-'));
    try {
      const file = join(dir, 'invalid.ndjson');
      const lines = ['{"resourceType":"Patient","id":"ok-1"}', '{"resourceType":"Patient","id":"bad-1","gender":"robot"}', '{"resourceType":"Patient","id":"ok-2"}'];
      await writeFile(file, lines.join('\n'));
      const terminal = recordingTerminal();
      const code = await importCommand({ store, terminal }, { paths: [file], practice: practiceId });
      expect(code).toBe(1);
      expect(terminal.stdout).toContain('Resources:   2');
      expect(terminal.stderr).toEqual([expect.stringMatching(new RegExp(`^  ${escape(file)}:2: .*gender.*\\(line skipped\\)$`))]);
      expect(await store.reader(practiceId).readCurrent('Patient', 'ok-1')).toBeDefined();
      expect(await store.reader(practiceId).readCurrent('Patient', 'ok-2')).toBeDefined();
      expect(await store.reader(practiceId).readCurrent('Patient', 'bad-1')).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps a JSON transaction Bundle all-or-nothing and names the failing entry', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'heron-import-test-'));
    try {
      const file = join(dir, 'bundle.json');
      const entry = (resource: object) => ({ resource, request: { method: 'POST', url: 'Patient' } });
      await writeFile(file, JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: [entry({ resourceType: 'Patient', id: 'x' }), entry({ resourceType: 'Patient', gender: 'robot' })] }));
      const terminal = recordingTerminal();
      const before = (await store.reader(practiceId).search(patientSearch())).total;
      expect(await importCommand({ store, terminal }, { paths: [file], practice: practiceId })).toBe(1);
      expect(terminal.stdout).toContain('Resources:   0');
      expect(terminal.stderr).toEqual([expect.stringMatching(new RegExp(`^  ${escape(file)}: Bundle\\.entry\\[1\\]: .*gender`))]);
      expect((await store.reader(practiceId).search(patientSearch())).total).toBe(before);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports an unknown path and a directory without importable files', async () => {
    const terminal = recordingTerminal();
    const code = await importCommand({ store, terminal }, { paths: [join(ROOT, 'no-such-file.json')], practice: practiceId });
    expect(code).toBe(1);
    expect(terminal.stderr).toEqual([`  ${join(ROOT, 'no-such-file.json')}: cannot open: ENOENT`]);

    const dir = await mkdtemp(join(tmpdir(), 'heron-import-empty-'));
    try {
      const empty = recordingTerminal();
      expect(await importCommand({ store, terminal: empty }, { paths: [dir], practice: practiceId })).toBe(1);
      expect(empty.stderr).toEqual([`No .json or .ndjson files found in: ${dir}`]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

function patientSearch() {
  return { resourceTypes: ['Patient'], criteria: [], sort: [], count: 10, total: 'accurate' as const, include: [], revinclude: [] };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
