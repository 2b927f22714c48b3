/**
 * Test support for the API integration tests (`*.int.test.ts`): a `buildApp` over a real store
 * (temporary SQLite, or a throw-away PostgreSQL schema), one practice with a client, a bearer
 * token from `/oauth2/token`, and a recording audit sink. Requests go through `inject()`, so no
 * port is opened.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { storeAuditSink, type AuditRecord, type AuditSink } from '../domain/audit/audit-sink.ts';
import { registerClient } from '../domain/clients/register-client.ts';
import { createPractice } from '../domain/practices/create-practice.ts';
import { extractIndexRows } from '../fhir/search/extract.ts';
import { openStore } from '../store/open-store.ts';
import type { FhirStore } from '../store/store.ts';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { Ctx } from '../domain/context.ts';
import { FhirError } from '../fhir/outcome.ts';
import { buildApp, type AppDeps } from './app.ts';
import { dispatch } from './fhir/dispatch.ts';
import type { FhirRequest } from './fhir/fhir-request.ts';

export const TEST_PG_URL = process.env.HERON_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const ORIGIN = 'http://heron.test:8080';
export const BASE = `${ORIGIN}/fhir/R4`;

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  text: string;
  // Tests inspect arbitrary FHIR JSON.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface RequestOptions {
  body?: unknown;
  /** Raw payload instead of JSON-encoding `body`. */
  payload?: string | Buffer;
  headers?: Record<string, string>;
  /** `null` sends no Authorization header; default: the practice's token. */
  token?: string | null;
}

export interface TestApp {
  app: FastifyInstance;
  store: FhirStore;
  practiceId: string;
  token: string;
  audits: AuditRecord[];
  /** The PostgreSQL schema of the store (for tests that reach below the application). */
  schema?: string;
  /** A request to `path` below the FHIR base (or an absolute path starting with `/`). */
  fhir(method: string, path: string, options?: RequestOptions): Promise<Reply>;
  /** A token for a new client of the same practice with other scopes. */
  tokenFor(scopes: string): Promise<string>;
  /** A new client with these scopes (of another practice if given) and its token. */
  clientFor(scopes: string, practiceId?: string): Promise<{ clientId: string; token: string }>;
  close(): Promise<void>;
}

export async function startTestApp(o: { kind?: 'sqlite' | 'postgres'; deps?: Partial<AppDeps>; auditStore?: boolean; sqliteDir?: string } = {}): Promise<TestApp> {
  const kind = o.kind ?? 'sqlite';
  const schema = kind === 'postgres' ? `heron_api_${process.pid}_${randomBytes(4).toString('hex')}` : undefined;
  const sqlite = o.sqliteDir === undefined ? { memory: true } : { dataDir: o.sqliteDir };
  const store = await openStore(schema ? { databaseUrl: TEST_PG_URL, schema, indexer: extractIndexRows } : { ...sqlite, indexer: extractIndexRows });
  await store.migrate();
  const practice = await createPractice(store, `API tests ${randomBytes(4).toString('hex')}`);
  const audits: AuditRecord[] = [];
  // Every record is kept for the test to inspect; with `auditStore`, also appended to the store's audit log as in production.
  const stored = o.auditStore ? storeAuditSink(store.audit) : undefined;
  const audit: AuditSink = {
    record: (entry, tx) => {
      audits.push(entry);
      return stored?.record(entry, tx);
    },
  };
  const app = await buildApp({ store, audit, ...o.deps });

  async function clientFor(scopes: string, practiceId = practice.id): Promise<{ clientId: string; token: string }> {
    const { clientId, clientSecret } = await registerClient(store, { practiceId, scopes });
    const res = await app.inject({
      method: 'POST',
      url: `${ORIGIN}/oauth2/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString(),
    });
    if (res.statusCode !== 200) throw new Error(`token endpoint answered ${res.statusCode}: ${res.body}`);
    return { clientId, token: (res.json() as { access_token: string }).access_token };
  }
  const tokenFor = async (scopes: string): Promise<string> => (await clientFor(scopes)).token;
  const token = await tokenFor('system/*.*');

  async function fhir(method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers };
    const bearer = options.token === undefined ? token : options.token;
    if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
    let payload = options.payload;
    if (payload === undefined && options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/fhir+json';
    }
    const url = path.startsWith('http') ? path : path.startsWith('/') ? `${ORIGIN}${path}` : `${BASE}/${path}`;
    const res = await app.inject({ method: method as 'GET', url, headers, payload });
    let body: unknown;
    try {
      body = res.body === '' ? undefined : JSON.parse(res.body);
    } catch {
      body = undefined;
    }
    return { status: res.statusCode, headers: res.headers, text: res.body, body };
  }

  return {
    app,
    store,
    practiceId: practice.id,
    token,
    audits,
    schema,
    fhir,
    tokenFor,
    clientFor,
    async close() {
      await app.close();
      await store.close();
      if (schema) await dropTestSchema(schema);
    },
  };
}

/**
 * Runs one FHIR request through `dispatch` (the path HTTP takes) as `ctx`, for tests that act as
 * principals no token endpoint issues yet; a FhirError comes back as its category and first code.
 */
export async function dispatchAs(ctx: Ctx, method: FhirRequest['method'], path: string, body?: unknown, headers: FhirRequest['headers'] = {}) {
  const q = path.indexOf('?');
  const req: FhirRequest = { method, path: q < 0 ? path : path.slice(0, q), query: new URLSearchParams(q < 0 ? '' : path.slice(q + 1)), headers, baseUrl: BASE, body };
  try {
    const res = await dispatch(ctx, req);
    return { status: res.status as number | string, body: res.body as (Resource & Bundle) | undefined, code: undefined as string | undefined };
  } catch (err) {
    if (err instanceof FhirError) return { status: err.category as number | string, body: undefined, code: err.issues[0]?.code as string | undefined };
    throw err;
  }
}

/**
 * A function that creates a resource as the app's backend client (expecting 201) and keeps its
 * `Type/id` in `ids` under `name`: the set-up of the access tests.
 */
export function namedCreator(t: () => TestApp, ids: Record<string, string>): (name: string, resource: object) => Promise<void> {
  return async (name, resource) => {
    const res = await t().fhir('POST', (resource as Resource).resourceType, { body: resource });
    if (res.status !== 201) throw new Error(`creating ${name}: ${res.status} ${res.text}`);
    ids[name] = `${res.body.resourceType}/${res.body.id}`;
  };
}

/** Drops a PostgreSQL schema a test created for its store. */
export async function dropTestSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
