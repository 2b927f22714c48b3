import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportItem } from './import-unit.ts';
import { loadJsonFile } from './json-file.ts';
import { JsonFileReader } from './json-file-reader.ts';
import { readNdjsonFile } from './ndjson-file.ts';
import { expandSources } from './sources.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'heron-import-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(items: AsyncIterable<ImportItem>): Promise<ImportItem[]> {
  const out: ImportItem[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('loadJsonFile', () => {
  it('reports a syntax error with its line and column', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '{\n  "resourceType": "Patient",\n  "id": "x",,\n}\n');
    const [item] = await loadJsonFile(file);
    expect(item).toEqual({ failure: { file, line: 3, column: 13, message: expect.stringMatching(/^Invalid JSON: /) } });
  });

  it('refuses __proto__ keys', async () => {
    const file = join(dir, 'proto.json');
    await writeFile(file, '{"resourceType":"Patient","__proto__":{"admin":true}}');
    const [item] = await loadJsonFile(file);
    expect(item).toMatchObject({ failure: { file, message: expect.stringMatching(/__proto__/) } });
  });

  it('accepts a byte-order mark and wraps a resource in a transaction', async () => {
    const file = join(dir, 'patient.json');
    await writeFile(file, '\uFEFF{"resourceType":"Patient"}');
    const [item] = await loadJsonFile(file);
    expect(item).toEqual({ unit: { file, bundle: { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } }] } } });
  });

  it('reports invalid UTF-8 instead of replacing it', async () => {
    const file = join(dir, 'latin1.json');
    await writeFile(file, Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d]));
    const [item] = await loadJsonFile(file);
    expect(item).toEqual({ failure: { file, message: expect.stringMatching(/UTF-8/) } });
  });

  it('reports a missing file instead of rejecting', async () => {
    const [item] = await loadJsonFile(join(dir, 'missing.json'));
    expect(item).toMatchObject({ failure: { message: expect.stringMatching(/^cannot read: .*ENOENT/) } });
  });
});

describe('JsonFileReader', () => {
  it('reads, checks and parses files on its thread with the same results as loadJsonFile', async () => {
    const files = {
      good: ['good.json', '\uFEFF{"resourceType":"Bundle","type":"transaction","entry":[]}'],
      broken: ['broken2.json', '{\n  "resourceType": "Patient",\n  "id": "x",,\n}\n'],
      duplicate: ['duplicate.json', '{"resourceType":"Patient","id":"a","id":"b"}'],
      notResource: ['array.json', '[1]'],
    };
    for (const [name, text] of Object.values(files)) await writeFile(join(dir, name), text);
    const paths = [...Object.values(files).map(([name]) => join(dir, name)), join(dir, 'missing.json')];
    const reader = new JsonFileReader();
    try {
      // Requested together, answered each to its own request.
      const results = await Promise.all(paths.map((file) => reader.load(file)));
      expect(results).toEqual(await Promise.all(paths.map((file) => loadJsonFile(file))));
      expect(results[0]).toEqual([{ unit: { file: paths[0], bundle: { resourceType: 'Bundle', type: 'transaction', entry: [] } } }]);
      expect(results[1]).toEqual([{ failure: { file: paths[1], line: 3, column: 13, message: expect.stringMatching(/^Invalid JSON: /) } }]);
      expect(results[2]).toEqual([{ failure: { file: paths[2], line: 1, column: 36, message: expect.stringMatching(/[Dd]uplicate/) } }]);
      expect(results[3]).toEqual([{ failure: { file: paths[3], message: expect.stringMatching(/not a FHIR resource/) } }]);
      expect(results[4]).toEqual([{ failure: { file: paths[4], message: expect.stringMatching(/^cannot read: .*ENOENT/) } }]);
    } finally {
      await reader.close();
    }
  });

  it('fails loads, instead of hanging, once its thread has stopped', async () => {
    const reader = new JsonFileReader();
    await reader.close();
    const file = join(dir, 'after-close.json');
    await expect(reader.load(file)).resolves.toEqual([{ failure: { file, message: expect.stringMatching(/^cannot read: the JSON reader thread stopped/) } }]);
  });
});

describe('readNdjsonFile', () => {
  it('groups good lines into chunks that remember their line numbers and reports bad lines', async () => {
    const file = join(dir, 'mixed.ndjson');
    const lines = ['{"resourceType":"Patient","id":"a"}', '', '{"resourceType":"Patient","id":"b"}', '{oops}', '{"resourceType":"Patient","id":"c"}', '42'];
    await writeFile(file, lines.join('\r\n') + '\r\n');
    const items = await collect(readNdjsonFile(file, 2));
    expect(items.map((i) => ('unit' in i ? { lines: i.unit.entryLines, ids: i.unit.bundle.entry?.map((e) => e.request?.url) } : { failure: [i.failure.line, i.failure.column] }))).toEqual([
      { lines: [1, 3], ids: ['Patient/a', 'Patient/b'] },
      { failure: [4, 2] },
      { failure: [6, undefined] },
      { lines: [5], ids: ['Patient/c'] },
    ]);
  });

  it('throws for a missing file, so the caller reports it', async () => {
    await expect(collect(readNdjsonFile(join(dir, 'missing.ndjson')))).rejects.toThrow(/ENOENT/);
  });
});

describe('expandSources', () => {
  it('recurses into directories for .json and .ndjson in name order and reports missing paths', async () => {
    const root = join(dir, 'tree');
    await mkdir(join(root, 'b'), { recursive: true });
    await writeFile(join(root, 'b', 'x.NDJSON'), '');
    await writeFile(join(root, 'a.json'), '{}');
    await writeFile(join(root, 'notes.txt'), '');
    const sources = await expandSources([root, join(dir, 'nope')]);
    expect(sources.files).toEqual([join(root, 'a.json'), join(root, 'b', 'x.NDJSON')]);
    expect(sources.failures).toEqual([{ file: join(dir, 'nope'), message: 'cannot open: ENOENT' }]);
  });
});
