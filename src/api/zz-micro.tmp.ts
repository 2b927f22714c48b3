// temporary micro-benchmark (deleted after use)
import { openStore } from '../store/open-store.ts';
import { extractIndexRows } from '../fhir/search/extract.ts';
import { createPractice } from '../domain/practices/create-practice.ts';
import { discardingAuditSink } from '../domain/audit/audit-sink.ts';
import { dispatch } from './fhir/dispatch.ts';
import type { Ctx } from '../domain/context.ts';
import { mkdtempSync } from 'node:fs';

const store = await openStore({ dataDir: mkdtempSync('/tmp/prof/m'), indexer: extractIndexRows });
await store.migrate();
const practice = await createPractice(store, 'P');
const ctx: Ctx = { tenant: practice.id, principal: { kind: 'client', id: 'c', tenant: practice.id, scopes: ['system/*.*'] }, store, audit: discardingAuditSink, origin: {} };
const base = 'http://x/fhir/R4';
const ids: string[] = [];
for (let i = 0; i < 200; i++) {
  const r = await dispatch(ctx, { method: 'POST', path: 'Patient', query: new URLSearchParams(), headers: {}, body: { resourceType: 'Patient', name: [{ family: 'Bench', given: ['Load'] }], gender: 'female', birthDate: '1980-05-17' }, baseUrl: base });
  ids.push((r.body as any).id);
}
async function time(label: string, n: number, fn: (i: number) => Promise<unknown> | unknown) {
  for (let i = 0; i < 2000; i++) await fn(i);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  console.log(label, ((performance.now() - t0) * 1000 / n).toFixed(2), 'µs');
}
const reader = store.reader(practice.id);
await time('store.readCurrent', 50000, (i) => reader.readCurrent('Patient', ids[i % 200]));
await time('dispatch read', 50000, (i) => dispatch(ctx, { method: 'GET', path: `Patient/${ids[i % 200]}`, query: new URLSearchParams(), headers: {}, baseUrl: base }));
await time('dispatch read+stringify', 50000, async (i) => JSON.stringify((await dispatch(ctx, { method: 'GET', path: `Patient/${ids[i % 200]}`, query: new URLSearchParams(), headers: {}, baseUrl: base })).body));
await time('toUTCString', 100000, () => new Date('2024-01-01T00:00:00.000Z').toUTCString());
await time('toISOString', 100000, () => new Date().toISOString());
await time('URLSearchParams empty', 100000, () => new URLSearchParams(''));
await store.close();
