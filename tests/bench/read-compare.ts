/**
 * A/B aid for the read path: keeps a bare Fastify server and `heron serve` running side by side
 * and alternates bare and read-by-id measurements ROUNDS times, printing req/s, p99 and the
 * server's CPU time per request (from /proc), so changes can be compared under the same load.
 * Usage: BENCH_STORES=sqlite ROUNDS=3 BENCH_SECONDS=5 node bin/run-ts.js tests/bench/read-compare.ts
 * With AUDIT_OFF=1 a second `heron serve` with HERON_AUDIT=log (audit store off) runs too, and
 * each round also prints the audit on/off ratio of read-by-id throughput (issue #4's target).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { HeronServer, REPO_ROOT, freePort, sleep, type StoreKind } from '../fixtures/heron-server.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const kind = (process.env.BENCH_STORES ?? 'sqlite') as StoreKind;
const files = Number(process.env.BENCH_IMPORT_FILES ?? 5);
const sampleDir = join(REPO_ROOT, 'sample-data/synthea');
const samples = readdirSync(sampleDir).filter((f) => f.endsWith('.json') && f !== 'manifest.json' && f !== 'expected-per-patient.json').sort().slice(0, files).map((f) => join(sampleDir, f));

/** User + system CPU seconds a process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function measure(pid: number, options: Parameters<typeof autocannon>[0]): Promise<{ text: string; rps: number }> {
  await autocannon({ ...options, connections, duration: 1 });
  const before = cpuSeconds(pid);
  const r = await autocannon({ ...options, connections, duration: seconds });
  const cpu = cpuSeconds(pid) - before;
  return { rps: r.requests.average, text: `${String(Math.round(r.requests.average)).padStart(6)} req/s p50 ${r.latency.p50} p99 ${String(r.latency.p99).padStart(2)} ms, server ${((cpu / r.requests.total) * 1e6).toFixed(1).padStart(5)} µs/req (${Math.round((cpu / seconds) * 100)}% cpu)${r.non2xx ? `, ${r.non2xx} non-2xx` : ''}` };
}

const barePort = await freePort();
const bare = spawn(process.execPath, [join(REPO_ROOT, 'bin/run-ts.js'), 'tests/bench/bare-server.ts', String(barePort)], { cwd: REPO_ROOT, stdio: ['pipe', 'ignore', 'inherit'] });
const server = await HeronServer.start(kind, { practiceName: 'Compare', ...(process.env.ON_ENV ? { serve: { env: JSON.parse(process.env.ON_ENV) } } : {}) });
const auditOff = process.env.AUDIT_OFF === '1' ? await HeronServer.start(kind, { practiceName: 'Compare', serve: { env: { HERON_AUDIT: 'log' } } }) : undefined;
try {
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${barePort}/healthz`)).ok) break;
    } catch {
      await sleep(100);
    }
  }
  const readPaths = async (s: HeronServer): Promise<string[]> => {
    const imported = await s.cli(['import', ...samples, '--practice', s.default.practiceId]);
    if (imported.code !== 0) throw new Error(imported.stderr);
    const paths: string[] = [];
    for (const query of (process.env.READ_QUERIES ?? 'Patient?_count=100,Observation?_count=200,Encounter?_count=100').split(',')) {
      const res = await s.default.fhir('GET', query);
      for (const e of res.body.entry ?? []) paths.push(`/fhir/R4/${e.resource.resourceType}/${e.resource.id}`);
    }
    return paths;
  };
  const paths = await readPaths(server);
  const offPaths = auditOff ? await readPaths(auditOff) : [];
  const headers = { authorization: `Bearer ${server.default.token}`, accept: 'application/fhir+json' };
  console.log(`${kind}, ${paths.length} ids, ${connections} connections, ${seconds} s; load ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  for (let i = 0; i < rounds; i++) {
    console.log(`bare ${(await measure(bare.pid!, { url: `http://127.0.0.1:${barePort}/bare` })).text}`);
    const on = await measure(server.serve.pid!, { url: server.origin, headers, requests: paths.map((path) => ({ method: 'GET', path })) });
    console.log(`read ${on.text}`);
    if (auditOff) {
      const off = await measure(auditOff.serve.pid!, { url: auditOff.origin, headers: { ...headers, authorization: `Bearer ${auditOff.default.token}` }, requests: offPaths.map((path) => ({ method: 'GET', path })) });
      console.log(`off  ${off.text}  audit on/off ${(on.rps / off.rps).toFixed(2)}`);
    }
  }
} finally {
  bare.kill('SIGTERM');
  await server.close();
  await auditOff?.close();
}
