/**
 * Search benchmark (`npm run bench`, or alone: `BENCH_ONLY=search npm run bench`): for each
 * store, the 80 Synthea sample bundles are imported into BENCH_SEARCH_COPIES separate practices
 * (default 25: ~2,000 patients, ~480,000 resources), then typical clinical searches are measured
 * with autocannon at 8 connections. Every request picks a random practice and a random
 * patient (or name, code, date) from a pool, so the figures are not those of one cached row.
 *
 * Each query's pool is derived from the bundle JSON (which patient has which LOINC codes, which
 * Organization names exist, ...) and the server-assigned ids found once per practice by
 * Synthea identifier. Before measuring, a sample of each pool is run once to check it answers
 * 200 and to report how many resources a typical request returns.
 *
 * Per practice, the work of most of these queries is bounded by that practice's size (every index
 * starts with the tenant), so 25 practices of 80 patients measure a big database, not a big
 * practice. BENCH_SEARCH_PRACTICES=1 puts all copies into one practice instead (the same 80
 * patients imported again and again get new ids each time, so a copy is a new set of patients).
 *
 * Environment: BENCH_SEARCH_COPIES (copies of the sample data, default 25),
 * BENCH_SEARCH_PRACTICES (how many practices the copies are spread over, round robin; default one
 * per copy), BENCH_SEARCH_IMPORT_JOBS (parallel
 * `heron import` processes, default 2), BENCH_SEARCH_CONNECTIONS (default 8), BENCH_SECONDS
 * (default 10), BENCH_WARMUP_SECONDS (default 2), BENCH_STORES (default "sqlite,postgres"),
 * BENCH_SEARCH_QUERIES (comma-separated query names, default all), BENCH_ONLY (runs when it is
 * unset or lists `search`), BENCH_SEARCH_JSON (also write the figures here as JSON; BENCH_JSON is
 * run.bench.ts's), LOG_LEVEL (passed on to the server).
 */
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import autocannon, { type RequestData, type Result } from 'autocannon';
import pg from 'pg';
import { HeronServer, PG_URL, runHeron, type StoreKind, type Tenant } from '../fixtures/heron-server.ts';
import { SYNTHEA_SYSTEM, hasCoding, loadSamples, ofType, refersTo, sampleFiles, type SamplePatient } from '../api/synthea-model.ts';
import { openSqliteDatabase } from '../../src/store/sqlite/engine.ts';

const ONLY = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
if (ONLY && !ONLY.includes('search')) {
  // `npm run bench` runs both scripts; BENCH_ONLY without `search` means the other one only.
  process.exit(0);
}

const COPIES = Number(process.env.BENCH_SEARCH_COPIES ?? 25);
const PRACTICES = Math.min(COPIES, Number(process.env.BENCH_SEARCH_PRACTICES ?? COPIES));
const IMPORT_JOBS = Number(process.env.BENCH_SEARCH_IMPORT_JOBS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_SEARCH_CONNECTIONS ?? 8);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const STORES = (process.env.BENCH_STORES ?? 'sqlite,postgres').split(',').map((s) => s.trim()) as StoreKind[];
const SELECTED = process.env.BENCH_SEARCH_QUERIES?.split(',').map((s) => s.trim());
/** The issue's target: p99 under 50 ms on SQLite at 8 connections. */
const P99_TARGET_MS = 50;
/** How many pool entries are run once before measuring, to check them and size the answers. */
const PROBE_REQUESTS = 20;

const FILES = sampleFiles();
const SAMPLES = loadSamples(FILES);
const LOINC = 'http://loinc.org';
const SNOMED = 'http://snomed.info/sct';

/** One practice of the benchmark store: its tenant and the server ids of its patients. */
interface Practice {
  tenant: Tenant;
  /** Synthea identifier -> Patient ids in this practice (one per copy imported into it). */
  patientIds: Map<string, string[]>;
}

/** One request a query may send: a path below the origin and the practice whose token it uses. */
interface PoolEntry {
  path: string;
  token: string;
}

interface QuerySpec {
  name: string;
  /** The query's shape, for the table. */
  shape: string;
  pool: (practices: Practice[]) => PoolEntry[];
}

const q = encodeURIComponent;

