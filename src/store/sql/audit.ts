/**
 * The audit log in SQL. Each practice has its own chain: entry n stores the hash of entry n-1
 * and its own hash over that link and all of its fields, so changing, inserting or deleting an
 * entry breaks verification from that point. Appends take the practice's chain lock (an
 * advisory lock on PostgreSQL; SQLite has one writer) so two servers never fork a chain.
 */
import { createHash } from 'node:crypto';
import type { AuditEntry, AuditQuery, AuditSort, AuditSortKey, AuditVerification, StoredAuditEntry } from '../audit-log.ts';
import { stmt, type SqlConn, type Stmt, type TxConn } from './dialect.ts';

/** The `prev_hash` of a practice's first entry. */
export const GENESIS = '0'.repeat(64);

/** A chain's last entry; PostgreSQL reads it through `heron_audit_head` (migration 0011) instead. */
export const LAST_AUDIT_ENTRY = stmt('SELECT seq, hash FROM audit_events WHERE tenant = ? ORDER BY seq DESC LIMIT 1');
const INSERT_EVENTS =
  'INSERT INTO audit_events (tenant, seq, recorded, action, outcome, agent_kind, agent_id, agent_role, client_id, resource_type, entities, patients, ip, user_agent, purpose, reason, detail, reported, prev_hash, hash)';
const INSERT_PATIENTS = 'INSERT INTO audit_patients (tenant, patient, seq)';
/** Every column of an entry, as `fromRow` reads them. */
export const AUDIT_COLUMNS = 'e.tenant, e.seq, e.recorded, e.action, e.outcome, e.agent_kind, e.agent_id, e.agent_role, e.client_id, e.resource_type, e.entities, e.patients, e.ip, e.user_agent, e.purpose, e.reason, e.detail, e.reported, e.prev_hash, e.hash';
const VERIFY_PAGE = stmt(`SELECT ${AUDIT_COLUMNS} FROM audit_events e WHERE e.tenant = ? AND e.seq > ? ORDER BY e.seq LIMIT 1000`);

export interface AuditRow {
  tenant: string;
  seq: number | string;
  recorded: number | string;
  action: string;
  outcome: string;
  agent_kind: string;
  agent_id: string;
  agent_role: string | null;
  client_id: string | null;
  resource_type: string | null;
  entities: string | null;
  patients: string | null;
  ip: string | null;
  user_agent: string | null;
  purpose: string | null;
  reason: string | null;
  detail: string | null;
  reported: string | null;
  prev_hash: string;
  hash: string;
}

/**
 * The hash of an entry at `seq` following `prevHash`: every stored field, in a fixed order. A
 * reported AuditEvent (from migration 0012) is one more field at the end, present only when there
 * is one, so the hashes of every entry without it are what they were before it existed.
 */
export function entryHash(prevHash: string, seq: number, e: AuditEntry): string {
  const fields = [
    e.tenant, seq, e.recorded, e.action, e.outcome, e.agentKind, e.agentId, e.agentRole ?? null, e.clientId ?? null, e.resourceType ?? null,
    e.entities ?? null, e.patients ?? null, e.ip ?? null, e.userAgent ?? null, e.purpose ?? null, e.reason ?? null, e.detail ?? null,
  ];
  if (e.reported !== undefined) fields.push(e.reported);
  return createHash('sha256').update(prevHash).update('\n').update(JSON.stringify(fields)).digest('hex');
}

/**
 * Appends entries inside an open transaction, practice by practice in a fixed order (no lock
 * cycles). Returns each entry's `seq`, in the order given.
 */
export async function appendAudit(conn: TxConn, entries: readonly AuditEntry[]): Promise<number[]> {
  const seqs: number[] = [];
  const byTenant = new Map<string, number[]>();
  entries.forEach((e, i) => byTenant.set(e.tenant, [...(byTenant.get(e.tenant) ?? []), i]));
  for (const tenant of [...byTenant.keys()].sort()) {
    const last = await conn.auditChainHead(tenant);
    let seq = Number(last?.seq ?? 0);
    let prev = last?.hash ?? GENESIS;
    // One multi-row INSERT per table and chunk: a busy server appends dozens of entries per
    // commit, and one statement per row cost more than the rows.
    const rows: unknown[][] = [];
    const patientRows: unknown[][] = [];
    for (const i of byTenant.get(tenant)!) {
      const e = entries[i];
      seq++;
      seqs[i] = seq;
      const hash = entryHash(prev, seq, e);
      rows.push([
        tenant, seq, e.recorded, e.action, e.outcome, e.agentKind, e.agentId, e.agentRole ?? null, e.clientId ?? null, e.resourceType ?? null,
        list(e.entities), list(e.patients), e.ip ?? null, e.userAgent ?? null, e.purpose ?? null, e.reason ?? null, e.detail ?? null, e.reported ?? null, prev, hash,
      ]);
      for (const patient of new Set(e.patients ?? [])) patientRows.push([tenant, patient, seq]);
      prev = hash;
    }
    // Where the database can, both tables in one statement: one round trip less per commit. Only
    // for the usual shape (one patient per entry, one chunk), which keeps the prepared
    // statements to one per row count.
    if (conn.dataModifyingCte && rows.length <= CHUNK && patientRows.length === rows.length) {
      const events = valuesOf(INSERT_EVENTS, rows[0].length, rows.length);
      const patients = valuesOf(INSERT_PATIENTS, patientRows[0].length, patientRows.length);
      await conn.run(cached(`WITH appended AS (${events}) ${patients}`), [...rows.flat(), ...patientRows.flat()]);
      continue;
    }
    await insertRows(conn, INSERT_EVENTS, rows);
    await insertRows(conn, INSERT_PATIENTS, patientRows);
  }
  return seqs;
}

