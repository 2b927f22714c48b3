/**
 * The audit report over HTTP, on both stores: every sort key orders as documented, filters
 * combine, paging in any order neither skips nor repeats while entries are appended, and the CSV
 * export has every matching row (beyond one page), quoted and guarded against formula injection,
 * and is audited part by part. Entries are seeded straight into the log with recorded times in
 * past years, so the report's own audit entries (recorded now) stay out of the ranges queried.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '@medplum/fhirtypes';
import type { AuditSink } from '../../domain/audit/audit-sink.ts';
import type { AuditEntry, StoredAuditEntry } from '../../store/audit-log.ts';
import { startTestApp, type TestApp } from '../test-app.ts';

const Y2020 = Date.UTC(2020, 0, 1);
const MINUTE = 60_000;
const IN_2020 = 'date=ge2020-01-01&date=lt2021-01-01';
const IN_2019 = 'date=ge2019-01-01&date=lt2020-01-01';
const CSV_COLUMNS = 'id,recorded,agent_kind,agent,role,client,action,interaction,resource_type,entities,patients,outcome,failure,ip,user_agent,purpose,reason';

const AGENTS = ['u-b', 'u-a', 'c-1', 'u-c'];
const ACTIONS = ['read', 'create', 'update', 'delete', 'search-type', 'search-compartment', 'history-instance', 'break-glass', 'vread', 'patch'];
const PATIENTS = [undefined, ['Patient/p1'], ['Patient/p2', 'Patient/p1'], ['Patient/p2'], ['Patient/p10']];
const IPS = ['10.0.0.1', '10.0.0.12', '192.168.1.5'];

/** Varied entries whose times repeat (ties) and run against their order in the log. */
function seeded(tenant: string, count: number, start: number, salt = 0): AuditEntry[] {
  return Array.from({ length: count }, (_, n) => {
    const i = n + salt;
    const agentId = AGENTS[i % 4];
    const failed = i % 5 === 0;
    const e: AuditEntry = {
      tenant,
      recorded: start + ((i * 7) % Math.max(1, Math.floor(count / 2))) * MINUTE,
      action: ACTIONS[i % ACTIONS.length],
      outcome: failed ? 'failure' : 'success',
      agentKind: agentId.startsWith('c-') ? 'client' : 'user',
      agentId,
      resourceType: 'Patient',
      entities: [`Patient/p${[0, 1, 2, 10][i % 4]}`, `Observation/o${i}`],
      ip: IPS[i % 3],
      userAgent: 'test-agent/1.0',
    };
    if (!agentId.startsWith('c-')) e.agentRole = i % 2 === 0 ? 'nurse' : 'physician';
    else e.clientId = agentId;
    const patients = PATIENTS[i % 5];
    if (patients !== undefined) e.patients = patients;
    if (failed) e.reason = 'forbidden';
    if (i % 7 === 0) e.purpose = 'ETREAT';
    return e;
  });
}

type Key = 'date' | 'agent' | 'patient' | 'subtype' | 'outcome';

function sortValue(e: StoredAuditEntry, key: Key): string | number {
  if (key === 'date') return e.recorded;
  if (key === 'agent') return e.agentId;
  if (key === 'patient') return e.patients === undefined ? '' : JSON.stringify(e.patients);
  if (key === 'subtype') return e.action;
  return e.outcome === 'success' ? 0 : 4;
}

/** The documented order, computed independently: the keys, then time newest first (unless a date key says otherwise), then position. */
function expectedOrder(entries: readonly StoredAuditEntry[], sort: string): string[] {
  const keys: [Key, boolean][] = sort === '' ? [] : sort.split(',').map((k) => [k.replace(/^-/, '') as Key, k.startsWith('-')]);
  if (!keys.some(([k]) => k === 'date')) keys.push(['date', true]);
  const dateDesc = keys.find(([k]) => k === 'date')![1];
  return [...entries]
    .sort((a, b) => {
      for (const [key, desc] of keys) {
        const x = sortValue(a, key);
        const y = sortValue(b, key);
        if (x < y) return desc ? 1 : -1;
        if (x > y) return desc ? -1 : 1;
      }
      return dateDesc ? b.seq - a.seq : a.seq - b.seq;
    })
    .map((e) => String(e.seq));
}

