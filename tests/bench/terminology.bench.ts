/**
 * Terminology benchmark (`npm run bench`, or alone: `BENCH_ONLY=terminology npm run bench`): for
 * each store, the shipped terminology subsets are loaded with `heron terminology load --shipped`
 * (timed), then the clinician app's type-ahead requests are measured with autocannon at a few
 * connections: `ValueSet/$expand?url=…&filter=…&count=20` on each picker's value set, with the
 * filters a user types keystroke by keystroke (from the second character on: "hy", "hyp", …,
 * "type 2 d", …), and `CodeSystem/$lookup`. Single-letter filters, the broadest there are, are
 * measured apart. Every request picks a random entry of its pool.
 *
 * Environment: BENCH_TERMINOLOGY_CONNECTIONS (default 4), BENCH_SECONDS (default 10),
 * BENCH_WARMUP_SECONDS (default 2), BENCH_STORES (default "sqlite,postgres"),
 * BENCH_TERMINOLOGY_QUERIES (comma-separated query names, default all), BENCH_ONLY (runs when it
 * is unset or lists `terminology`), BENCH_TERMINOLOGY_JSON (also write the figures here as JSON).
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import autocannon, { type RequestData, type Result } from 'autocannon';
import { HeronServer, type StoreKind } from '../fixtures/heron-server.ts';

const ONLY = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
if (ONLY && !ONLY.includes('terminology')) process.exit(0);

const CONNECTIONS = Number(process.env.BENCH_TERMINOLOGY_CONNECTIONS ?? 4);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const STORES = (process.env.BENCH_STORES ?? 'sqlite,postgres').split(',').map((s) => s.trim()) as StoreKind[];
const SELECTED = process.env.BENCH_TERMINOLOGY_QUERIES?.split(',').map((s) => s.trim());
/** The issue's target: `$expand?filter=` p99 under 30 ms on the full shipped subsets. */
const P99_TARGET_MS = 30;
const VS = 'https://heron.dev/fhir/ValueSet/';

/** What users type into each picker; every prefix of two characters or more is a request. */
const TYPED: Record<string, string[]> = {
  problems: [
    'hypertension', 'type 2 diabetes', 'asthma', 'depression', 'chronic kidney disease', 'fracture of femur', 'pneumonia', 'migraine',
    'obesity', 'anxiety', 'hyperlipidemia', 'copd', 'atrial fibrillation', 'heart failure', 'low back pain', 'osteoarthritis of knee',
    'urinary tract infection', 'hypothyroidism', 'gastroesophageal reflux', 'breast cancer',
  ],
  medications: ['metformin', 'lisinopril 10', 'atorvastatin', 'amlodipine', 'insulin glargine', 'sertraline', 'amoxicillin', 'warfarin', 'oxycodone', 'prednisone'],
  vaccines: ['influenza', 'hep b', 'tdap', 'mmr', 'covid', 'pneumococcal', 'zoster', 'hpv'],
  'allergy-substances': ['penicillin', 'peanut', 'sulfamethoxazole', 'latex', 'aspirin', 'codeine', 'egg', 'shellfish'],
  observations: ['systolic blood pressure', 'heart rate', 'body weight', 'hemoglobin a1c', 'glucose', 'creatinine', 'ldl cholesterol', 'body temperature', 'oxygen saturation'],
};

const prefixes = (words: string[]): string[] => [...new Set(words.flatMap((w) => Array.from({ length: w.length - 1 }, (_, i) => w.slice(0, i + 2)).filter((p) => !p.endsWith(' '))))];
const expandPath = (valueSet: string, filter: string): string => `/fhir/R4/ValueSet/$expand?url=${encodeURIComponent(VS + valueSet)}&filter=${encodeURIComponent(filter)}&count=20`;

interface QuerySpec {
  name: string;
  shape: string;
  paths: string[];
  /** Whether the p99 target applies. */
  target: boolean;
}

