/**
 * `heron audit report` on both stores: the flags filter and sort as the AuditEvent search does,
 * the three outputs (text, CSV, JSON lines) carry every matching entry, wrong flags exit 2, and
 * reading the trail from the command line is itself recorded in it.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropTestSchema, TEST_PG_URL } from '../../api/test-app.ts';
import { createPractice } from '../../domain/practices/create-practice.ts';
import { extractIndexRows } from '../../fhir/search/extract.ts';
import type { AuditEntry, StoredAuditEntry } from '../../store/audit-log.ts';
import { openStore } from '../../store/open-store.ts';
import type { FhirStore, Practice } from '../../store/store.ts';
import { main } from '../main.ts';
import { recordingTerminal } from '../terminal.ts';
import { auditReportCommand } from './audit-report.ts';

const DAY = Date.UTC(2021, 2, 1);
const HOUR = 3_600_000;

function entries(tenant: string): AuditEntry[] {
  return Array.from({ length: 30 }, (_, i) => {
    const e: AuditEntry = {
      tenant,
      // Two entries per hour, against their order in the log.
      recorded: DAY + ((i * 7) % 15) * HOUR,
      action: ['read', 'create', 'delete', 'search-type', 'update'][i % 5],
      outcome: i % 4 === 1 ? 'failure' : 'success',
      agentKind: 'user',
      agentId: ['u-b', 'u-a', 'u-c'][i % 3],
      agentRole: 'nurse',
      resourceType: 'Patient',
      entities: [`Patient/p${i % 2}`],
      ip: '10.1.1.1',
      userAgent: i === 3 ? '=cmd|calc' : 'browser',
    };
    if (i % 2 === 1) e.patients = ['Patient/p1'];
    if (e.outcome === 'failure') e.reason = 'forbidden';
    return e;
  });
}

/** Rows as the report prints them: newest first, ties by position. */
function newestFirst(list: readonly StoredAuditEntry[]): string[] {
  return [...list].sort((a, b) => b.recorded - a.recorded || b.seq - a.seq).map((e) => String(e.seq));
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`heron audit report (${kind})`, () => {
    let store: FhirStore;
    let practice: Practice;
    let seeded: StoredAuditEntry[];
    const schema = kind === 'postgres' ? `heron_cli_${process.pid}_${randomBytes(4).toString('hex')}` : undefined;
    const day = { from: '2021-03-01', to: '2021-03-01' };

    beforeAll(async () => {
      store = await openStore(schema ? { databaseUrl: TEST_PG_URL, schema, indexer: extractIndexRows } : { memory: true, indexer: extractIndexRows });
      await store.migrate();
      practice = await createPractice(store, 'Riverside');
      await store.audit.append(entries(practice.id));
      seeded = await store.audit.query(practice.id, { count: 1000, ascending: true });
    });
    afterAll(async () => {
      await store?.close();
      if (schema) await dropTestSchema(schema);
    });

    async function report(options: Parameters<typeof auditReportCommand>[1]) {
      const terminal = recordingTerminal();
      expect(await auditReportCommand({ store, terminal }, options)).toBe(0);
      return terminal;
    }

    it('prints one line per entry, newest first, and counts them on stderr', async () => {
      const terminal = await report({ ...day });
      expect(terminal.stdout.map((line) => /#(\d+)/.exec(line)![1])).toEqual(newestFirst(seeded));
      expect(terminal.stdout[0]).toMatch(/^2021-03-01T\d\d:00:00\.000Z  #\d+ +(ok|FAILED forbidden) +\S+ Patient +user u-\w \(nurse\)  Patient\/p\d/);
      expect(terminal.stderr).toEqual([`30 entries in Riverside (${practice.id})`]);
    });

    it('--csv prints a header and every entry in the --sort order, guarded against formulas', async () => {
      const terminal = await report({ ...day, practice: 'Riverside', sort: 'agent,-date', csv: true });
      expect(terminal.stdout[0]).toBe('id,recorded,agent_kind,agent,role,client,action,interaction,resource_type,entities,patients,outcome,failure,ip,user_agent,purpose,reason');
      const rows = terminal.stdout.slice(1).map((line) => line.split(','));
      const expected = [...seeded].sort((a, b) => (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : b.recorded - a.recorded || b.seq - a.seq)).map((e) => String(e.seq));
      expect(rows.map((r) => r[0])).toEqual(expected);
      expect(terminal.stdout.find((line) => line.includes('calc'))).toContain(",'=cmd|calc,");
      expect(terminal.stderr).toEqual([]);
    });

    it('--json prints one object per line; the filters combine', async () => {
      const terminal = await report({ ...day, practice: practice.id, user: 'u-a', outcome: 'failure', patient: 'p1', json: true });
      const rows = terminal.stdout.map((line) => JSON.parse(line));
      const expected = seeded.filter((e) => e.agentId === 'u-a' && e.outcome === 'failure' && e.patients?.includes('Patient/p1'));
      expect(expected.length).toBeGreaterThan(0);
      expect(rows.map((r) => r.id)).toEqual(newestFirst(expected));
      expect(rows[0]).toMatchObject({ agent: 'u-a', outcome: 'failure', failure: 'forbidden', patients: ['Patient/p1'], reason: null });
    });

    it('--action takes an interaction or action codes; --from and --to bound the time', async () => {
      const read = (await report({ ...day, action: 'read', json: true })).stdout.map((l) => JSON.parse(l).interaction);
      expect(read.length).toBe(6);
      expect(new Set(read)).toEqual(new Set(['read']));
      const writes = (await report({ ...day, action: 'C,U', json: true })).stdout.map((l) => JSON.parse(l).interaction);
      expect(new Set(writes)).toEqual(new Set(['create', 'update']));
      expect(writes.length).toBe(12);
      const morning = (await report({ from: '2021-03-01T00:00:00Z', to: '2021-03-01T03:59:59Z', json: true })).stdout.map((l) => JSON.parse(l).recorded);
      expect(morning.length).toBe(8);
      expect(morning.every((r: string) => r < '2021-03-01T04')).toBe(true);
    });

    it('is recorded in the trail: the system user searched AuditEvent and saw these entries', async () => {
      const terminal = await report({ ...day, user: 'u-c', json: true });
      const [newest] = await store.audit.query(practice.id, { count: 1 });
      expect(newest).toMatchObject({ agentKind: 'system', agentId: 'heron-cli', action: 'search-type', resourceType: 'AuditEvent', outcome: 'success' });
      expect(newest.entities).toEqual(terminal.stdout.map((l) => `AuditEvent/${JSON.parse(l).id}`));
      expect(newest.patients).toEqual(expect.arrayContaining(['Patient/p0', 'Patient/p1']));
    });

    it('exits 2 for wrong flags, and without --practice when there are several practices', async () => {
      // The store outlives each run of main, which would otherwise close it.
      const kept = new Proxy(store, {
        get: (target, prop) => (prop === 'close' ? async () => {} : typeof Reflect.get(target, prop) === 'function' ? Reflect.get(target, prop).bind(target) : Reflect.get(target, prop)),
      });
      const run = async (...args: string[]) => {
        const terminal = recordingTerminal();
        const code = await main(['audit', 'report', ...args], { terminal, openStore: async () => ({ store: kept, migrations: [] }) });
        return { code, terminal };
      };
      const ok = await run('--from', day.from, '--to', day.to, '--csv');
      expect(ok.code).toBe(0);
      expect(ok.terminal.stdout.length).toBe(31);
      for (const args of [['--outcome', 'maybe'], ['--sort', 'name'], ['--from', 'yesterday'], ['--csv', '--json'], ['--patient', 'a/b']]) {
        const { code, terminal } = await run(...args);
        expect(code, args.join(' ')).toBe(2);
        expect(terminal.stderr.join('\n'), args.join(' ')).toMatch(/^heron: /);
        expect(terminal.stdout, args.join(' ')).toEqual([]);
      }
      expect((await run('--practice', 'Nowhere')).code).toBe(1);
      await createPractice(store, 'Hillside');
      const ambiguous = await run();
      expect(ambiguous.code).toBe(2);
      expect(ambiguous.terminal.stderr).toEqual(['heron: There are 2 practices; name one with --practice (id or name)']);
    });
  });
}