/** Per patient of every practice: one or more paths built from that patient's sample data. */
function perPatient(build: (s: SamplePatient, id: string) => string[]): QuerySpec['pool'] {
  return (practices) =>
    practices.flatMap((p) =>
      SAMPLES.flatMap((s) => {
        const ids = p.patientIds.get(s.syntheaId) ?? [];
        return ids.flatMap((id) => build(s, id).map((path) => ({ path: `/fhir/R4/${path}`, token: p.tenant.token })));
      }),
    );
}

/** The same list of paths in every practice. */
function perPractice(paths: string[]): QuerySpec['pool'] {
  return (practices) => practices.flatMap((p) => paths.map((path) => ({ path: `/fhir/R4/${path}`, token: p.tenant.token })));
}

const distinct = <T>(items: T[]): T[] => [...new Set(items)];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const patientsObservations = (s: SamplePatient): any[] => ofType(s, 'Observation').filter((o) => refersTo(o.subject, s.urn));

const QUERIES: QuerySpec[] = [
  {
    name: 'name',
    shape: 'Patient?name=<family>',
    // Every family name in the data; in a practice most match one or two patients, as a surname does.
    pool: perPractice(distinct(SAMPLES.flatMap((s) => (s.patient.name ?? []).map((n) => n.family!))).map((f) => `Patient?name=${q(f)}`)),
  },
  {
    name: 'birthdate',
    shape: 'Patient?birthdate=ge<date>',
    // Thresholds at the patients' own birth dates: answers from 1 to all 80 of a practice.
    pool: perPractice(SAMPLES.map((s) => `Patient?birthdate=ge${s.patient.birthDate}`)),
  },
  {
    name: 'obs-code-sort',
    shape: 'Observation?patient=<id>&code=<loinc>&_sort=-date',
    pool: perPatient((s, id) => {
      // Up to three of the patient's own LOINC codes, most frequent first (a trend chart).
      const counts = new Map<string, number>();
      for (const o of patientsObservations(s)) for (const c of o.code?.coding ?? []) if (c.system === LOINC) counts.set(c.code, (counts.get(c.code) ?? 0) + 1);
      return [...counts.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([code]) => `Observation?patient=${id}&code=${q(`${LOINC}|${code}`)}&_sort=-date`);
    }),
  },
  {
    name: 'obs-vitals-date',
    shape: 'Observation?patient=<id>&category=vital-signs&date=ge<date>',
    pool: perPatient((s, id) => {
      // The median date of the patient's vital signs, so about half of them match.
      const dates = patientsObservations(s)
        .filter((o) => hasCoding(o.category, undefined, 'vital-signs') && typeof o.effectiveDateTime === 'string')
        .map((o) => (o.effectiveDateTime as string).slice(0, 10))
        .sort();
      return dates.length === 0 ? [] : [`Observation?patient=${id}&category=vital-signs&date=ge${dates[Math.floor(dates.length / 2)]}`];
    }),
  },
  {
    name: 'condition-active',
    shape: 'Condition?patient=<id>&clinical-status=active',
    pool: perPatient((_s, id) => [`Condition?patient=${id}&clinical-status=active`]),
  },
  {
    name: 'encounter-revinclude',
    shape: 'Encounter?patient=<id>&_revinclude=Observation:encounter',
    pool: perPatient((_s, id) => [`Encounter?patient=${id}&_revinclude=Observation:encounter`]),
  },
  {
    name: 'chain-2',
    shape: 'Observation?encounter.service-provider.name=<org>',
    // Two reference hops (Observation -> Encounter -> Organization); the sample Patients have no
    // generalPractitioner or managingOrganization, so this is the two-level chain the data supports.
    pool: perPractice(distinct(SAMPLES.flatMap((s) => ofType(s, 'Organization').map((o) => o.name as string))).map((n) => `Observation?encounter.service-provider.name=${q(n)}`)),
  },
  {
    name: 'has',
    shape: 'Patient?_has:Condition:patient:code=<snomed>',
    pool: perPractice(
      distinct(SAMPLES.flatMap((s) => ofType(s, 'Condition').flatMap((c) => (c.code?.coding ?? []).filter((x: { system?: string }) => x.system === SNOMED).map((x: { code: string }) => x.code)))).map(
        (code) => `Patient?_has:Condition:patient:code=${q(`${SNOMED}|${code}`)}`,
      ),
    ),
  },
];

