/**
 * Broad-search benchmark (`npm run bench`, or alone: `BENCH_ONLY=broad npm run bench`): one
 * practice of BENCH_PATIENTS patients (default 50,000, ~1,000,000 resources, `broad-data.ts`) on
 * each store, and the searches a clinician app runs on every keystroke or list — ones that match
 * thousands of rows — measured through `heron serve` over HTTP with a token at 8 connections,
 * with the plan of each on each database.
 *
 * Loading: the resources are written in-process through the store's own write path
 * (`store.transaction` + `writeVersion` with Heron's indexer: the same rows `heron import` writes,
 * without the FHIR validation, reference rewriting and audit of a request), then the planner
 * statistics are refreshed as `heron import` does. BENCH_BROAD_LOADER=import loads the same data
 * as NDJSON files with `heron import` instead (slower; to compare). The database is kept between
 * runs (a SQLite file under BENCH_CACHE_DIR, a PostgreSQL schema named after the scale and
 * DATA_VERSION) and rebuilt when the data version changes or BENCH_REBUILD=1; pending migrations
 * are applied to a kept database by `heron migrate` when the server starts.
 *
 * Plans: each query's SearchRequest is built in-process by the search interaction itself
 * (`searchType`, as the server does for a backend service), and `store.explainSearch` returns
 * every statement the store runs for it with `EXPLAIN QUERY PLAN` (SQLite) or `EXPLAIN (ANALYZE,
 * BUFFERS)` (PostgreSQL).
 *
 * Environment: BENCH_PATIENTS (default 50000), BENCH_STORES (default "sqlite,postgres"),
 * BENCH_SECONDS (per query, default 10), BENCH_WARMUP_SECONDS (default 2),
 * BENCH_BROAD_CONNECTIONS (default 8), BENCH_BROAD_QUERIES (query names, default all),
 * BENCH_BROAD_LOADER (`store` or `import`), BENCH_CACHE_DIR (default $TMPDIR/heron-bench-cache),
 * BENCH_REBUILD=1, BENCH_BROAD_REPORT (the Markdown reports go to <it>-<store>.md; default
 * docs/performance/broad-search at the default scale, else in the cache dir), BENCH_BROAD_JSON (figures as JSON),
 * BENCH_ONLY (runs when unset or when it lists `broad`), LOG_LEVEL (passed to the server).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import autocannon, { type RequestData, type Result } from 'autocannon';
import pg from 'pg';
import { searchType } from '../../src/api/fhir/interactions/search.ts';
import { discardingAuditSink } from '../../src/domain/audit/audit-sink.ts';
import { systemCtx } from '../../src/domain/context.ts';
import { extractIndexRows } from '../../src/fhir/search/extract.ts';
import type { SearchRequest } from '../../src/fhir/search/types.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { FhirStore, SearchStatementPlan } from '../../src/store/store.ts';
import { HeronServer, PG_URL, REPO_ROOT, runHeron, runHeronJson, storeLocationAt, type StoreKind, type StoreLocation, type Tenant } from '../fixtures/heron-server.ts';
import { BROAD, DATA_VERSION, LOINC, SNOMED, patientId, patientRecord } from './broad-data.ts';

const ONLY = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
if (ONLY && !ONLY.includes('broad')) process.exit(0);

const DEFAULT_PATIENTS = 50_000;
const PATIENTS = Number(process.env.BENCH_PATIENTS ?? DEFAULT_PATIENTS);
const STORES = (process.env.BENCH_STORES ?? 'sqlite,postgres').split(',').map((s) => s.trim()) as StoreKind[];
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_BROAD_CONNECTIONS ?? 8);
const SELECTED = process.env.BENCH_BROAD_QUERIES?.split(',').map((s) => s.trim());
const LOADER = (process.env.BENCH_BROAD_LOADER ?? 'store') as 'store' | 'import';
const CACHE_DIR = process.env.BENCH_CACHE_DIR ?? join(tmpdir(), 'heron-bench-cache');
const REBUILD = process.env.BENCH_REBUILD === '1';
/** Reports go to `<REPORT>-<store>.md`, one per database, so a run of one database leaves the other's. */
const REPORT =
  process.env.BENCH_BROAD_REPORT ?? (PATIENTS === DEFAULT_PATIENTS ? join(REPO_ROOT, 'docs/performance/broad-search') : join(CACHE_DIR, `broad-search-${PATIENTS}`));