const QUERIES: QuerySpec[] = [
  ...Object.entries(TYPED).map(([valueSet, words]) => ({ name: valueSet, shape: `ValueSet/$expand?url=…/${valueSet}&filter=<2+ chars>&count=20`, paths: prefixes(words).map((p) => expandPath(valueSet, p)), target: true })),
  {
    name: 'problems-1-char',
    shape: 'ValueSet/$expand?url=…/problems&filter=<1 letter>&count=20',
    paths: [...'abcdefghijklmnopqrstuvwxyz'].map((c) => expandPath('problems', c)),
    target: false,
  },
  {
    name: 'lookup',
    shape: 'CodeSystem/$lookup?system=…&code=…',
    paths: [
      ['http://hl7.org/fhir/sid/icd-10-cm', 'E11.9'], ['http://hl7.org/fhir/sid/icd-10-cm', 'I10'], ['http://snomed.info/sct', '44054006'], ['http://snomed.info/sct', '195967001'],
      ['http://www.nlm.nih.gov/research/umls/rxnorm', '7980'], ['http://hl7.org/fhir/sid/cvx', '08'], ['http://loinc.org', '8480-6'], ['http://loinc.org', '4548-4'],
    ].map(([system, code]) => `/fhir/R4/CodeSystem/$lookup?system=${encodeURIComponent(system)}&code=${encodeURIComponent(code)}`),
    target: false,
  },
];
for (const name of SELECTED ?? []) if (!QUERIES.some((x) => x.name === name)) throw new Error(`BENCH_TERMINOLOGY_QUERIES: unknown query ${name}; expected some of ${QUERIES.map((x) => x.name).join(',')}`);
const ACTIVE = QUERIES.filter((x) => !SELECTED || SELECTED.includes(x.name));

interface Load {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  failed: number;
}

interface QueryFigures {
  name: string;
  shape: string;
  poolSize: number;
  /** Over every pool entry, run once: average `expansion.total`. */
  averageTotal: number;
  failure?: string;
  load?: Load;
}

interface StoreFigures {
  kind: StoreKind;
  load: { wallSeconds: number; concepts: number };
  loadAverageBefore: number;
  queries: QueryFigures[];
}

function log(message: string): void {
  process.stderr.write(`[terminology-bench] ${message}\n`);
}

/** Every entry once: checks it answers 200 and how much it matches. */
async function probe(server: HeronServer, paths: string[]): Promise<Pick<QueryFigures, 'averageTotal' | 'failure'>> {
  let total = 0;
  for (const path of paths) {
    const res = await fetch(`${server.origin}${path}`, { headers: { authorization: `Bearer ${server.default.token}`, accept: 'application/fhir+json' } });
    const text = await res.text();
    if (res.status !== 200) return { averageTotal: 0, failure: `${res.status} for ${path}: ${text.slice(0, 300)}` };
    total += (JSON.parse(text) as { expansion?: { total?: number } }).expansion?.total ?? 0;
  }
  return { averageTotal: total / paths.length };
}

function summarise(result: Result): Load {
  return { requestsPerSecond: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max, failed: result.non2xx + result.errors + result.timeouts };
}

async function measure(server: HeronServer, paths: string[]): Promise<Load> {
  const token = server.default.token;
  const options = {
    url: server.origin,
    connections: CONNECTIONS,
    requests: [
      {
        method: 'GET',
        setupRequest: (req: RequestData): RequestData => ({ ...req, path: paths[Math.floor(Math.random() * paths.length)], headers: { ...req.headers, authorization: `Bearer ${token}`, accept: 'application/fhir+json' } }),
      },
    ],
  };
  if (WARMUP_SECONDS > 0) await autocannon({ ...options, duration: WARMUP_SECONDS });
  return summarise(await autocannon({ ...options, duration: SECONDS }));
}

const running = new Set<HeronServer>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.allSettled([...running].map((s) => s.close())).then(() => process.exit(130));
  });
}