for (const name of SELECTED ?? []) if (!QUERIES.some((x) => x.name === name)) throw new Error(`BENCH_SEARCH_QUERIES: unknown query ${name}; expected some of ${QUERIES.map((x) => x.name).join(',')}`);
const ACTIVE = QUERIES.filter((x) => !SELECTED || SELECTED.includes(x.name));

interface Load {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  total: number;
}

interface QueryFigures {
  name: string;
  shape: string;
  poolSize: number;
  /** Over the probe requests: average matches on the page, average `total`, and the first failure if any. */
  probe: { pageMatches: number; total: number; included: number; failure?: string };
  load?: Load;
}

interface StoreFigures {
  kind: StoreKind;
  practices: number;
  resources: number;
  import: { wallSeconds: number; perSecond: number };
  storage: { bytes: number; detail: string };
  loadBeforeQueries: number;
  queries: QueryFigures[];
}

function log(message: string): void {
  process.stderr.write(`[search-bench] ${message}\n`);
}

/** Runs `tasks` with at most `limit` in flight; results in task order. */
async function pool<T>(limit: number, tasks: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
  return results;
}

/** Imports the sample bundles into one practice; returns the resource count from the summary. */
async function importInto(server: HeronServer, practiceId: string): Promise<number> {
  // Longer than the CLI helper's default timeout: with several imports in parallel one takes a while.
  const result = await runHeron(server.loc, ['import', ...FILES, '--practice', practiceId], { timeoutMs: 1_800_000 });
  if (result.code !== 0) throw new Error(`heron import exited ${result.code}\n${result.stdout}\n${result.stderr.slice(-4000)}`);
  const resources = Number(/Resources:\s+(\d+)/.exec(result.stdout)?.[1]);
  if (!Number.isFinite(resources)) throw new Error(`unexpected import summary:\n${result.stdout}`);
  return resources;
}

/** Every Patient of the practice (all pages), by Synthea identifier. */
async function patientIdsOf(tenant: Tenant, copies: number): Promise<Map<string, string[]>> {
  const ids = new Map<string, string[]>();
  let found = 0;
  let url: string | undefined = 'Patient?_count=1000&_total=none';
  while (url) {
    const res = await tenant.fhir('GET', url);
    if (res.status !== 200) throw new Error(`Patient search: ${res.status} ${res.text.slice(0, 300)}`);
    for (const e of res.body.entry ?? []) {
      const value = (e.resource.identifier ?? []).find((i: { system?: string }) => i.system === SYNTHEA_SYSTEM)?.value;
      if (typeof value !== 'string') continue;
      ids.set(value, [...(ids.get(value) ?? []), e.resource.id as string]);
      found++;
    }
    url = (res.body.link ?? []).find((l: { relation: string }) => l.relation === 'next')?.url;
  }
  if (found !== SAMPLES.length * copies) throw new Error(`practice ${tenant.practiceId}: found ${found} sample patients, expected ${SAMPLES.length * copies}`);
  return ids;
}

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

