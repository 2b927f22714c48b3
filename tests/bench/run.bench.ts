/**
 * `npm run bench`: measures Heron against a bare Fastify route (the floor) on this machine, for
 * SQLite and PostgreSQL, and prints one table with figures, ratios and targets.
 *
 * Every server is a separate process (`heron serve`, the bare server); autocannon runs in this
 * process, so on a small machine the load generator competes with the server for CPU — the bare
 * route measures that ceiling too, which is why ratios matter more than absolute figures.
 *
 * Environment: BENCH_SECONDS (per measurement, default 10), BENCH_WARMUP_SECONDS (default 2),
 * BENCH_CONNECTIONS (default 32), BENCH_STORES (default "sqlite,postgres"),
 * BENCH_IMPORT_FILES (how many sample bundles to import, default all), BENCH_JSON (write results here).
 */
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import autocannon, { type Result } from 'autocannon';
import { HeronServer, REPO_ROOT, freePort, sleep, type StoreKind } from '../fixtures/heron-server.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const STORES = (process.env.BENCH_STORES ?? 'sqlite,postgres').split(',').map((s) => s.trim()) as StoreKind[];
const SAMPLE_DIR = join(REPO_ROOT, 'sample-data/synthea');
const SAMPLE_FILES = readdirSync(SAMPLE_DIR)
  .filter((f) => f.endsWith('.json') && f !== 'manifest.json' && f !== 'expected-per-patient.json')
  .sort()
  .slice(0, process.env.BENCH_IMPORT_FILES ? Number(process.env.BENCH_IMPORT_FILES) : undefined)
  .map((f) => join(SAMPLE_DIR, f));

const TARGETS = { importPerSecondSqlite: 5000, readRatio: 0.5, readP99Ms: 20 };

interface Load {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  total: number;
}

interface StoreFigures {
  kind: StoreKind;
  import: { resources: number; reportedPerSecond: number; wallSeconds: number; wallPerSecond: number };
  read: Load;
  create: Load;
  readIds: number;
}

function summarise(result: Result): Load {
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    total: result.requests.total,
  };
}

async function load(options: Parameters<typeof autocannon>[0]): Promise<Load> {
  if (WARMUP_SECONDS > 0) await autocannon({ ...options, connections: CONNECTIONS, duration: WARMUP_SECONDS });
  return summarise(await autocannon({ ...options, connections: CONNECTIONS, duration: SECONDS }));
}

async function measureBare(): Promise<Load> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/run-ts.js'), 'tests/bench/bare-server.ts', String(port)], { cwd: REPO_ROOT, stdio: ['pipe', 'ignore', 'inherit'] });
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
      } catch {
        if (i > 300) throw new Error('bare server did not start');
      }
      await sleep(100);
    }
    return await load({ url: `http://127.0.0.1:${port}/bare` });
  } finally {
    child.kill('SIGTERM');
  }
}

async function measureImport(server: HeronServer): Promise<StoreFigures['import']> {
  const started = performance.now();
  const result = await server.cli(['import', ...SAMPLE_FILES, '--practice', server.default.practiceId]);
  const wallSeconds = (performance.now() - started) / 1000;
  if (result.code !== 0) throw new Error(`heron import exited ${result.code}\n${result.stdout}\n${result.stderr.slice(-4000)}`);
  const resources = Number(/Resources:\s+(\d+)/.exec(result.stdout)?.[1]);
  const reportedPerSecond = Number(/Resources\/s:\s+(\d+)/.exec(result.stdout)?.[1]);
  if (!Number.isFinite(resources) || !Number.isFinite(reportedPerSecond)) throw new Error(`unexpected import summary:\n${result.stdout}`);
  return { resources, reportedPerSecond, wallSeconds, wallPerSecond: resources / wallSeconds };
}

/** Read paths for a mix of types, so reads are not all one row. */
async function readPaths(server: HeronServer): Promise<string[]> {
  const paths: string[] = [];
  for (const query of ['Patient?_count=100', 'Observation?_count=200', 'Encounter?_count=100']) {
    const res = await server.default.fhir('GET', query);
    if (res.status !== 200) throw new Error(`${query}: ${res.status} ${res.text.slice(0, 300)}`);
    for (const e of res.body.entry ?? []) paths.push(`/fhir/R4/${e.resource.resourceType}/${e.resource.id}`);
  }
  if (paths.length === 0) throw new Error('no resources to read after the import');
  // Shuffle so concurrent connections do not march over the same rows in step.
  for (let i = paths.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [paths[i], paths[j]] = [paths[j], paths[i]];
  }
  return paths;
}