async function measureStore(kind: StoreKind): Promise<StoreFigures> {
  log(`${kind}: starting heron serve`);
  const server = await HeronServer.start(kind, { practiceName: 'Terminology bench', scopes: 'system/ValueSet.rs system/CodeSystem.rs' });
  running.add(server);
  try {
    const started = performance.now();
    const loaded = await server.cli(['terminology', 'load', '--shipped', '--json']);
    if (loaded.code !== 0) throw new Error(`heron terminology load exited ${loaded.code}\n${loaded.stderr}`);
    const wallSeconds = (performance.now() - started) / 1000;
    const concepts = (JSON.parse(loaded.stdout) as { loaded: { concepts: number }[] }).loaded.reduce((n, r) => n + r.concepts, 0);
    const figures: StoreFigures = { kind, load: { wallSeconds, concepts }, loadAverageBefore: loadavg()[0], queries: [] };
    log(`${kind}: loaded ${concepts} concepts in ${wallSeconds.toFixed(1)} s (the CLI process, start to end); load average ${figures.loadAverageBefore.toFixed(2)}`);
    for (const spec of ACTIVE) {
      const result: QueryFigures = { name: spec.name, shape: spec.shape, poolSize: spec.paths.length, ...(await probe(server, spec.paths)) };
      figures.queries.push(result);
      if (result.failure) {
        log(`${kind}: ${spec.name}: not measured, ${result.failure}`);
        continue;
      }
      result.load = await measure(server, spec.paths);
      log(`${kind}: ${spec.name} (${spec.paths.length} variants, total ~${result.averageTotal.toFixed(0)}): ${result.load.requestsPerSecond.toFixed(0)} req/s, p50 ${result.load.p50} ms, p99 ${result.load.p99} ms`);
    }
    return figures;
  } finally {
    running.delete(server);
    await server.close();
  }
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function printTable(stores: StoreFigures[]): void {
  const rows: string[][] = [['store', 'query', 'variants', 'matches (avg)', 'req/s', 'p50', 'p99', 'max', 'target', 'met']];
  for (const s of stores) {
    for (const x of s.queries) {
      const spec = QUERIES.find((q) => q.name === x.name)!;
      const target = spec.target ? `p99 < ${P99_TARGET_MS} ms` : '';
      if (!x.load) {
        rows.push([s.kind, x.shape, fmt(x.poolSize), x.failure ?? 'not run', '', '', '', '', target, target ? 'NO' : '']);
        continue;
      }
      const met = x.load.p99 < P99_TARGET_MS && x.load.failed === 0 ? 'yes' : 'NO';
      rows.push([s.kind, x.shape, fmt(x.poolSize), fmt(x.averageTotal), `${fmt(x.load.requestsPerSecond)}${x.load.failed ? ` (${x.load.failed} failed)` : ''}`, `${x.load.p50} ms`, `${x.load.p99} ms`, `${x.load.max} ms`, target, target ? met : '']);
    }
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const [i, row] of rows.entries()) {
    console.log(row.map((cell, j) => cell.padEnd(widths[j])).join(' | '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  }
}

const cpu = cpus();
console.log(`Heron terminology benchmark ${new Date().toISOString()} — node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}`);
console.log(`Shipped subsets; ${CONNECTIONS} connections, ${SECONDS} s per query after ${WARMUP_SECONDS} s warm-up; autocannon shares the machine with the server.`);
console.log(`Load average at start: ${loadavg().map((l) => l.toFixed(2)).join(', ')} (1, 5, 15 min).`);
const stores: StoreFigures[] = [];
for (const kind of STORES) stores.push(await measureStore(kind));
console.log('');
for (const s of stores) console.log(`${s.kind}: ${fmt(s.load.concepts)} concepts loaded in ${fmt(s.load.wallSeconds, 1)} s; load average before the queries ${s.loadAverageBefore.toFixed(2)}`);
console.log('');
printTable(stores);
console.log(`Load average at end: ${loadavg().map((l) => l.toFixed(2)).join(', ')}.`);
if (process.env.BENCH_TERMINOLOGY_JSON) writeFileSync(process.env.BENCH_TERMINOLOGY_JSON, JSON.stringify({ at: new Date().toISOString(), connections: CONNECTIONS, seconds: SECONDS, stores }, null, 2));
