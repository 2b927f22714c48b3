/**
 * The audit report as rows for people and spreadsheets: one row per audit entry with the columns
 * a privacy officer reviews, written as CSV (RFC 4180, for spreadsheets and the HTTP export),
 * NDJSON (for scripts) or one line of text per entry (for the terminal). Every writer turns one
 * row into one record, so a report of any length is written entry by entry, never held whole.
 */
import type { StoredAuditEntry } from '../../store/audit-log.ts';
import { actionCode } from './audit-event.ts';

export type ReportFormat = 'csv' | 'ndjson' | 'text';

export interface ReportRow {
  /** The AuditEvent id: the entry's position in the practice's chain. */
  id: string;
  /** ISO 8601, UTC. */
  recorded: string;
  agentKind: string;
  agent: string;
  role: string;
  client: string;
  /** C, R, U, D or E, as in AuditEvent.action. */
  action: string;
  /** The interaction or event (AuditEvent.subtype). */
  interaction: string;
  resourceType: string;
  entities: string[];
  patients: string[];
  outcome: 'success' | 'failure';
  /** The kind of failure (`forbidden`, `not-found`, …); empty on success. */
  failure: string;
  ip: string;
  userAgent: string;
  purpose: string;
  /** The reason a user stated (emergency access); empty on failure, whose reason is `failure`. */
  reason: string;
}

export function reportRow(e: StoredAuditEntry): ReportRow {
  const failed = e.outcome !== 'success';
  return {
    id: String(e.seq),
    recorded: new Date(e.recorded).toISOString(),
    agentKind: e.agentKind,
    agent: e.agentId,
    role: e.agentRole ?? '',
    client: e.clientId ?? '',
    action: actionCode(e.action),
    interaction: e.action,
    resourceType: e.resourceType ?? '',
    entities: e.entities ?? [],
    patients: e.patients ?? [],
    outcome: e.outcome,
    failure: failed ? (e.reason ?? '') : '',
    ip: e.ip ?? '',
    userAgent: e.userAgent ?? '',
    purpose: e.purpose ?? '',
    reason: failed ? '' : (e.reason ?? ''),
  };
}

export interface ReportWriter {
  contentType: string;
  /** Ends every record; CSV's is CRLF (RFC 4180). */
  terminator: string;
  /** The first record, if the format has one. */
  header?: string;
  record(row: ReportRow): string;
}

const CSV_COLUMNS: readonly [string, (r: ReportRow) => string][] = [
  ['id', (r) => r.id],
  ['recorded', (r) => r.recorded],
  ['agent_kind', (r) => r.agentKind],
  ['agent', (r) => r.agent],
  ['role', (r) => r.role],
  ['client', (r) => r.client],
  ['action', (r) => r.action],
  ['interaction', (r) => r.interaction],
  ['resource_type', (r) => r.resourceType],
  ['entities', (r) => r.entities.join(' ')],
  ['patients', (r) => r.patients.join(' ')],
  ['outcome', (r) => r.outcome],
  ['failure', (r) => r.failure],
  ['ip', (r) => r.ip],
  ['user_agent', (r) => r.userAgent],
  ['purpose', (r) => r.purpose],
  ['reason', (r) => r.reason],
];

/**
 * Spreadsheets evaluate a cell that starts with one of these as a formula, and user agents and
 * reasons are whatever a client sent: a leading apostrophe makes such a cell plain text.
 * @see https://owasp.org/www-community/attacks/CSV_Injection
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV field: guarded against formula injection, quoted as RFC 4180 requires. */
export function csvField(value: string): string {
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** C0 and C1 controls, which a terminal would act on (escape sequences) rather than show. */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;

function printable(value: string): string {
  return value.replace(CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** At most a few references per line; a search can touch hundreds. */
function shortList(values: readonly string[], shown = 3): string {
  return values.length <= shown ? values.join(' ') : `${values.slice(0, shown).join(' ')} +${values.length - shown} more`;
}

function textRecord(r: ReportRow): string {
  const parts = [
    r.recorded,
    `#${r.id}`.padEnd(8),
    (r.outcome === 'success' ? 'ok' : `FAILED ${r.failure}`.trim()).padEnd(9),
    `${r.interaction}${r.resourceType === '' ? '' : ` ${r.resourceType}`}`.padEnd(28),
    `${r.agentKind} ${r.agent}${r.role === '' ? '' : ` (${r.role})`}${r.client === '' || r.client === r.agent ? '' : ` via ${r.client}`}`,
  ];
  if (r.entities.length > 0) parts.push(shortList(r.entities));
  if (r.patients.length > 0) parts.push(`patients: ${shortList(r.patients)}`);
  if (r.ip !== '') parts.push(`from ${r.ip}`);
  if (r.purpose !== '') parts.push(`purpose ${r.purpose}`);
  if (r.reason !== '') parts.push(`reason: ${JSON.stringify(r.reason)}`);
  return printable(parts.join('  '));
}

export const REPORT_WRITERS: Readonly<Record<ReportFormat, ReportWriter>> = {
  csv: {
    contentType: 'text/csv; charset=utf-8; header=present',
    terminator: '\r\n',
    header: CSV_COLUMNS.map(([name]) => name).join(','),
    record: (row) => CSV_COLUMNS.map(([, value]) => csvField(value(row))).join(','),
  },
  ndjson: {
    contentType: 'application/x-ndjson; charset=utf-8',
    terminator: '\n',
    record: (row) => JSON.stringify(row, (_key, value: unknown) => (value === '' ? null : value)),
  },
  text: {
    contentType: 'text/plain; charset=utf-8',
    terminator: '\n',
    record: textRecord,
  },
};
