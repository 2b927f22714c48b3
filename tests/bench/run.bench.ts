/**
 * `npm run bench`: measures Heron against a bare Fastify route (the floor) on this machine, for
 * SQLite and PostgreSQL, and prints one table with figures, ratios and targets.
 *
 * Every server is a separate process (`heron serve`, the bare server); autocannon runs in this
 * process, so on a small machine the load generator competes with the server for CPU — the bare
 * route measures that ceiling too, which is why ratios matter more than absolute figures. The bare
 * route is measured at the start and again right before each store's reads, and each read ratio
 * uses the run next to it, since the load on a shared machine changes from minute to minute.
 *
 * Environment: BENCH_SECONDS (per measurement, default 10), BENCH_WARMUP_SECONDS (default 2),
 * BENCH_CONNECTIONS (default 32), BENCH_STORES (default "sqlite,postgres"),
 * BENCH_IMPORT_FILES (how many sample bundles to import, default all), BENCH_JSON (write results here),
 * BENCH_ONLY (comma-separated scenarios among bare,import,read,create,search,broad; default all; `search` is
 * tests/bench/search.bench.ts and `broad` tests/bench/broad-search.bench.ts, which `npm run bench` runs after this script). Reads need
 * data, so without `import` the store is still filled, from the first 5 bundles unless
 * BENCH_IMPORT_FILES says otherwise, and the import figure is not reported.
 */
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import autocannon, { type Result } from 'autocannon';
import { HeronServer, REPO_ROOT, freePort, sleep, type StoreKind } from '../fixtures/heron-server.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const STORES = (process.env.BENCH_STORES ?? 'sqlite,postgres').split(',').map((s) => s.trim()) as StoreKind[];
const SCENARIOS = ['bare', 'import', 'read', 'create'] as const;
type Scenario = (typeof SCENARIOS)[number];
/** Run by `search.bench.ts`, `broad-search.bench.ts`, `terminology.bench.ts` and `browser.bench.ts`, the other scripts of `npm run bench`; accepted here so BENCH_ONLY can name them. */
const OTHER_SCRIPT_SCENARIOS = ['search', 'broad', 'terminology', 'browser'];
const ONLY = new Set((process.env.BENCH_ONLY ?? SCENARIOS.join(',')).split(',').map((s) => s.trim()));
for (const s of ONLY) {
  if (!(SCENARIOS as readonly string[]).includes(s) && !OTHER_SCRIPT_SCENARIOS.includes(s)) {
    throw new Error(`BENCH_ONLY: unknown scenario ${s}; expected some of ${[...SCENARIOS, ...OTHER_SCRIPT_SCENARIOS].join(',')}`);
  }
}
// Only the search benchmark asked for: nothing to do in this script.
if (!SCENARIOS.some((s) => ONLY.has(s))) process.exit(0);
const runs = (s: Scenario): boolean => ONLY.has(s);
const SAMPLE_DIR = join(REPO_ROOT, 'sample-data/synthea');
const SAMPLE_FILES = readdirSync(SAMPLE_DIR)
  .filter((f) => f.endsWith('.json') && f !== 'manifest.json' && f !== 'expected-per-patient.json')
  .sort()
  .slice(0, process.env.BENCH_IMPORT_FILES ? Number(process.env.BENCH_IMPORT_FILES) : runs('import') ? undefined : 5)
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
  /** The bare route measured right before this store's reads: the ratio's denominator. */
  bareBeforeRead?: Load;
  /** 1-minute load average when the reads started. */
  loadBeforeRead?: number;
  import?: { resources: number; reportedPerSecond: number; wallSeconds: number; wallPerSecond: number };
  read?: Load;
  create?: Load;
  readIds?: number;
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

/** The bare server runs for the whole benchmark, so it can be measured next to each read run. */
interface Bare {
  measure(): Promise<Load>;
  stop(): void;
}

async function startBare(): Promise<Bare> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/run-ts.js'), 'tests/bench/bare-server.ts', String(port)], { cwd: REPO_ROOT, stdio: ['pipe', 'ignore', 'inherit'] });
  const stop = () => void child.kill('SIGTERM');
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
      } catch {
        if (i > 300) throw new Error('bare server did not start');
      }
      await sleep(100);
    }
  } catch (err) {
    stop();
    throw err;
  }
  return { measure: () => load({ url: `http://127.0.0.1:${port}/bare` }), stop };
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