/** The issue's target for every default query, both databases. */
const P99_TARGET_MS = 50;
/** The issue's bound for `_total=accurate`, which may cost more: under 500 ms for 50,000 matches. */
const ACCURATE_TARGET_MS = 500;
/** Patients per transaction when loading (~20 resources each). */
const LOAD_BATCH = 25;
/** A request slower than this counts as an error rather than holding a connection forever. */
const REQUEST_TIMEOUT_S = 120;
/**
 * A query whose first request alone takes longer is measured with SEQUENTIAL_REQUESTS requests
 * one after another instead of 8 connections: at 8 connections hardly any would finish in the
 * measurement's seconds, and those left running would slow the next query's measurement.
 */
const SEQUENTIAL_ABOVE_MS = 1000;
const SEQUENTIAL_REQUESTS = 3;
/** PostgreSQL connections of the benchmark's server carry this name, to see when their queries are done. */
const APPLICATION_NAME = 'heron-broad-bench';

if (!['store', 'import'].includes(LOADER)) throw new Error(`BENCH_BROAD_LOADER: expected store or import, got ${LOADER}`);
if (!Number.isInteger(PATIENTS) || PATIENTS < 100) throw new Error('BENCH_PATIENTS: expected a whole number of at least 100');

const q = encodeURIComponent;
/** Page 50 of 20 patients, or the last page when a small practice has fewer. */
const DEEP_PAGE = Math.min(50, Math.floor(PATIENTS / 20));

/** One query of the table: a name, its shape, and the paths it sends (a random one per request). */
interface QuerySpec {
  name: string;
  shape: string;
  /** Paths below /fhir/R4; resolved once per store (page 50 follows `next` links to find its URL). */
  paths: (tenant: Tenant) => Promise<string[]>;
  /** p99 target in ms: P99_TARGET_MS unless the query asks for more (`_total=accurate`). */
  target?: number;
}

const fixed = (paths: string[]) => async () => paths;

/** Patients spread over the practice, for queries about one patient. */
function somePatients(count: number): string[] {
  return Array.from({ length: count }, (_, i) => patientId(Math.floor(((i + 0.5) * PATIENTS) / count)));
}

