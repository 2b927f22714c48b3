// temporary profiling harness (deleted after use)
import { buildApp } from './app.ts';
import { openStore } from '../store/open-store.ts';
import { extractIndexRows } from '../fhir/search/extract.ts';
import { createPractice } from '../domain/practices/create-practice.ts';
import { registerClient } from '../domain/clients/register-client.ts';
import { loggingAuditSink, discardingAuditSink } from '../domain/audit/audit-sink.ts';
import { writeFileSync, mkdtempSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

const mode = process.env.MODE ?? 'full';
const store = await openStore({ dataDir: mkdtempSync('/tmp/prof/d'), indexer: extractIndexRows });
await store.migrate();
const practice = await createPractice(store, 'P');
const { clientId, clientSecret } = await registerClient(store, { practiceId: practice.id, scopes: 'system/*.*' });
let app: FastifyInstance | undefined;
const audit = mode === 'quiet' ? discardingAuditSink : loggingAuditSink((e, m) => app?.log.info(e, m));
app = await buildApp({ store, audit, logger: mode === 'quiet' ? false : { level: 'info' } });
await app.listen({ port: 4567, host: '127.0.0.1' });
const tok = await (await fetch('http://127.0.0.1:4567/oauth2/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }) })).json();
const paths: string[] = [];
for (let i = 0; i < 200; i++) {
  const r = await fetch('http://127.0.0.1:4567/fhir/R4/Patient', { method: 'POST', headers: { authorization: `Bearer ${tok.access_token}`, 'content-type': 'application/fhir+json' }, body: JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Bench', given: ['Load'] }], gender: 'female', birthDate: '1980-05-17' }) });
  paths.push(`/fhir/R4/Patient/${(await r.json()).id}`);
}
writeFileSync('/tmp/prof/setup.json', JSON.stringify({ token: tok.access_token, paths }));
process.stderr.write('ready\n');
process.once('SIGINT', () => void app!.close().then(() => process.exit(0)));