/** `head VALUES (?, …), …` for `count` rows of `width` values. */
function valuesOf(head: string, width: number, count: number): string {
  const tuple = `(${Array(width).fill('?').join(', ')})`;
  return `${head} VALUES ${Array(count).fill(tuple).join(', ')}`;
}

/** Built statements are few (one per row count), so each is prepared once per connection. */
function cached(sql: string): Stmt {
  let statement = statements.get(sql);
  if (statement === undefined) {
    statement = stmt(sql);
    statements.set(sql, statement);
  }
  return statement;
}

/** Rows per statement; keeps the bound values far below both databases' limits. */
const CHUNK = 100;
const statements = new Map<string, Stmt>();

async function insertRows(conn: TxConn, head: string, rows: unknown[][]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    await conn.run(cached(valuesOf(head, chunk[0].length, chunk.length)), chunk.flat());
  }
}

/**
 * How each report order sorts, as SQL over `e`, and the column of the cursor row that holds its
 * value. `outcome` is inverted because the stored words sort opposite to FHIR's codes (0 success, 4 failure).
 */
const SORT_SQL: Record<AuditSortKey, { sql: string; column: keyof CursorRow; invert?: boolean }> = {
  date: { sql: 'e.recorded', column: 'recorded' },
  agent: { sql: 'e.agent_id', column: 'agent_id' },
  patient: { sql: "COALESCE(e.patients, '')", column: 'patients' },
  subtype: { sql: 'e.action', column: 'action' },
  outcome: { sql: 'e.outcome', column: 'outcome', invert: true },
};
const CURSOR_ROW = stmt("SELECT e.recorded, e.agent_id, COALESCE(e.patients, '') AS patients, e.action, e.outcome FROM audit_events e WHERE e.tenant = ? AND e.seq = ?");

interface CursorRow {
  recorded: number | string;
  agent_id: string;
  patients: string;
  action: string;
  outcome: string;
}

