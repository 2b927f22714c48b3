/**
 * The app's PostgreSQL role (`heron db app-role`): it runs Heron against a schema the owner
 * migrated — reads, writes, appends audit entries — but cannot update, delete, truncate or
 * unprotect audit rows, whatever SQL it sends.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testIndexer } from '../conformance/test-indexer.ts';
import { patient, put } from '../conformance/fixtures.ts';
import { openStore } from '../open-store.ts';
import type { FhirStore } from '../store.ts';
import { grantAppRole } from './app-role.ts';

const OWNER_URL = process.env.HERON_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const suffix = randomUUID().replaceAll('-', '').slice(0, 12);
const schema = `heron_role_${suffix}`;
const role = `heron_app_${suffix}`;
const appUrl = (() => {
  const url = new URL(OWNER_URL);
  url.username = role;
  url.password = '';
  return url.toString();
})();

async function sql(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

describe('the app role on PostgreSQL', () => {
  let owner: FhirStore;
  let app: FhirStore;
  const tenant = randomUUID();

  beforeAll(async () => {
    owner = await openStore({ databaseUrl: OWNER_URL, schema, indexer: testIndexer });
    await owner.migrate();
    await owner.admin.createPractice({ id: tenant, name: `P ${tenant}`, createdAt: new Date().toISOString() });
    const result = await grantAppRole({ url: OWNER_URL, schema, role });
    expect(result.appendOnlyTables).toEqual(['audit_break_glass_reviews', 'audit_events', 'audit_patients']);
    expect(result.dataTables).toContain('resources');
    app = await openStore({ databaseUrl: appUrl, schema, indexer: testIndexer });
  });
  afterAll(async () => {
    await app?.close();
    await owner?.close();
    await sql(OWNER_URL, `DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP OWNED BY ${role}; DROP ROLE IF EXISTS ${role}`);
  });

  it('starts on the migrated schema without DDL rights, writes and audits', async () => {
    expect((await app.migrate()).every((m) => m.status === 'already-applied')).toBe(true);
    await app.transaction(tenant, async (tx) => {
      await put(tx, patient('p1', { family: 'Role' }));
      await tx.appendAudit([{ tenant, recorded: Date.now(), action: 'create', outcome: 'success', agentKind: 'system', agentId: 'test', entities: ['Patient/p1'], patients: ['Patient/p1'] }]);
    });
    await app.audit.append([{ tenant, recorded: Date.now(), action: 'read', outcome: 'success', agentKind: 'system', agentId: 'test', patients: ['Patient/p1'] }]);
    expect((await app.reader(tenant).readCurrent('Patient', 'p1'))?.resource).toMatchObject({ name: [{ family: 'Role' }] });
    expect(await app.audit.verify(tenant)).toMatchObject({ checked: 2 });
  });

  it.each([
    ['UPDATE audit_events SET outcome = $$success$$', /permission denied/],
    ['DELETE FROM audit_events', /permission denied/],
    ['DELETE FROM audit_patients', /permission denied/],
    ['TRUNCATE audit_events', /permission denied/],
    ['ALTER TABLE audit_events DISABLE TRIGGER ALL', /must be owner/],
    ['DROP TRIGGER audit_events_append_only ON audit_events', /must be owner/],
    ['DROP TABLE audit_events', /must be owner/],
  ])('refuses %s', async (statement, error) => {
    await expect(sql(appUrl, statement)).rejects.toThrow(error);
  });

  it('refreshing the grants is idempotent and keeps the app working', async () => {
    expect((await grantAppRole({ url: OWNER_URL, schema, role })).created).toBe(false);
    await expect(sql(appUrl, 'SELECT count(*) FROM audit_events')).resolves.toBeUndefined();
    await expect(sql(appUrl, 'DELETE FROM audit_events')).rejects.toThrow(/permission denied/);
  });
});

describe('heron db app-role', () => {
  const run = async (args: string[], env: Record<string, string>) => {
    const { main } = await import('../../cli/main.ts');
    const { recordingTerminal } = await import('../../cli/terminal.ts');
    const terminal = recordingTerminal();
    const code = await main(args, { terminal, env });
    return { code, terminal };
  };

  it('is for PostgreSQL only', async () => {
    const res = await run(['db', 'app-role', 'heron_app', '--data', `/tmp/heron-role-${suffix}`], {});
    expect(res.code).toBe(1);
    expect(res.terminal.stderr.join('\n')).toMatch(/for PostgreSQL/);
  });

  it('creates the role on the configured schema and prints what it may do', async () => {
    const cliSchema = `${schema}_cli`;
    const cliRole = `${role}_cli`;
    try {
      const res = await run(['db', 'app-role', cliRole, '--json'], { DATABASE_URL: OWNER_URL, HERON_PG_SCHEMA: cliSchema, HERON_DB_ROLE_PASSWORD: 'not-in-the-process-list' });
      expect(res.code, res.terminal.stderr.join('\n')).toBe(0);
      expect(JSON.parse(res.terminal.stdout.at(-1)!)).toMatchObject({ role: cliRole, created: true, appendOnlyTables: ['audit_break_glass_reviews', 'audit_events', 'audit_patients'] });
    } finally {
      await sql(OWNER_URL, `DROP SCHEMA IF EXISTS ${cliSchema} CASCADE; DROP OWNED BY ${cliRole}; DROP ROLE IF EXISTS ${cliRole}`);
    }
  });
});