/** Servers to stop if the run is interrupted, so no `heron serve` outlives the benchmark. */
const running = new Set<HeronServer>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.allSettled([...running].map((s) => s.close())).then(() => process.exit(130));
  });
}

async function measureStore(kind: StoreKind): Promise<StoreFigures> {
  process.stderr.write(`[bench] ${kind}: starting heron serve\n`);
  const server = await HeronServer.start(kind, { practiceName: 'Bench' });
  running.add(server);
  try {
    process.stderr.write(`[bench] ${kind}: importing ${SAMPLE_FILES.length} sample bundles\n`);
    const imported = await measureImport(server);
    const paths = await readPaths(server);
    const headers = { authorization: `Bearer ${server.default.token}`, accept: 'application/fhir+json' };
    process.stderr.write(`[bench] ${kind}: read by id (${paths.length} ids)\n`);
    const read = await load({ url: server.origin, headers, requests: paths.map((path) => ({ method: 'GET', path })) });
    process.stderr.write(`[bench] ${kind}: create\n`);
    const body = JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Bench', given: ['Load'] }], gender: 'female', birthDate: '1980-05-17' });
    const create = await load({ url: `${server.fhirBase}/Patient`, method: 'POST', headers: { ...headers, 'content-type': 'application/fhir+json' }, body });
    return { kind, import: imported, read, create, readIds: paths.length };
  } finally {
    running.delete(server);
    await server.close();
  }
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function printTable(bare: Load, stores: StoreFigures[]): void {
  const rows: string[][] = [['store', 'measure', 'figure', 'vs bare', 'target', 'met']];
  rows.push(['-', 'bare Fastify GET', `${fmt(bare.requestsPerSecond)} req/s, p50 ${bare.p50} ms, p99 ${bare.p99} ms`, '1.00', '', '']);
  for (const s of stores) {
    const importTarget = s.kind === 'sqlite' ? TARGETS.importPerSecondSqlite : undefined;
    rows.push([
      s.kind,
      'import (heron import)',
      `${fmt(s.import.reportedPerSecond)} res/s (${fmt(s.import.resources)} res; wall ${fmt(s.import.wallSeconds, 1)} s = ${fmt(s.import.wallPerSecond)} res/s)`,
      '',
      importTarget ? `>= ${fmt(importTarget)} res/s` : '',
      importTarget ? (s.import.reportedPerSecond >= importTarget ? 'yes' : 'NO') : '',
    ]);
    const ratio = s.read.requestsPerSecond / bare.requestsPerSecond;
    rows.push([
      s.kind,
      `read by id (${s.readIds} ids)`,
      `${fmt(s.read.requestsPerSecond)} req/s, p50 ${s.read.p50} ms, p99 ${s.read.p99} ms${s.read.non2xx || s.read.errors ? `, ${s.read.non2xx} non-2xx, ${s.read.errors} errors` : ''}`,
      fmt(ratio, 2),
      `>= ${TARGETS.readRatio} of bare; p99 < ${TARGETS.readP99Ms} ms`,
      ratio >= TARGETS.readRatio && s.read.p99 < TARGETS.readP99Ms && s.read.non2xx === 0 ? 'yes' : 'NO',
    ]);
    rows.push([
      s.kind,
      'create Patient',
      `${fmt(s.create.requestsPerSecond)} req/s, p50 ${s.create.p50} ms, p99 ${s.create.p99} ms${s.create.non2xx || s.create.errors ? `, ${s.create.non2xx} non-2xx, ${s.create.errors} errors` : ''}`,
      fmt(s.create.requestsPerSecond / bare.requestsPerSecond, 2),
      '',
      '',
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const [i, row] of rows.entries()) {
    console.log(row.map((cell, j) => cell.padEnd(widths[j])).join(' | '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  }
}

const cpu = cpus();
console.log(`Heron benchmark ${new Date().toISOString()} — node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}`);
console.log(`${CONNECTIONS} connections, ${SECONDS} s per measurement after ${WARMUP_SECONDS} s warm-up; autocannon shares the machine with the server.`);
const bare = await measureBare();
const stores: StoreFigures[] = [];
for (const kind of STORES) stores.push(await measureStore(kind));
console.log('');
printTable(bare, stores);
if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify({ at: new Date().toISOString(), seconds: SECONDS, connections: CONNECTIONS, bare, stores }, null, 2));