export async function queryAudit(conn: SqlConn, tenant: string, q: AuditQuery): Promise<StoredAuditEntry[]> {
  const params: unknown[] = [tenant];
  let from = 'audit_events e';
  let where = 'e.tenant = ?';
  if (q.patient !== undefined) {
    // CROSS JOIN makes SQLite start from the patient's few entries rather than walk the whole
    // log in the requested order (PostgreSQL plans it as any join).
    from = 'audit_patients p CROSS JOIN audit_events e';
    where = 'p.tenant = ? AND p.patient = ? AND e.tenant = p.tenant AND e.seq = p.seq';
    params.push(q.patient);
  }
  const add = (sql: string, ...values: unknown[]): void => {
    where += ` AND ${sql}`;
    params.push(...values);
  };
  const anyOf = (column: string, value: string | readonly string[]): void => {
    const values = typeof value === 'string' ? [value] : value;
    if (values.length === 0) add('1 = 0');
    else add(`${column} IN (${values.map(() => '?').join(', ')})`, ...values);
  };
  if (q.from !== undefined) add('e.recorded >= ?', q.from);
  if (q.to !== undefined) add('e.recorded <= ?', q.to);
  if (q.agentId !== undefined) anyOf('e.agent_id', q.agentId);
  if (q.agentRole !== undefined) anyOf('e.agent_role', q.agentRole);
  if (q.action !== undefined) anyOf('e.action', q.action);
  if (q.notAction !== undefined && q.notAction.length > 0) add(`e.action NOT IN (${q.notAction.map(() => '?').join(', ')})`, ...q.notAction);
  if (q.outcome !== undefined) add('e.outcome = ?', q.outcome);
  if (q.purpose !== undefined) anyOf('e.purpose', q.purpose);
  // The stored list is JSON text; replace() is case-sensitive in both databases, where LIKE is not in SQLite.
  if (q.entity !== undefined) add("replace(e.entities, ?, '') <> e.entities", JSON.stringify(q.entity));
  if (q.ip !== undefined) {
    if (q.ipPrefix) add('substr(e.ip, 1, ?) = ?', q.ip.length, q.ip);
    else add('e.ip = ?', q.ip);
  }
  // Nearly every entry is below the bound, so it must not lead the plan: `+` keeps SQLite from
  // choosing the primary key for it over the index of the order.
  if (q.maxSeq !== undefined) add(q.patient === undefined ? '+e.seq <= ?' : 'p.seq <= ?', q.maxSeq);

  const order = orderOf(q);
  if (q.afterSeq !== undefined) {
    if (q.sort === undefined) add(q.ascending ? 'e.seq > ?' : 'e.seq < ?', q.afterSeq);
    else {
      const row = await conn.get<CursorRow>(CURSOR_ROW, [tenant, q.afterSeq]);
      if (row === undefined) return [];
      const values = order.map((o) => (o.column === undefined ? q.afterSeq : o.column === 'recorded' ? Number(row.recorded) : row[o.column]));
      const [sql, bound] = after(order, values);
      add(sql, ...bound);
    }
  }
  params.push(q.count);
  const orderBy = order.map((o) => `${o.sql} ${o.desc ? 'DESC' : 'ASC'}`).join(', ');
  const rows = await conn.all<AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM ${from} WHERE ${where} ORDER BY ${orderBy} LIMIT ?`, params);
  return rows.map(fromRow);
}

interface OrderTerm {
  sql: string;
  desc: boolean;
  /** Where the cursor row holds this term's value; none for `seq` itself. */
  column?: keyof CursorRow;
}

/** The query's order, ending in `seq` so that it is total: ties by time (newest first unless a `date` key says otherwise). */
function orderOf(q: AuditQuery): OrderTerm[] {
  if (q.sort === undefined) return [{ sql: 'e.seq', desc: !q.ascending }];
  const keys: AuditSort[] = [];
  for (const k of q.sort) if (!keys.some((seen) => seen.key === k.key)) keys.push(k);
  if (!keys.some((k) => k.key === 'date')) keys.push({ key: 'date', descending: true });
  const terms: OrderTerm[] = keys.map((k) => {
    const s = SORT_SQL[k.key];
    return { sql: s.sql, column: s.column, desc: (k.descending ?? false) !== (s.invert ?? false) };
  });
  terms.push({ sql: 'e.seq', desc: keys.find((k) => k.key === 'date')!.descending ?? false });
  return terms;
}

/**
 * Rows strictly after the cursor row's values in this order (keyset paging). One direction
 * throughout becomes a row-value comparison, which both databases answer from an index; mixed
 * directions expand into the equivalent OR of prefixes, led by a bound on the first term.
 */
function after(order: readonly OrderTerm[], values: readonly unknown[]): [string, unknown[]] {
  const op = (o: OrderTerm): string => (o.desc ? '<' : '>');
  if (order.every((o) => o.desc === order[0].desc)) {
    return [`(${order.map((o) => o.sql).join(', ')}) ${op(order[0])} (${order.map(() => '?').join(', ')})`, [...values]];
  }
  const branches: string[] = [];
  const bound: unknown[] = [values[0]];
  for (let i = 0; i < order.length; i++) {
    const equal = order.slice(0, i).map((o) => `${o.sql} = ?`);
    branches.push([...equal, `${order[i].sql} ${op(order[i])} ?`].join(' AND '));
    bound.push(...values.slice(0, i), values[i]);
  }
  return [`${order[0].sql} ${order[0].desc ? '<=' : '>='} ? AND (${branches.map((b) => `(${b})`).join(' OR ')})`, bound];
}

export async function verifyAudit(conn: SqlConn, tenant: string): Promise<AuditVerification> {
  let checked = 0;
  let prev = GENESIS;
  let expectedSeq = 1;
  for (;;) {
    const rows = await conn.all<AuditRow>(VERIFY_PAGE, [tenant, expectedSeq - 1]);
    if (rows.length === 0) return { checked };
    for (const row of rows) {
      const e = fromRow(row);
      if (e.seq !== expectedSeq) return { checked, broken: { seq: expectedSeq, problem: `entry ${expectedSeq} is missing (next is ${e.seq})` } };
      if (e.prevHash !== prev) return { checked, broken: { seq: e.seq, problem: 'its link to the previous entry does not match' } };
      if (entryHash(prev, e.seq, e) !== e.hash) return { checked, broken: { seq: e.seq, problem: 'its content does not match its hash' } };
      prev = e.hash;
      expectedSeq++;
      checked++;
    }
  }
}

function list(values: string[] | undefined): string | null {
  return values === undefined ? null : JSON.stringify(values);
}

export function fromRow(r: AuditRow): StoredAuditEntry {
  const e: StoredAuditEntry = {
    tenant: r.tenant,
    seq: Number(r.seq),
    recorded: Number(r.recorded),
    action: r.action,
    outcome: r.outcome as StoredAuditEntry['outcome'],
    agentKind: r.agent_kind,
    agentId: r.agent_id,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
  const optional: [keyof AuditEntry, string | null][] = [
    ['agentRole', r.agent_role], ['clientId', r.client_id], ['resourceType', r.resource_type], ['ip', r.ip], ['userAgent', r.user_agent],
    ['purpose', r.purpose], ['reason', r.reason], ['detail', r.detail], ['reported', r.reported],
  ];
  for (const [key, value] of optional) if (value !== null) (e as unknown as Record<string, unknown>)[key] = value;
  if (r.entities !== null) e.entities = JSON.parse(r.entities) as string[];
  if (r.patients !== null) e.patients = JSON.parse(r.patients) as string[];
  return e;
}