async function measureStore(kind: StoreKind, bare: Bare | undefined): Promise<StoreFigures> {
  process.stderr.write(`[bench] ${kind}: starting heron serve\n`);
  const server = await HeronServer.start(kind, { practiceName: 'Bench' });
  running.add(server);
  try {
    const figures: StoreFigures = { kind };
    const headers = { authorization: `Bearer ${server.default.token}`, accept: 'application/fhir+json' };
    if (runs('import') || runs('read')) {
      process.stderr.write(`[bench] ${kind}: importing ${SAMPLE_FILES.length} sample bundles\n`);
      const imported = await measureImport(server);
      if (runs('import')) figures.import = imported;
    }
    if (runs('read')) {
      const paths = await readPaths(server);
      if (bare) {
        // Load on a shared machine changes by the minute; the ratio compares neighbours.
        process.stderr.write(`[bench] ${kind}: bare route again, just before the reads\n`);
        figures.bareBeforeRead = await bare.measure();
      }
      figures.loadBeforeRead = loadavg()[0];
      process.stderr.write(`[bench] ${kind}: read by id (${paths.length} ids), load average ${figures.loadBeforeRead.toFixed(2)}\n`);
      figures.read = await load({ url: server.origin, headers, requests: paths.map((path) => ({ method: 'GET', path })) });
      figures.readIds = paths.length;
    }
    if (runs('create')) {
      process.stderr.write(`[bench] ${kind}: create\n`);
      const body = JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Bench', given: ['Load'] }], gender: 'female', birthDate: '1980-05-17' });
      figures.create = await load({ url: `${server.fhirBase}/Patient`, method: 'POST', headers: { ...headers, 'content-type': 'application/fhir+json' }, body });
    }
    return figures;
  } finally {
    running.delete(server);
    await server.close();
  }
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function printTable(bare: Load | undefined, stores: StoreFigures[]): void {
  const rows: string[][] = [['store', 'measure', 'figure', 'vs bare', 'target', 'met']];
  if (bare) rows.push(['-', 'bare Fastify GET', `${fmt(bare.requestsPerSecond)} req/s, p50 ${bare.p50} ms, p99 ${bare.p99} ms`, '1.00', '', '']);
  const vsBare = (l: Load): string => (bare ? fmt(l.requestsPerSecond / bare.requestsPerSecond, 2) : '');
  for (const s of stores) {
    const importTarget = s.kind === 'sqlite' ? TARGETS.importPerSecondSqlite : undefined;
    if (s.import) rows.push([
      s.kind,
      'import (heron import)',
      `${fmt(s.import.reportedPerSecond)} res/s (${fmt(s.import.resources)} res; wall ${fmt(s.import.wallSeconds, 1)} s = ${fmt(s.import.wallPerSecond)} res/s)`,
      '',
      importTarget ? `>= ${fmt(importTarget)} res/s` : '',
      importTarget ? (s.import.reportedPerSecond >= importTarget ? 'yes' : 'NO') : '',
    ]);
    if (s.read) {
      const reference = s.bareBeforeRead ?? bare;
      const ratio = reference ? s.read.requestsPerSecond / reference.requestsPerSecond : undefined;
      if (s.bareBeforeRead) rows.push([s.kind, 'bare Fastify GET, just before', `${fmt(s.bareBeforeRead.requestsPerSecond)} req/s, p50 ${s.bareBeforeRead.p50} ms, p99 ${s.bareBeforeRead.p99} ms`, '1.00', '', '']);
      rows.push([
        s.kind,
        `read by id (${s.readIds} ids)`,
        `${fmt(s.read.requestsPerSecond)} req/s, p50 ${s.read.p50} ms, p99 ${s.read.p99} ms${s.read.non2xx || s.read.errors ? `, ${s.read.non2xx} non-2xx, ${s.read.errors} errors` : ''}; load ${s.loadBeforeRead?.toFixed(2)}`,
        ratio === undefined ? '' : fmt(ratio, 2),
        `>= ${TARGETS.readRatio} of bare; p99 < ${TARGETS.readP99Ms} ms`,
        ratio === undefined ? '' : ratio >= TARGETS.readRatio && s.read.p99 < TARGETS.readP99Ms && s.read.non2xx === 0 ? 'yes' : 'NO',
      ]);
    }
    if (s.create) {
      rows.push([
        s.kind,
        'create Patient',
        `${fmt(s.create.requestsPerSecond)} req/s, p50 ${s.create.p50} ms, p99 ${s.create.p99} ms${s.create.non2xx || s.create.errors ? `, ${s.create.non2xx} non-2xx, ${s.create.errors} errors` : ''}`,
        vsBare(s.create),
        '',
        '',
      ]);
    }
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
console.log(`Load average at start: ${loadavg().map((l) => l.toFixed(2)).join(', ')} (1, 5, 15 min).`);
const bareServer = runs('bare') ? await startBare() : undefined;
const stores: StoreFigures[] = [];
let bare: Load | undefined;
try {
  bare = await bareServer?.measure();
  if (runs('import') || runs('read') || runs('create')) for (const kind of STORES) stores.push(await measureStore(kind, bareServer));
} finally {
  bareServer?.stop();
}
console.log('');
printTable(bare, stores);
console.log(`Load average at end: ${loadavg().map((l) => l.toFixed(2)).join(', ')}. Read ratios compare with the bare run just before them.`);
if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify({ at: new Date().toISOString(), seconds: SECONDS, connections: CONNECTIONS, bare, stores }, null, 2));
