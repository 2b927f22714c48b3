/**
 * `heron serve --demo` in-process: first start creates the demo practice, client and data and
 * prints working credentials; a second start on the same store and data dir shows the same
 * credentials and does not load the data again.
 */
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractIndexRows } from '../../fhir/search/extract.ts';
import { openStore } from '../../store/open-store.ts';
import type { FhirStore } from '../../store/store.ts';
import { serveConfig } from '../config.ts';
import { DEMO_LOADED_SETTING } from '../demo/demo-setup.ts';
import { recordingTerminal } from '../terminal.ts';
import { serveCommand } from './serve.ts';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const SAMPLE = 'Clemente_Kreiger_1484a42d-0eaf-4654-9cbf-6b050a5cd73b.json';

let store: FhirStore;
let dataDir: string;
let sampleDir: string;

beforeAll(async () => {
  store = await openStore({ memory: true, indexer: extractIndexRows });
  await store.migrate();
  dataDir = await mkdtemp(join(tmpdir(), 'heron-serve-data-'));
  sampleDir = await mkdtemp(join(tmpdir(), 'heron-serve-sample-'));
  await copyFile(join(ROOT, 'sample-data/synthea', SAMPLE), join(sampleDir, SAMPLE));
  await writeFile(join(sampleDir, 'manifest.json'), JSON.stringify([{ file: SAMPLE }]));
});
afterAll(async () => {
  await store?.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(sampleDir, { recursive: true, force: true });
});

/** Starts serve, runs `use` against its URL, then stops it; returns what was printed. */
async function withServer(use: (url: string, stdout: string[]) => Promise<void>) {
  const terminal = recordingTerminal();
  const config = serveConfig({ port: '0', host: '127.0.0.1', demo: true, data: dataDir }, { LOG_LEVEL: 'silent' });
  let stopServer!: (reason: string) => void;
  const stop = new Promise<string>((r) => (stopServer = r));
  let failure: unknown;
  const running = serveCommand({
    store,
    terminal,
    config,
    stop,
    sampleDir,
    onListening: (url) => {
      use(url, terminal.stdout)
        .catch((error) => (failure = error))
        .finally(() => stopServer('test end'));
    },
  });
  const code = await running;
  if (failure) throw failure;
  return { code, terminal };
}

function printed(stdout: string[], label: string): string {
  const line = stdout.find((l) => l.startsWith(label));
  if (!line) throw new Error(`no "${label}" line in:\n${stdout.join('\n')}`);
  return line.slice(label.length).trim();
}

async function patientCount(url: string, clientId: string, clientSecret: string): Promise<number> {
  const tokenResponse = await fetch(`${url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'system/*.*' }),
  });
  expect(tokenResponse.status).toBe(200);
  const { access_token } = (await tokenResponse.json()) as { access_token: string };
  const search = await fetch(`${url}/fhir/R4/Patient?_total=accurate`, { headers: { authorization: `Bearer ${access_token}` } });
  expect(search.status).toBe(200);
  const bundle = (await search.json()) as { total?: number; entry?: unknown[] };
  return bundle.total ?? bundle.entry?.length ?? 0;
}

describe('heron serve --demo', () => {
  let first: { clientId: string; clientSecret: string };

  it('creates the demo client and data on first start and prints working credentials', async () => {
    const { code, terminal } = await withServer(async (url, stdout) => {
      expect(stdout).toContain(`Heron is running at ${url}`);
      expect(stdout).toContain(`FHIR base URL:      ${url}/fhir/R4`);
      first = { clientId: printed(stdout, 'Demo client_id:'), clientSecret: printed(stdout, 'Demo client_secret:') };
      expect(stdout.some((l) => l.includes(`${url}/oauth2/token`) && l.includes(first.clientId))).toBe(true);
      // The one sample patient and the demo's complex patient (demo-chart.ts).
      expect(await patientCount(url, first.clientId, first.clientSecret)).toBe(2);
      expect(stdout).toContain(`Open ${url} and sign in as one of the demo people (for trying Heron only):`);
      expect(stdout.find((l) => l.trimStart().startsWith('physician '))).toMatch(/physician@heron-demo\.example +[a-z2-9]{4}(-[a-z2-9]{4}){3} +Dr\. Dana Whitfield, MD/);
    });
    expect(code).toBe(0);
    expect(terminal.stderr.join('\n')).toMatch(/Loading 1 sample patients[\s\S]*Failures: {4}0/);
    expect(terminal.stderr.join('\n')).toMatch(/Received test end, shutting down/);

    const file = join(dataDir, 'demo-credentials.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject(first);
    expect(await store.admin.getSetting(DEMO_LOADED_SETTING)).toBeDefined();
  });

  it('shows the same credentials on the next start and does not load the data twice', async () => {
    const { terminal } = await withServer(async (url, stdout) => {
      expect(printed(stdout, 'Demo client_id:')).toBe(first.clientId);
      expect(printed(stdout, 'Demo client_secret:')).toBe(first.clientSecret);
      expect(await patientCount(url, first.clientId, first.clientSecret)).toBe(2);
    });
    expect(terminal.stderr.join('\n')).not.toMatch(/Loading/);
  });
});
