/** The storage conformance suite on PostgreSQL, in a schema of its own that is dropped afterwards. */
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import pg from 'pg';
import { afterAll } from 'vitest';
import { runConformance } from '../conformance/run.ts';
import { testIndexer } from '../conformance/test-indexer.ts';
import { openStore } from '../open-store.ts';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/test';
const schema = `heron_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;

afterAll(async () => {
  const url = new URL(databaseUrl);
  // Like the store (and libpq): no user in the URL means the OS user.
  if (!url.username) url.username = process.env.PGUSER || process.env.USER || userInfo().username;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
});

runConformance({ name: 'postgres', open: (indexer = testIndexer) => openStore({ databaseUrl, schema, indexer }) });
