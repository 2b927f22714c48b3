/**
 * The failure limiter is shared by every app server on one database: two Heron app instances,
 * each with its own store connection (as two servers behind a load balancer), draw on one budget
 * of failed client authentications. With a per-process limiter each would allow its own 10.
 * On SQLite (two connections to one file) and PostgreSQL (two pools on one schema).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeAuditSink } from '../../domain/audit/audit-sink.ts';
import { registerClient } from '../../domain/clients/register-client.ts';
import { createPractice } from '../../domain/practices/create-practice.ts';
import { extractIndexRows } from '../../fhir/search/extract.ts';
import { openStore } from '../../store/open-store.ts';
import type { FhirStore } from '../../store/store.ts';
import { buildApp } from '../app.ts';
import { dropTestSchema, ORIGIN, TEST_PG_URL } from '../test-app.ts';

describe.each(['sqlite', 'postgres'] as const)('failure limits shared by app servers (%s)', (kind) => {
  let dataDir: string | undefined;
  let schema: string | undefined;
  const stores: FhirStore[] = [];
  const apps: FastifyInstance[] = [];
  let client: { clientId: string; clientSecret: string };

  const open = () => (kind === 'postgres' ? openStore({ databaseUrl: TEST_PG_URL, schema, indexer: extractIndexRows }) : openStore({ dataDir, indexer: extractIndexRows }));

  beforeAll(async () => {
    if (kind === 'postgres') schema = `heron_limits_${process.pid}_${randomBytes(4).toString('hex')}`;
    else dataDir = await mkdtemp(join(tmpdir(), 'heron-limits-'));
    for (let i = 0; i < 2; i++) stores.push(await open());
    await stores[0].migrate();
    const practice = await createPractice(stores[0], 'Shared limits');
    client = await registerClient(stores[0], { practiceId: practice.id, scopes: 'system/*.read' });
    for (const store of stores) apps.push(await buildApp({ store, audit: storeAuditSink(store.audit) }));
  }, 60_000);
  afterAll(async () => {
    for (const app of apps) await app.close();
    for (const store of stores) await store.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    if (schema) await dropTestSchema(schema);
  });

  const token = (app: FastifyInstance, secret: string) =>
    app.inject({
      method: 'POST',
      url: `${ORIGIN}/oauth2/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client.clientId}:${secret}`).toString('base64')}` },
      payload: 'grant_type=client_credentials',
    });

  it('failed client authentications on either server count against one budget', async () => {
    // 10 per client id and address per minute: 5 on each server.
    for (let i = 0; i < 10; i++) expect((await token(apps[i % 2], 'wrong')).statusCode).toBe(401);
    for (const app of apps) {
      const blocked = await token(app, client.clientSecret);
      expect(blocked.statusCode, blocked.body).toBe(429);
      expect(blocked.json().error).toBe('invalid_client');
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    }
  });
});