async function probe(server: HeronServer, entries: PoolEntry[]): Promise<QueryFigures['probe']> {
  let pageMatches = 0;
  let total = 0;
  let included = 0;
  const sample = shuffled(entries).slice(0, PROBE_REQUESTS);
  for (const e of sample) {
    const res = await fetch(`${server.origin}${e.path}`, { headers: { authorization: `Bearer ${e.token}`, accept: 'application/fhir+json' } });
    const text = await res.text();
    if (res.status !== 200) return { pageMatches: 0, total: 0, included: 0, failure: `${res.status} for ${e.path}: ${text.slice(0, 300)}` };
    const body = JSON.parse(text) as { total?: number; entry?: Array<{ search?: { mode?: string } }> };
    const modes = (body.entry ?? []).map((x) => x.search?.mode ?? 'match');
    pageMatches += modes.filter((m) => m === 'match').length;
    included += modes.filter((m) => m === 'include').length;
    total += body.total ?? 0;
  }
  const n = Math.max(1, sample.length);
  return { pageMatches: pageMatches / n, total: total / n, included: included / n };
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

/** autocannon over a pool: every request takes a random entry, so connections do not move in step. */
async function measure(server: HeronServer, entries: PoolEntry[]): Promise<Load> {
  const options = {
    url: server.origin,
    connections: CONNECTIONS,
    requests: [
      {
        method: 'GET',
        setupRequest: (req: RequestData): RequestData => {
          const e = entries[Math.floor(Math.random() * entries.length)];
          return { ...req, path: e.path, headers: { ...req.headers, authorization: `Bearer ${e.token}`, accept: 'application/fhir+json' } };
        },
      },
    ],
  };
  if (WARMUP_SECONDS > 0) await autocannon({ ...options, duration: WARMUP_SECONDS });
  return summarise(await autocannon({ ...options, duration: SECONDS }));
}

/** Database size: the SQLite files in the data dir, or every relation of the PostgreSQL schema (tables, indexes, TOAST). */
async function storage(server: HeronServer): Promise<StoreFigures['storage']> {
  if (server.kind === 'sqlite') {
    checkpoint(server);
    const files = readdirSync(server.loc.dataDir)
      .map((f) => ({ f, bytes: statSync(join(server.loc.dataDir, f)).size }))
      .filter((x) => /\.(db|sqlite3?)(-wal|-shm)?$/.test(x.f) || x.f.endsWith('-wal'));
    const bytes = files.reduce((n, x) => n + x.bytes, 0);
    return { bytes, detail: files.map((x) => `${x.f} ${mb(x.bytes)}`).join(', ') };
  }
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const rows = await client.query<{ name: string; bytes: string }>(
      `SELECT c.relname AS name, pg_total_relation_size(c.oid) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY 2 DESC`,
      [server.loc.schema],
    );
    const bytes = rows.rows.reduce((n, r) => n + Number(r.bytes), 0);
    return { bytes, detail: rows.rows.slice(0, 4).map((r) => `${r.name} ${mb(Number(r.bytes))}`).join(', ') };
  } finally {
    await client.end();
  }
}

/**
 * Moves the WAL into the database file first, so the file size is the data's size rather than
 * data plus not-yet-checkpointed pages (the imports leave up to wal_autocheckpoint pages behind).
 * The idle server holds no read transaction, so TRUNCATE can finish; if it cannot, the sizes are
 * reported as they are.
 */
function checkpoint(server: HeronServer): void {
  const file = readdirSync(server.loc.dataDir).find((f) => /\.(db|sqlite3?)$/.test(f));
  if (!file) return;
  const db = openSqliteDatabase(join(server.loc.dataDir, file), { busyTimeoutMs: 5000 });
  try {
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Servers to stop if the run is interrupted, so no `heron serve` outlives the benchmark. */
const running = new Set<HeronServer>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.allSettled([...running].map((s) => s.close())).then(() => process.exit(130));
  });
}