const QUERIES: QuerySpec[] = [
  // The cheapest search, measured in the same conditions: what the machine itself adds to every p99.
  { name: 'floor', shape: 'Patient?_id=<id> (one match: the floor)', paths: fixed(somePatients(50).map((id) => `Patient?_id=${id}`)) },
  { name: 'name-prefix', shape: `Patient?name=<2 letters>`, paths: fixed(BROAD.namePrefixes.map((p) => `Patient?name=${p}`)) },
  { name: 'sort-name', shape: 'Patient?_sort=family,given', paths: fixed(['Patient?_sort=family,given']) },
  { name: 'birthdate-sort', shape: 'Patient?birthdate=lt1950&_sort=birthdate', paths: fixed(['Patient?birthdate=lt1950&_sort=birthdate']) },
  { name: 'obs-code-sort', shape: 'Observation?code=<common LOINC>&_sort=-date', paths: fixed(BROAD.loincCodes.map((c) => `Observation?code=${q(`${LOINC}|${c}`)}&_sort=-date`)) },
  { name: 'condition-active', shape: 'Condition?clinical-status=active&_count=50', paths: fixed(['Condition?clinical-status=active&_count=50']) },
  { name: 'encounter-recent', shape: 'Encounter?date=ge<last month>&_sort=-date', paths: fixed([`Encounter?date=ge${BROAD.lastMonth}&_sort=-date`]) },
  { name: 'encounter-day', shape: 'Encounter?date=<one day>', paths: fixed([`Encounter?date=${BROAD.lastMonth}`]) },
  { name: 'page-50', shape: `Patient?_sort=family, page ${DEEP_PAGE} (by next links)`, paths: async (tenant) => [await pageUrl(tenant, 'Patient?_sort=family', DEEP_PAGE)] },
  { name: 'name-total', shape: 'Patient?name=<prefix>&_total=accurate', paths: fixed([`Patient?name=${BROAD.namePrefix}&_total=accurate`]), target: ACCURATE_TARGET_MS },
  // Every patient has a birth date before the data's anchor: as many matches as patients (50,000).
  { name: 'total-all', shape: 'Patient?birthdate=lt<next year>&_total=accurate (every patient)', paths: fixed([`Patient?birthdate=lt${BROAD.nextYear}&_total=accurate`]), target: ACCURATE_TARGET_MS },
  { name: 'chain-subject', shape: 'Observation?encounter.subject=Patient/<id>', paths: fixed(somePatients(50).map((id) => `Observation?encounter.subject=${q(`Patient/${id}`)}`)) },
  { name: 'name-contains', shape: 'Patient?name:contains=<3 letters>', paths: fixed(BROAD.contains.map((c) => `Patient?name:contains=${c}`)) },
  { name: 'has-condition', shape: 'Patient?_has:Condition:patient:code=<common SNOMED>', paths: fixed(BROAD.conditionCodes.map((c) => `Patient?_has:Condition:patient:code=${q(`${SNOMED}|${c}`)}`)) },
];

for (const name of SELECTED ?? []) if (!QUERIES.some((x) => x.name === name)) throw new Error(`BENCH_BROAD_QUERIES: unknown query ${name}; expected some of ${QUERIES.map((x) => x.name).join(',')}`);
const ACTIVE = QUERIES.filter((x) => !SELECTED || SELECTED.includes(x.name));

/** The URL of page `page` of a search, found as a client finds it: by following `next` links. */
async function pageUrl(tenant: Tenant, first: string, page: number): Promise<string> {
  let url = `${first}&_total=none`;
  for (let i = 1; i < page; i++) {
    const res = await tenant.fhir('GET', url);
    if (res.status !== 200) throw new Error(`${url}: ${res.status} ${res.text.slice(0, 300)}`);
    const next = (res.body.link ?? []).find((l: { relation: string }) => l.relation === 'next')?.url as string | undefined;
    if (!next) throw new Error(`${first}: no page ${i + 1}`);
    url = next.slice(next.indexOf('/fhir/R4/') + '/fhir/R4/'.length);
  }
  return url;
}

// ---------------------------------------------------------------------------------------------
// The database: built once per scale and data version, kept between runs.

interface BuiltStore {
  practiceId: string;
  resources: number;
  loader: 'store' | 'import';
  loadSeconds: number;
  statisticsSeconds: number;
  builtAt: string;
}

interface Database {
  loc: StoreLocation;
  built: BuiltStore;
  /** False when a kept database was used. */
  fresh: boolean;
}