/** A strict RFC 4180 reader: CRLF after every record, quotes only around whole fields. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let wasQuoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
      continue;
    }
    if (c === '"' && field === '' && !wasQuoted) quoted = wasQuoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
      wasQuoted = false;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      wasQuoted = false;
      i++;
    } else if (c === '\r' || c === '\n' || c === '"' || wasQuoted) throw new Error(`not RFC 4180 at offset ${i}: ${JSON.stringify(text.slice(Math.max(0, i - 20), i + 20))}`);
    else field += c;
  }
  if (quoted || field !== '' || row.length > 0) throw new Error('the last record does not end in CRLF');
  return rows;
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`audit report (${kind})`, () => {
    let t: TestApp;
    const inRange = (from: number, to: number) => t.store.audit.query(t.practiceId, { count: 100_000, ascending: true, from, to });
    const in2020 = () => inRange(Y2020, Date.UTC(2021, 0, 1) - 1);
    const ids = (body: { entry?: { resource: AuditEvent }[] }) => (body.entry ?? []).map((e) => e.resource.id as string);

    /** Every page of a search, following `next` links; `between` runs before each further page. */
    async function allPages(url: string, between?: () => Promise<void>): Promise<string[]> {
      const seen: string[] = [];
      for (let next: string | undefined = url; next !== undefined; ) {
        const res = await t.fhir('GET', next);
        expect(res.status, res.text).toBe(200);
        seen.push(...ids(res.body));
        next = res.body.link.find((l: { relation: string }) => l.relation === 'next')?.url;
        if (next !== undefined && between) await between();
      }
      return seen;
    }

    beforeAll(async () => {
      t = await startTestApp({ kind, auditStore: true });
      await t.store.audit.append(seeded(t.practiceId, 40, Y2020));
    });
    afterAll(async () => {
      await t?.close();
    });

    it('orders by each sort key, ascending and descending, and by several keys', async () => {
      const entries = await in2020();
      const sorts = ['date', '-date', 'agent', '-agent', 'patient', '-patient', 'subtype', '-subtype', 'outcome', '-outcome', '-agent,date', 'agent,date', 'outcome,agent', '-patient,subtype,date'];
      const expected = sorts.map((s) => expectedOrder(entries, s));
      // Each order differs from every other, so each check below can fail.
      const same = sorts.filter((_s, i) => expected.findIndex((e) => e.join() === expected[i].join()) !== i);
      expect(same).toEqual([]);
      // Ties are broken newest first unless the keys name date: these two are the same order.
      sorts.push('agent,-date');
      expected.push(expectedOrder(entries, 'agent'));
      for (const [i, sort] of sorts.entries()) {
        const res = await t.fhir('GET', `AuditEvent?${IN_2020}&_sort=${sort}&_count=1000`);
        expect(res.status, res.text).toBe(200);
        expect(ids(res.body), sort).toEqual(expected[i]);
      }
      // Newest first by default.
      expect(ids((await t.fhir('GET', `AuditEvent?${IN_2020}&_count=1000`)).body)).toEqual(expectedOrder(entries, '-date'));
      // Outcome ascending is FHIR's code order: successes (0) before failures (4).
      const byOutcome = (await t.fhir('GET', `AuditEvent?${IN_2020}&_sort=outcome&_count=1000`)).body.entry.map((e: { resource: AuditEvent }) => e.resource.outcome);
      expect(byOutcome.indexOf('4')).toBeGreaterThan(byOutcome.lastIndexOf('0'));
    });

    it('pages in any order without skipping or repeating, while entries are appended between pages', async () => {
      let salt = 1000;
      const append = () => t.store.audit.append(seeded(t.practiceId, 3, Y2020, (salt += 3)));
      for (const sort of ['', 'agent', '-outcome,patient', 'subtype,date', '-agent,date']) {
        const expected = expectedOrder(await in2020(), sort);
        const seen = await allPages(`AuditEvent?${IN_2020}&_count=7${sort === '' ? '' : `&_sort=${sort}`}`, append);
        expect(seen, sort).toEqual(expected);
        // Entries appended meanwhile fall inside the range and the order: the snapshot kept them out.
        expect((await in2020()).length).toBeGreaterThan(expected.length);
      }
    });

    it('combines filters', async () => {
      const entries = await in2020();
      const E = new Set(['search-type', 'search-compartment', 'break-glass']);
      const CU = new Set(['create', 'update', 'patch']);
      const cases: [string, (e: StoredAuditEntry) => boolean][] = [
        ['agent=u-a', (e) => e.agentId === 'u-a'],
        ['agent=u-a,c-1', (e) => e.agentId === 'u-a' || e.agentId === 'c-1'],
        ['agent-role=nurse', (e) => e.agentRole === 'nurse'],
        ['patient=p1', (e) => e.patients?.includes('Patient/p1') === true],
        ['patient=Patient/p10', (e) => e.patients?.includes('Patient/p10') === true],
        ['entity=Patient/p1', (e) => e.entities?.includes('Patient/p1') === true],
        ['subtype=read', (e) => e.action === 'read'],
        ['subtype=http://hl7.org/fhir/restful-interaction|search-type', (e) => e.action === 'search-type' || e.action === 'search-compartment'],
        ['action=E', (e) => E.has(e.action)],
        ['action=C,U', (e) => CU.has(e.action)],
        ['outcome=4', (e) => e.outcome === 'failure'],
        ['outcome=0', (e) => e.outcome === 'success'],
        ['address=10.0.0.1', (e) => e.ip === '10.0.0.1' || e.ip === '10.0.0.12'],
        ['address:exact=10.0.0.1', (e) => e.ip === '10.0.0.1'],
        ['purpose=ETREAT', (e) => e.purpose === 'ETREAT'],
        ['date=ge2020-01-01T00:05:00Z&date=lt2020-01-01T00:10:00Z', (e) => e.recorded >= Y2020 + 5 * MINUTE && e.recorded < Y2020 + 10 * MINUTE],
        [
          'agent=u-a,u-b&outcome=0&patient=p1&action=R,E&address=10.',
          (e) => ['u-a', 'u-b'].includes(e.agentId) && e.outcome === 'success' && e.patients?.includes('Patient/p1') === true && !CU.has(e.action) && e.action !== 'create' && e.action !== 'delete' && e.ip!.startsWith('10.'),
        ],
        ['subtype=read,create&action=C', (e) => e.action === 'create'],
        ['entity=Patient/p0&outcome=4&agent-role=nurse', (e) => e.entities?.includes('Patient/p0') === true && e.outcome === 'failure' && e.agentRole === 'nurse'],
      ];
      for (const [filter, matches] of cases) {
        const expected = expectedOrder(entries.filter(matches), '');
        expect(expected.length, `${filter} matches something`).toBeGreaterThan(0);
        expect(expected.length, `${filter} leaves something out`).toBeLessThan(entries.length);
        const res = await t.fhir('GET', `AuditEvent?${filter.startsWith('date=') ? '' : `${IN_2020}&`}${filter}&_count=1000`);
        expect(res.status, res.text).toBe(200);
        expect(ids(res.body), filter).toEqual(expected);
      }
    });

    it('refuses unknown parameters, sort keys and malformed values with 400 OperationOutcomes', async () => {
      for (const query of [
        'name=x',
        'agent-name=x',
        '_sort=name',
        '_sort=_lastUpdated',
        '_sort=date,-date',
        'agent=a&agent=b',
        'address=1&address:exact=1',
        'entity=Nope/1',
        'entity=p1',
        'patient=Group/1',
        'action=X',
        'outcome=1',
        'agent=',
        '_cursor=abc',
        '_format=text/csv&_count=10',
        '_format=text/csv&_cursor=1.1',
      ]) {
        const res = await t.fhir('GET', `AuditEvent?${query}`);
        expect(res.status, query).toBe(400);
        expect(res.headers['content-type'], query).toMatch(/^application\/fhir\+json/);
        expect(res.body.resourceType, query).toBe('OperationOutcome');
        expect(res.body.issue[0].code, query).toBe('invalid');
      }
    });

    it('exports as CSV: header, quoted fields, formula guard, CRLF, the same filter and order', async () => {
      const day = Date.UTC(2018, 5, 1);
      const tricky: AuditEntry[] = [
        {
          tenant: t.practiceId,
          recorded: day + 1,
          action: '$break-the-glass',
          outcome: 'success',
          agentKind: 'user',
          agentId: 'u-a',
          agentRole: 'physician',
          resourceType: 'Patient',
          entities: ['Patient/p1'],
          patients: ['Patient/p1'],
          ip: '10.0.0.1',
          userAgent: '=HYPERLINK("http://evil.example","click")',
          purpose: 'ETREAT',
          reason: 'Unconscious, "no" wallet\nallergies unknown',
        },
        { tenant: t.practiceId, recorded: day + 2, action: 'read', outcome: 'failure', agentKind: 'client', agentId: '@evil', clientId: '@evil', reason: '-2+3', ip: '::1', userAgent: '\tTabbed' },
        { tenant: t.practiceId, recorded: day + 3, action: 'read', outcome: 'success', agentKind: 'user', agentId: 'u-b', userAgent: '+cmd|calc', reason: '\rcr' },
      ];
      await t.store.audit.append(tricky);
      const seqs = (await inRange(day, day + 10)).map((e) => String(e.seq));
      const url = `AuditEvent?date=ge2018-06-01&date=lt2018-06-02&_sort=date&_format=text/csv`;
      const res = await t.fhir('GET', url);
      expect(res.status, res.text).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
      expect(res.headers['content-disposition']).toBe('attachment; filename="audit-events.csv"');
      expect(res.text).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
      const rows = parseCsv(res.text);
      expect(rows[0].join(',')).toBe(CSV_COLUMNS);
      expect(rows.every((r) => r.length === 17)).toBe(true);
      const records = rows.slice(1).map((r) => Object.fromEntries(CSV_COLUMNS.split(',').map((c, i) => [c, r[i]])));
      expect(records.map((r) => r.id)).toEqual(seqs);
      expect(records[0]).toMatchObject({
        recorded: '2018-06-01T00:00:00.001Z',
        agent: 'u-a',
        role: 'physician',
        action: 'E',
        interaction: '$break-the-glass',
        entities: 'Patient/p1',
        patients: 'Patient/p1',
        outcome: 'success',
        failure: '',
        user_agent: `'=HYPERLINK("http://evil.example","click")`,
        purpose: 'ETREAT',
        reason: 'Unconscious, "no" wallet\nallergies unknown',
      });
      expect(records[1]).toMatchObject({ agent: "'@evil", client: "'@evil", outcome: 'failure', failure: "'-2+3", reason: '', ip: '::1', user_agent: "'\tTabbed" });
      expect(records[2]).toMatchObject({ user_agent: "'+cmd|calc", reason: "'\rcr" });

      // Accept: text/csv and POST _search give the same report.
      expect((await t.fhir('GET', url.replace('&_format=text/csv', ''), { headers: { accept: 'text/csv' } })).text).toBe(res.text);
      const posted = await t.fhir('POST', 'AuditEvent/_search?_format=csv', {
        payload: 'date=ge2018-06-01&date=lt2018-06-02&_sort=date',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(posted.status, posted.text).toBe(200);
      expect(posted.text).toBe(res.text);

      const none = await t.fhir('GET', 'AuditEvent?date=ge2017-01-01&date=lt2017-01-02&_format=text/csv');
      expect(none.status).toBe(200);
      expect(none.text).toBe(`${CSV_COLUMNS}\r\n`);
    });

    it('exports every matching row, beyond one page, in order, and audits each part before it is sent', async () => {
      await t.store.audit.append(seeded(t.practiceId, 2345, Date.UTC(2019, 0, 1)));
      const entries = await inRange(Date.UTC(2019, 0, 1), Date.UTC(2020, 0, 1) - 1);
      expect(entries.length).toBe(2345);
      for (const sort of ['', 'agent,-date']) {
        const before = t.audits.length;
        const res = await t.fhir('GET', `AuditEvent?${IN_2019}${sort === '' ? '' : `&_sort=${sort}`}&_format=text/csv`);
        expect(res.status).toBe(200);
        const rows = parseCsv(res.text);
        expect(rows.length).toBe(2346);
        expect(rows.slice(1).map((r) => r[0]), sort).toEqual(expectedOrder(entries, sort));
        // Audited like paging through the report: one entry per part, naming what it disclosed.
        const parts = t.audits.slice(before);
        expect(parts.map((a) => [a.action, a.resourceType, a.outcome, a.ids?.length])).toEqual([
          ['search-type', 'AuditEvent', 'success', 1000],
          ['search-type', 'AuditEvent', 'success', 1000],
          ['search-type', 'AuditEvent', 'success', 345],
        ]);
        expect(parts.flatMap((a) => a.ids)).toEqual(rows.slice(1).map((r) => r[0]));
        expect(new Set(parts.flatMap((a) => a.patients))).toEqual(new Set(['Patient/p0', 'Patient/p1', 'Patient/p2', 'Patient/p10']));
      }
      // The JSON search still pages.
      const page = await t.fhir('GET', `AuditEvent?${IN_2019}`);
      expect(page.body.entry.length).toBe(20);
    });

    it('offers CSV only for the AuditEvent search', async () => {
      for (const [path, headers] of [
        ['Patient?_format=text/csv', {}],
        ['Patient', { accept: 'text/csv' }],
        ['Patient?_format=csv', {}],
        ['AuditEvent/1?_format=text/csv', {}],
        ['AuditEvent/1', { accept: 'text/csv' }],
        ['metadata?_format=text/csv', {}],
        ['AuditEvent?_format=text/html', {}],
      ] as [string, Record<string, string>][]) {
        const res = await t.fhir('GET', path, { headers });
        expect(res.status, path).toBe(406);
        expect(res.body.resourceType, path).toBe('OperationOutcome');
      }
      const fallback = await t.fhir('GET', 'Patient?_count=1', { headers: { accept: 'text/csv, application/fhir+json;q=0.5' } });
      expect(fallback.status).toBe(200);
      expect(fallback.headers['content-type']).toMatch(/^application\/fhir\+json/);
      const json = await t.fhir('GET', 'AuditEvent?_count=1', { headers: { accept: '*/*' } });
      expect(json.body.resourceType).toBe('Bundle');
    });
  });
}

describe('the CSV export is fail-closed', () => {
  let t: TestApp;
  let failFrom = Infinity;
  let recorded = 0;
  beforeAll(async () => {
    const audit: AuditSink = { record: () => (++recorded >= failFrom ? Promise.reject(new Error('audit store unavailable')) : undefined) };
    t = await startTestApp({ deps: { audit } });
    await t.store.audit.append(seeded(t.practiceId, 1500, Date.UTC(2019, 0, 1)));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sends nothing when the first part cannot be audited, and stops before a part that cannot be', async () => {
    failFrom = recorded + 1;
    const refused = await t.fhir('GET', `AuditEvent?${IN_2019}&_format=text/csv`);
    expect(refused.status).toBe(500);
    expect(refused.body.resourceType).toBe('OperationOutcome');
    expect(refused.text).not.toContain('id,recorded');

    failFrom = recorded + 2;
    let text = '';
    try {
      text = (await t.fhir('GET', `AuditEvent?${IN_2019}&_format=text/csv`)).text;
    } catch {
      // The transfer was broken off: as good as an empty body here.
    }
    // At most the first part (header and 1,000 rows) went out; the second was never released.
    expect(text.split('\r\n').length).toBeLessThanOrEqual(1002);
  });
});