async function measureStore(kind: StoreKind): Promise<StoreFigures> {
  log(`${kind}: starting heron serve`);
  const server = await HeronServer.start(kind, { practiceName: 'Search bench 1' });
  running.add(server);
  try {
    log(`${kind}: creating ${PRACTICES - 1} more practices`);
    const others = await pool(
      2,
      Array.from({ length: PRACTICES - 1 }, (_, i) => () => server.addTenant(`Search bench ${i + 2}`)),
    );
    const tenants = [server.default, ...others];
    // Copy k goes to practice k mod PRACTICES.
    const copiesOf = (i: number): number => Math.floor(COPIES / PRACTICES) + (i < COPIES % PRACTICES ? 1 : 0);
    log(`${kind}: importing ${COPIES} copies of the ${FILES.length} bundles into ${tenants.length} practices, ${IMPORT_JOBS} imports at a time`);
    const started = performance.now();
    let done = 0;
    const counts = await pool(
      IMPORT_JOBS,
      Array.from({ length: COPIES }, (_, k) => async () => {
        const n = await importInto(server, tenants[k % PRACTICES].practiceId);
        log(`${kind}: copy ${++done}/${COPIES} imported (${((performance.now() - started) / 1000).toFixed(0)} s)`);
        return n;
      }),
    );
    const wallSeconds = (performance.now() - started) / 1000;
    const resources = counts.reduce((a, b) => a + b, 0);
    const practices: Practice[] = [];
    for (const [i, tenant] of tenants.entries()) practices.push({ tenant, patientIds: await patientIdsOf(tenant, copiesOf(i)) });

    const figures: StoreFigures = {
      kind,
      practices: tenants.length,
      resources,
      import: { wallSeconds, perSecond: resources / wallSeconds },
      storage: await storage(server),
      loadBeforeQueries: loadavg()[0],
      queries: [],
    };
    log(`${kind}: ${resources} resources in ${wallSeconds.toFixed(0)} s; storage ${mb(figures.storage.bytes)} (${figures.storage.detail}); load average ${figures.loadBeforeQueries.toFixed(2)}`);
    for (const spec of ACTIVE) {
      const entries = spec.pool(practices);
      if (entries.length === 0) throw new Error(`${spec.name}: empty pool`);
      const result: QueryFigures = { name: spec.name, shape: spec.shape, poolSize: entries.length, probe: await probe(server, entries) };
      figures.queries.push(result);
      if (result.probe.failure) {
        log(`${kind}: ${spec.name}: not measured, ${result.probe.failure}`);
        continue;
      }
      log(`${kind}: ${spec.name} (${entries.length} variants, ~${result.probe.pageMatches.toFixed(0)} on the page, total ~${result.probe.total.toFixed(0)})`);
      result.load = await measure(server, entries);
      log(`${kind}: ${spec.name}: ${result.load.requestsPerSecond.toFixed(0)} req/s, p50 ${result.load.p50} ms, p99 ${result.load.p99} ms`);
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

function printTable(stores: StoreFigures[]): void {
  const rows: string[][] = [['store', 'query', 'answer (avg)', 'req/s', 'p50', 'p99', 'target', 'met']];
  for (const s of stores) {
    for (const x of s.queries) {
      const answer = `${fmt(x.probe.pageMatches, 1)} on page${x.probe.included ? ` + ${fmt(x.probe.included, 1)} incl.` : ''}, total ${fmt(x.probe.total, 1)}`;
      const target = s.kind === 'sqlite' ? `p99 < ${P99_TARGET_MS} ms` : '';
      if (!x.load) {
        rows.push([s.kind, x.shape, x.probe.failure ?? 'not run', '', '', '', target, target ? 'NO' : '']);
        continue;
      }
      const failed = x.load.non2xx + x.load.errors;
      const met = x.load.p99 < P99_TARGET_MS && failed === 0 ? 'yes' : 'NO';
      rows.push([
        s.kind,
        x.shape,
        answer,
        `${fmt(x.load.requestsPerSecond)}${failed ? ` (${x.load.non2xx} non-2xx, ${x.load.errors} errors)` : ''}`,
        `${x.load.p50} ms`,
        `${x.load.p99} ms`,
        target,
        target ? met : '',
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
console.log(`Heron search benchmark ${new Date().toISOString()} — node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}`);
console.log(
  `${COPIES} copies of the ${FILES.length} sample bundles in ${PRACTICES} practice${PRACTICES === 1 ? '' : 's'} per store; ${CONNECTIONS} connections, ${SECONDS} s per query after ${WARMUP_SECONDS} s warm-up; autocannon shares the machine with the server.`,
);
console.log(`Load average at start: ${loadavg().map((l) => l.toFixed(2)).join(', ')} (1, 5, 15 min).`);
const stores: StoreFigures[] = [];
for (const kind of STORES) stores.push(await measureStore(kind));
console.log('');
for (const s of stores) {
  console.log(
    `${s.kind}: ${fmt(s.resources)} resources (${COPIES} copies) in ${s.practices} practice${s.practices === 1 ? '' : 's'}, imported in ${fmt(s.import.wallSeconds, 1)} s (${fmt(s.import.perSecond)} res/s, ${IMPORT_JOBS} parallel imports); ` +
      `storage ${mb(s.storage.bytes)} = ${fmt(s.storage.bytes / Math.max(1, s.resources))} bytes/resource (${s.storage.detail}); load average before the queries ${s.loadBeforeQueries.toFixed(2)}`,
  );
}
console.log('');
printTable(stores);
console.log(`Load average at end: ${loadavg().map((l) => l.toFixed(2)).join(', ')}.`);
if (process.env.BENCH_SEARCH_JSON) writeFileSync(process.env.BENCH_SEARCH_JSON, JSON.stringify({ at: new Date().toISOString(), copies: COPIES, practices: PRACTICES, seconds: SECONDS, connections: CONNECTIONS, stores }, null, 2));