function log(message: string): void {
  process.stderr.write(`[broad-bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function pgQuery(sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

async function database(kind: StoreKind): Promise<Database> {
  const name = `${kind}-${PATIENTS}-v${DATA_VERSION}`;
  const dir = join(CACHE_DIR, name);
  const metaFile = join(dir, 'built.json');
  const schema = kind === 'postgres' ? `heron_bench_broad_${PATIENTS}_v${DATA_VERSION}` : undefined;
  const loc = withApplicationName(storeLocationAt(kind, join(dir, 'data'), schema));
  const schemaExists = async () => !schema || (await pgQuery(`SELECT 1 FROM pg_namespace WHERE nspname = '${schema}'`)).rowCount === 1;
  if (!REBUILD && existsSync(metaFile) && (await schemaExists())) {
    const built = JSON.parse(readFileSync(metaFile, 'utf8')) as BuiltStore;
    log(`${kind}: using the database built ${built.builtAt} (${built.resources} resources; BENCH_REBUILD=1 rebuilds it)`);
    return { loc, built, fresh: false };
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(loc.dataDir, { recursive: true });
  if (schema) await pgQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; CREATE SCHEMA "${schema}"`);
  const migrate = await runHeron(loc, ['migrate']);
  if (migrate.code !== 0) throw new Error(`heron migrate exited ${migrate.code}\n${migrate.stderr}`);
  const practice = await runHeronJson<{ id: string }>(loc, ['practice', 'create', 'Broad search bench', '--json']);
  log(`${kind}: loading ${PATIENTS} patients with the ${LOADER} loader`);
  const built = LOADER === 'store' ? await loadInProcess(loc, practice.id) : await loadWithImport(loc, practice.id, dir);
  writeFileSync(metaFile, JSON.stringify(built, null, 2));
  return { loc, built, fresh: true };
}

/** The server's PostgreSQL connections named APPLICATION_NAME (`settle` looks for them). */
function withApplicationName(loc: StoreLocation): StoreLocation {
  if (!loc.env.DATABASE_URL) return loc;
  const url = new URL(loc.env.DATABASE_URL);
  url.searchParams.set('application_name', APPLICATION_NAME);
  return { ...loc, env: { ...loc.env, DATABASE_URL: url.toString() } };
}

function openAt(loc: StoreLocation, durability?: 'normal'): Promise<FhirStore> {
  return openStore({ databaseUrl: loc.schema ? PG_URL : undefined, schema: loc.schema, dataDir: loc.dataDir, indexer: extractIndexRows, durability });
}

/** Runs `tasks` with at most `limit` in flight. */
async function inParallel(limit: number, count: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, count)) }, worker));
}

/**
 * The store's write path in this process: one transaction per LOAD_BATCH patients, `writeVersion`
 * per resource (versioning, history, Heron's index rows). Commits do not wait for the disk
 * (durability `normal`): the rows are the same, and a crash only means building again.
 */
async function loadInProcess(loc: StoreLocation, practiceId: string): Promise<BuiltStore> {
  const store = await openAt(loc, 'normal');
  try {
    const started = performance.now();
    let resources = 0;
    let reported = started;
    const batches = Math.ceil(PATIENTS / LOAD_BATCH);
    // PostgreSQL: the database works on the other core while this process indexes the next batch.
    await inParallel(loc.kind === 'postgres' ? 3 : 1, batches, async (b) => {
      const records = Array.from({ length: Math.min(LOAD_BATCH, PATIENTS - b * LOAD_BATCH) }, (_, i) => patientRecord(b * LOAD_BATCH + i)).flat();
      await store.transaction(practiceId, async (tx) => {
        for (const resource of records) await tx.writeVersion({ resourceType: resource.resourceType, id: resource.id!, method: 'PUT', resource });
      });
      resources += records.length;
      const now = performance.now();
      if (now - reported > 15_000) {
        reported = now;
        log(`${loc.kind}: ${resources} resources, ${Math.round(resources / ((now - started) / 1000))} res/s`);
      }
    });
    const loadSeconds = (performance.now() - started) / 1000;
    log(`${loc.kind}: ${resources} resources in ${loadSeconds.toFixed(0)} s (${Math.round(resources / loadSeconds)} res/s); refreshing statistics`);
    const analysing = performance.now();
    await store.refreshStatistics();
    const statisticsSeconds = (performance.now() - analysing) / 1000;
    return { practiceId, resources, loader: 'store', loadSeconds, statisticsSeconds, builtAt: new Date().toISOString() };
  } finally {
    await store.close();
  }
}

