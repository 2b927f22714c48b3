/**
 * The chart API at size, on both databases, in process (dispatch, as HTTP runs it, without the
 * socket): `Patient/$match` among 50,000 patients, and `Observation/$lastn` for a patient with
 * 1,000 encounters and 20,000 observations among others. Prints p50/p95/max per request kind.
 *
 *   node bin/run-ts.js tests/bench/chart-api.bench.ts [sqlite|postgres]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Patient, Resource } from '@medplum/fhirtypes';
import pg from 'pg';
import { dispatch } from '../../src/api/fhir/dispatch.ts';
import type { FhirRequest } from '../../src/api/fhir/fhir-request.ts';
import { systemCtx } from '../../src/domain/context.ts';
import { createPractice } from '../../src/domain/practices/create-practice.ts';
import { extractIndexRows } from '../../src/fhir/search/extract.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { FhirStore } from '../../src/store/store.ts';
import { longRecordPatient } from '../../src/cli/demo/long-record-patient.ts';
import { PG_URL } from '../fixtures/heron-server.ts';
import { synthetic, writeAll } from './synthetic-patients.ts';

const PATIENTS = 50_000;

async function open(kind: 'sqlite' | 'postgres'): Promise<{ store: FhirStore; cleanup: () => Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'heron-chart-bench-'));
    const store = await openStore({ dataDir: dir, indexer: extractIndexRows });
    return { store, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = `heron_chart_bench_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`CREATE SCHEMA "${schema}"`);
  const store = await openStore({ databaseUrl: PG_URL, schema, indexer: extractIndexRows });
  return {
    store,
    cleanup: async () => {
      await client.query(`DROP SCHEMA "${schema}" CASCADE`);
      await client.end();
    },
  };
}

function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))].toFixed(1);
  return `n=${s.length} p50=${at(0.5)} ms p95=${at(0.95)} ms max=${s[s.length - 1].toFixed(1)} ms`;
}

async function timed(ctx: ReturnType<typeof systemCtx>, req: Omit<FhirRequest, 'baseUrl' | 'headers'>, runs: number): Promise<{ ms: number[]; last: Resource | undefined }> {
  const ms: number[] = [];
  let last: Resource | undefined;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const res = await dispatch(ctx, { ...req, headers: {}, baseUrl: 'http://bench/fhir/R4' });
    ms.push(performance.now() - started);
    last = res.body;
  }
  return { ms, last };
}

async function main(kind: 'sqlite' | 'postgres'): Promise<void> {
  const { store, cleanup } = await open(kind);
  try {
    await store.migrate();
    const practice = await createPractice(store, 'Chart bench');
    const ctx = systemCtx(store, practice.id, { record() {} });
    let t0 = performance.now();
    await writeAll(store, practice.id, (function* () {
      for (let i = 0; i < PATIENTS; i++) yield synthetic(i);
    })());
    const record = longRecordPatient({ id: 'bench-long', asOf: new Date('2026-12-01T00:00:00Z') });
    const written = await writeAll(store, practice.id, record);
    await store.refreshStatistics();
    console.log(`${kind}: loaded ${PATIENTS} patients and a record of ${written} resources in ${((performance.now() - t0) / 1000).toFixed(0)} s`);

    // $match: drafts of existing patients with a typo, a swapped date, or exact; and of new people.
    const drafts: Patient[] = [];
    for (let k = 0; k < 60; k++) {
      const p = synthetic((k * 811) % PATIENTS);
      const name = p.name![0];
      if (k % 3 === 0) drafts.push({ ...p, id: undefined, identifier: undefined });
      else if (k % 3 === 1) drafts.push({ ...p, id: undefined, identifier: undefined, name: [{ family: name.family!.slice(0, -1) + 'e', given: name.given }] });
      else drafts.push({ resourceType: 'Patient', name: [{ family: 'Newperson', given: ['Quentin'] }], birthDate: p.birthDate, telecom: [{ system: 'phone', value: '555-000-0000' }] });
    }
    const matchMs: number[] = [];
    let graded = 0;
    for (const draft of drafts) {
      const { ms, last } = await timed(ctx, { method: 'POST', path: 'Patient/$match', query: new URLSearchParams(), body: { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: draft }] } }, 1);
      matchMs.push(...ms);
      graded += (last as { total?: number }).total ?? 0;
    }
    console.log(`${kind}: Patient/$match among ${PATIENTS} patients: ${stats(matchMs)} (${graded} matches over ${drafts.length} drafts)`);

    t0 = performance.now();
    for (const [label, query] of [
      ['vital-signs max=10', 'patient=bench-long&category=vital-signs&max=10'],
      ['laboratory max=10', 'patient=bench-long&category=laboratory&max=10'],
      ['all codes max=1', 'patient=bench-long'],
    ]) {
      const { ms, last } = await timed(ctx, { method: 'GET', path: 'Observation/$lastn', query: new URLSearchParams(query) }, 30);
      console.log(`${kind}: Observation/$lastn ${label} (1,000 encounters, 20,000 observations): ${stats(ms)}, ${(last as { total?: number }).total} observations returned`);
    }
  } finally {
    await store.close();
    await cleanup();
  }
}

// `node bin/run-ts.js <this file> [kind]`: the kind, if any, is the last argument.
const asked = process.argv.at(-1);
const kinds: ('sqlite' | 'postgres')[] = asked === 'sqlite' || asked === 'postgres' ? [asked] : ['sqlite', 'postgres'];
for (const kind of kinds) await main(kind);