/** The same data as NDJSON files, through `heron import` (validation, PUT per resource, audit). */
async function loadWithImport(loc: StoreLocation, practiceId: string, dir: string): Promise<BuiltStore> {
  const ndjson = join(dir, 'ndjson');
  mkdirSync(ndjson, { recursive: true });
  const perFile = 5_000;
  for (let start = 0; start < PATIENTS; start += perFile) {
    const lines: string[] = [];
    for (let n = start; n < Math.min(PATIENTS, start + perFile); n++) for (const r of patientRecord(n)) lines.push(JSON.stringify(r));
    writeFileSync(join(ndjson, `patients-${String(start).padStart(7, '0')}.ndjson`), lines.join('\n') + '\n');
  }
  const started = performance.now();
  const result = await runHeron(loc, ['import', ndjson, '--practice', practiceId], { timeoutMs: 6 * 3_600_000 });
  const loadSeconds = (performance.now() - started) / 1000;
  if (result.code !== 0) throw new Error(`heron import exited ${result.code}\n${result.stdout}\n${result.stderr.slice(-4000)}`);
  log(`${loc.kind}: heron import:\n${result.stdout}`);
  rmSync(ndjson, { recursive: true, force: true });
  // `heron import` refreshes the statistics itself before it exits (included in loadSeconds).
  return { practiceId, resources: Number(/Resources:\s+(\d+)/.exec(result.stdout)?.[1]), loader: 'import', loadSeconds, statisticsSeconds: 0, builtAt: new Date().toISOString() };
}

// ---------------------------------------------------------------------------------------------
// Measuring.

interface Load {
  /** `sequential`: SEQUENTIAL_REQUESTS requests one after another (the query is too slow for 8 connections). */
  mode: 'connections' | 'sequential';
  requestsPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  requests: number;
  failed: number;
}

interface QueryFigures {
  name: string;
  shape: string;
  /** The path measured (the first one when the query has several). */
  example: string;
  variants: number;
  /** Matches of the example, from `_summary=count` (the whole result, not the page). */
  matches?: number;
  /** Resources on the example's page. */
  onPage?: number;
  /** Time of the example's first request, alone. */
  firstMs?: number;
  failure?: string;
  load?: Load;
  plans: SearchStatementPlan[];
}

interface StoreFigures {
  kind: StoreKind;
  built: BuiltStore;
  fresh: boolean;
  loadAverage: string;
  queries: QueryFigures[];
}

const uptime = (): string => {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average: ${loadavg().map((l) => l.toFixed(2)).join(', ')}`;
  }
};

async function timed(tenant: Tenant, path: string): Promise<{ ms: number; status: number; body: { total?: number; entry?: unknown[] }; text: string }> {
  const started = performance.now();
  const res = await tenant.fhir('GET', path);
  return { ms: performance.now() - started, status: res.status, body: res.body ?? {}, text: res.text };
}

/** The number of matches: `_summary=count` of the search without its paging. */
async function matchCount(tenant: Tenant, path: string): Promise<number | undefined> {
  const query = new URLSearchParams(path.slice(path.indexOf('?') + 1));
  for (const name of ['_cursor', '_count', '_sort', '_total']) query.delete(name);
  query.set('_summary', 'count');
  const res = await tenant.fhir('GET', `${path.slice(0, path.indexOf('?'))}?${query}`);
  return res.status === 200 ? (res.body.total as number) : undefined;
}

async function measure(server: HeronServer, token: string, paths: string[]): Promise<Load> {
  const options = {
    url: server.origin,
    connections: CONNECTIONS,
    timeout: REQUEST_TIMEOUT_S,
    requests: [
      {
        method: 'GET',
        setupRequest: (req: RequestData): RequestData => ({
          ...req,
          path: `/fhir/R4/${paths[Math.floor(Math.random() * paths.length)]}`,
          headers: { ...req.headers, authorization: `Bearer ${token}`, accept: 'application/fhir+json' },
        }),
      },
    ],
  };
  if (WARMUP_SECONDS > 0) await autocannon({ ...options, duration: WARMUP_SECONDS });
  const result: Result = await autocannon({ ...options, duration: SECONDS });
  return {
    mode: 'connections',
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    requests: result.requests.total,
    failed: result.errors + result.timeouts + result.non2xx,
  };
}

/** Requests one after another, each waiting for the previous answer. */
async function measureSequentially(tenant: Tenant, paths: string[]): Promise<Load> {
  const times: number[] = [];
  let failed = 0;
  for (let i = 0; i < SEQUENTIAL_REQUESTS; i++) {
    const res = await timed(tenant, paths[i % paths.length]);
    if (res.status !== 200) failed++;
    times.push(res.ms);
  }
  times.sort((a, b) => a - b);
  const total = times.reduce((a, b) => a + b, 0);
  const ms = (x: number) => Math.round(x);
  return { mode: 'sequential', requestsPerSecond: (1000 * times.length) / total, p50: ms(times[Math.floor(times.length / 2)]), p99: ms(times.at(-1)!), max: ms(times.at(-1)!), requests: times.length, failed };
}

/**
 * Waits until the server has finished the requests autocannon left running when it stopped, so
 * they do not slow the next measurement: `/healthz` answers promptly three times in a row (on
 * SQLite a search holds the event loop) and, on PostgreSQL, none of the server's queries runs.
 */
async function settle(server: HeronServer): Promise<void> {
  const deadline = Date.now() + 15 * 60_000;
  let prompt = 0;
  while (prompt < 3 && Date.now() < deadline) {
    const started = performance.now();
    await (await fetch(`${server.origin}/healthz`)).arrayBuffer();
    const busy = server.kind === 'postgres' && (await pgQuery(`SELECT 1 FROM pg_stat_activity WHERE application_name = '${APPLICATION_NAME}' AND state = 'active'`)).rowCount! > 0;
    prompt = performance.now() - started < 50 && !busy ? prompt + 1 : 0;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (prompt < 3) log(`${server.kind}: the server was still busy after 15 minutes; measuring anyway`);
}

/**
 * The plans of the statements the store runs for `path`: the search interaction builds the
 * SearchRequest exactly as for an HTTP request (a system caller has no access criteria, like the
 * benchmark's backend service), and the store explains what it runs for it.
 */
async function plansOf(store: FhirStore, practiceId: string, path: string): Promise<SearchStatementPlan[]> {
  const [type, query] = [path.slice(0, path.indexOf('?')), new URLSearchParams(path.slice(path.indexOf('?') + 1))];
  let request: SearchRequest | undefined;
  const capturing = {
    ...store,
    reader: (tenant: string) => ({
      ...store.reader(tenant),
      search: async (r: SearchRequest) => {
        request = structuredClone(r);
        return { resources: [] as Resource[], included: [] as Resource[] };
      },
    }),
  } as FhirStore;
  await searchType(systemCtx(capturing, practiceId, discardingAuditSink), { method: 'GET', path: type, query, headers: {}, baseUrl: 'http://localhost/fhir/R4' }, type);
  if (!request) throw new Error(`${path}: the search interaction ran no search`);
  return store.explainSearch(practiceId, request);
}

async function measureStore(kind: StoreKind): Promise<StoreFigures> {
  const db = await database(kind);
  log(`${kind}: starting heron serve`);
  const server = await HeronServer.startOn(db.loc, db.built.practiceId, { serve: { env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' } } });
  running.add(server);
  const explainer = await openAt(db.loc);
  const figures: StoreFigures = { kind, built: db.built, fresh: db.fresh, loadAverage: uptime(), queries: [] };
  try {
    // The first search of a fresh server loads the search definitions; no query should pay for that.
    await server.default.fhir('GET', 'Patient?_count=1&_total=none');
    for (const spec of ACTIVE) {
      // A fresh token per query: a slow database can outlast one.
      const token = await server.token(server.default.clientId, server.default.clientSecret);
      const tenant = server.default;
      let paths: string[];
      try {
        paths = await spec.paths(tenant);
      } catch (err) {
        figures.queries.push({ name: spec.name, shape: spec.shape, example: '', variants: 0, failure: (err as Error).message, plans: [] });
        log(`${kind}: ${spec.name}: ${(err as Error).message}`);
        continue;
      }
      const result: QueryFigures = { name: spec.name, shape: spec.shape, example: paths[0], variants: paths.length, plans: [] };
      figures.queries.push(result);
      const first = await timed(tenant, paths[0]);
      result.firstMs = first.ms;
      if (first.status !== 200) {
        result.failure = `${first.status}: ${first.text.slice(0, 300)}`;
        log(`${kind}: ${spec.name}: ${result.failure}`);
        continue;
      }
      result.onPage = first.body.entry?.length ?? 0;
      result.matches = await matchCount(tenant, paths[0]);
      const sequential = first.ms > SEQUENTIAL_ABOVE_MS;
      log(`${kind}: ${spec.name}: ${result.matches} matches, first request ${first.ms.toFixed(0)} ms; measuring${sequential ? ` ${SEQUENTIAL_REQUESTS} requests one after another` : ''}`);
      if (sequential) {
        result.load = await measureSequentially(tenant, paths);
      } else {
        result.load = await measure(server, token, paths);
        await settle(server);
      }
      log(`${kind}: ${spec.name}: ${result.load.requestsPerSecond.toFixed(1)} req/s, p50 ${result.load.p50} ms, p99 ${result.load.p99} ms, max ${result.load.max} ms`);
      result.plans = await plansOf(explainer, db.built.practiceId, paths[0]);
    }
  } finally {
    await explainer.close();
    running.delete(server);
    await server.close();
  }
  return figures;
}

// ---------------------------------------------------------------------------------------------
// Report.

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

const targetOf = (name: string): number => QUERIES.find((x) => x.name === name)?.target ?? P99_TARGET_MS;

function table(stores: StoreFigures[]): string {
  const rows: string[][] = [['query', 'database', 'matches', 'p50', 'p99', 'max', 'req/s', 'p99 under target']];
  for (const name of ACTIVE.map((x) => x.name)) {
    for (const s of stores) {
      const x = s.queries.find((y) => y.name === name);
      if (!x) continue;
      if (!x.load) {
        rows.push([x.shape, s.kind, x.failure ?? 'not run', '', '', '', '', 'no']);
        continue;
      }
      const failed = x.load.failed ? ` (${x.load.failed} failed)` : '';
      rows.push([
        x.shape,
        s.kind,
        x.matches === undefined ? '?' : fmt(x.matches),
        `${x.load.p50} ms`,
        `${x.load.p99} ms`,
        `${x.load.max} ms`,
        `${fmt(x.load.requestsPerSecond, x.load.requestsPerSecond < 10 ? 1 : 0)}${x.load.mode === 'sequential' ? ` (1 conn., ${x.load.requests} req.)` : ''}${failed}`,
        `${x.load.p99 < targetOf(name) && x.load.failed === 0 && x.load.mode === 'connections' ? 'yes' : '**no**'} (${fmt(targetOf(name))} ms)`,
      ]);
    }
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

function report(stores: StoreFigures[], startedAt: string, uptimeAtStart: string): string {
  const cpu = cpus();
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  const out: string[] = [
    `# Broad-search benchmark on ${stores.map((s) => s.kind).join(', ')}: latest run`,
    '',
    `Generated by \`tests/bench/broad-search.bench.ts\` (see [performance](../performance.md#broad-search-benchmark)); do not edit by hand.`,
    '',
    `- Run ${startedAt} at commit ${commit}, node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}; autocannon shares the machine with the server and the database.`,
    `- ${fmt(PATIENTS)} patients in one practice; ${CONNECTIONS} connections, ${SECONDS} s per query after ${WARMUP_SECONDS} s warm-up; a random variant per request when a query has several.`,
    `- \`uptime\` at start: \`${uptimeAtStart}\``,
  ];
  for (const s of stores) {
    const b = s.built;
    out.push(
      `- ${s.kind}: ${fmt(b.resources)} resources, ${s.fresh ? 'built in this run' : `kept from ${b.builtAt}`} with the ${b.loader} loader in ${fmt(b.loadSeconds)} s (${fmt(b.resources / b.loadSeconds)} res/s), statistics ${fmt(b.statisticsSeconds, 1)} s; \`uptime\` before its queries: \`${s.loadAverage}\``,
    );
  }
  out.push(`- \`uptime\` at end: \`${uptime()}\``, '', '## Figures', '', 'Matches: `_summary=count` of the query (of the first variant).', `A query whose first request alone took over ${fmt(SEQUENTIAL_ABOVE_MS)} ms is measured with ${SEQUENTIAL_REQUESTS} requests one after another (\`1 conn.\`; p99 is then the slowest of them) instead of ${CONNECTIONS} connections, and fails the target.`, '', table(stores), '', '## Plans', '');
  out.push('The statements the store runs for the first variant of each query: `EXPLAIN QUERY PLAN` on SQLite, `EXPLAIN (ANALYZE, BUFFERS)` on PostgreSQL.', '');
  for (const name of ACTIVE.map((x) => x.name)) {
    const shape = ACTIVE.find((x) => x.name === name)!.shape;
    out.push(`### ${shape}`, '');
    for (const s of stores) {
      const x = s.queries.find((y) => y.name === name);
      if (!x) continue;
      out.push(`**${s.kind}** — \`${x.example}\`${x.firstMs !== undefined ? ` (first request alone: ${fmt(x.firstMs)} ms)` : ''}`, '');
      for (const [i, p] of x.plans.entries()) {
        // Non-ASCII as escapes: a prefix range ends in U+10FFFF, which no font shows.
        const params = JSON.stringify(p.params).replace(/[^\x20-\x7e]/gu, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
        out.push(`Statement ${i + 1} of ${x.plans.length}, parameters ${params}:`, '', '```sql', p.sql, '```', '', '```', p.plan, '```', '');
      }
      if (x.plans.length === 0) out.push(`(no plan: ${x.failure ?? 'not measured'})`, '');
    }
  }
  return out.join('\n');
}

/** Servers to stop if the run is interrupted, so no `heron serve` outlives the benchmark. */
const running = new Set<HeronServer>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.allSettled([...running].map((s) => s.close())).then(() => process.exit(130));
  });
}

const startedAt = new Date().toISOString();
const uptimeAtStart = uptime();
log(`${PATIENTS} patients; stores ${STORES.join(', ')}; ${uptimeAtStart}`);
const stores: StoreFigures[] = [];
for (const kind of STORES) stores.push(await measureStore(kind));
mkdirSync(join(REPORT, '..'), { recursive: true });
for (const s of stores) writeFileSync(`${REPORT}-${s.kind}.md`, report([s], startedAt, uptimeAtStart) + '\n');
console.log(table(stores));
console.log(`\nuptime: ${uptime()}\nReports with plans: ${stores.map((s) => `${REPORT}-${s.kind}.md`).join(', ')}`);
if (process.env.BENCH_BROAD_JSON) writeFileSync(process.env.BENCH_BROAD_JSON, JSON.stringify({ at: startedAt, patients: PATIENTS, connections: CONNECTIONS, seconds: SECONDS, stores }, null, 2));
