/**
 * `AuditEvent` comes from the audit log, not from stored resources: Heron writes an entry for
 * every interaction itself (dispatch), and clients allowed to may report their own events
 * (`POST AuditEvent`, `domain/audit/reported-event.ts`), which join the same chain. Nobody can
 * change or delete one. This is the audit report for auditors (filter by time, agent, patient,
 * resource, action, outcome, address and purpose; sort by any of time, agent, patient,
 * interaction and outcome; paged, or exported whole as CSV) and, filtered by patient, the
 * accounting of disclosures.
 *
 * Pages are read against a snapshot: the first page fixes the newest entry's position, and every
 * later page (its cursor carries that bound and the last entry shown) sees exactly the entries up
 * to it. The log only grows at its end, so paging in any order neither skips nor repeats an
 * entry while others are recorded, including the entries of the paging itself.
 * @see https://hl7.org/fhir/R4/auditevent.html#search
 */
import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import { ACTION_CODES, actionCode, ADMIN_ENTITY_ID, ADMIN_ENTITY_TYPES, toAuditEvent } from '../../../domain/audit/audit-event.ts';
import { REPORT_WRITERS, reportRow, type ReportFormat } from '../../../domain/audit/audit-report.ts';
import { asSeenBy, auditEventsFor, mayReadEntry, ownDisclosuresQuery } from '../../../domain/audit/own-disclosures.ts';
import { patientsOf } from '../../../domain/audit/patients-of.ts';
import { reportedEntry } from '../../../domain/audit/reported-event.ts';
import { withTransaction, type Ctx } from '../../../domain/context.ts';
import { isResourceType } from '../../../fhir/definitions.ts';
import { errors, FhirError, issue } from '../../../fhir/outcome.ts';
import { parseDateQuery } from '../../../fhir/search/date.ts';
import type { AuditQuery, AuditSort, AuditSortKey } from '../../../store/audit-log.ts';
import type { FhirRequest, FhirResponse, StreamPart } from '../fhir-request.ts';
import { ID_PATTERN, resourceForCreate } from './resource-body.ts';
import { pageUrl } from './search-bundle.ts';
import { DEFAULT_SEARCH_COUNT, MAX_SEARCH_COUNT } from './search.ts';
import { writeResponse } from './version-response.ts';

/** The R4 AuditEvent search parameters the audit report takes (the CapabilityStatement lists these). */
export const AUDIT_EVENT_SEARCH_PARAMETERS = ['date', 'agent', 'agent-role', 'patient', 'entity', 'subtype', 'action', 'outcome', 'address', 'purpose'] as const;

/** Search parameters of the audit report; anything else is refused rather than ignored. */
const PARAMETERS: readonly string[] = [...AUDIT_EVENT_SEARCH_PARAMETERS, 'address:exact', '_count', '_sort', '_cursor'];

/** `_sort` keys: FHIR's parameter names for the columns the report orders by. */
export const AUDIT_EVENT_SORT_KEYS: readonly AuditSortKey[] = ['date', 'agent', 'patient', 'subtype', 'outcome'];
const SORT_KEYS: ReadonlySet<string> = new Set<string>(AUDIT_EVENT_SORT_KEYS);

const ACTION_VALUES: ReadonlySet<string> = new Set(['C', 'R', 'U', 'D', 'E']);

/** Entries per part of an export: one query and one audit entry each, like a full search page. */
const EXPORT_PAGE = MAX_SEARCH_COUNT;

type ReportQuery = AuditQuery & { count: number; sort: AuditSort[] };

/** The audit report is the one search with a representation other than FHIR JSON (CSV). */
export function offersCsv(method: string, path: string): boolean {
  return ((method === 'GET' || method === 'HEAD') && path === 'AuditEvent') || (method === 'POST' && path === 'AuditEvent/_search');
}

export async function searchAuditEvents(ctx: Ctx, req: FhirRequest): Promise<FhirResponse> {
  const asked = parseAuditQuery(req.query, req.format !== undefined);
  // Patient-bound access reads its own record's entries only; another patient's match nothing.
  const query = ownDisclosuresQuery(ctx, asked) ?? { ...asked, maxSeq: 0, count: 0 };
  if (req.format !== undefined) return exportAuditEvents(ctx, query, req.format);
  const maxSeq = query.maxSeq ?? (await newestSeq(ctx));
  const entries = query.count === 0 ? [] : await ctx.store.audit.query(ctx.tenant, { ...query, maxSeq, count: query.count + 1 });
  const page = entries.slice(0, query.count);
  const events = await auditEventsFor(ctx, page);
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'searchset',
    link: [{ relation: 'self', url: pageUrl(req.baseUrl, 'AuditEvent', req.query, req.query.get('_cursor') ?? undefined) }],
    entry: page.map((e, i) => ({ fullUrl: `${req.baseUrl}/AuditEvent/${e.seq}`, resource: events[i], search: { mode: 'match' } })),
  };
  if (entries.length > query.count) bundle.link!.push({ relation: 'next', url: pageUrl(req.baseUrl, 'AuditEvent', req.query, `${maxSeq}.${page[page.length - 1].seq}`) });
  return { status: 200, body: bundle };
}

export async function readAuditEvent(ctx: Ctx, id: string): Promise<FhirResponse> {
  const seq = /^[1-9][0-9]{0,15}$/.test(id) ? Number(id) : undefined;
  const [entry] = seq === undefined ? [] : await ctx.store.audit.query(ctx.tenant, { count: 1, afterSeq: seq + 1 });
  if (entry === undefined || entry.seq !== seq || !mayReadEntry(ctx, entry)) throw errors.notFound(`AuditEvent/${id} is not known`);
  const [event] = await auditEventsFor(ctx, [entry]);
  return { status: 200, body: event };
}

export function auditEventsAreReadOnly(): never {
  throw errors.notAllowed('AuditEvents are append-only: Heron never changes or deletes one; report a new event with POST AuditEvent');
}

/**
 * `POST AuditEvent`: a client reports an event. Valid R4 or refused (422 with the issues); chained
 * at once in the request's transaction, whose commit also holds Heron's own `create` entry naming
 * it (dispatch), so the report and the record of who reported it exist together or not at all.
 */
export async function createAuditEvent(ctx: Ctx, req: FhirRequest): Promise<FhirResponse> {
  if ((req.headers.ifNoneExist ?? '').trim() !== '') {
    throw new FhirError('invalid', [issue('not-supported', 'Conditional create (If-None-Exist) of AuditEvent is not supported: each report is a new entry', 'If-None-Exist')]);
  }
  const event = resourceForCreate(req.body, 'AuditEvent') as AuditEvent;
  const entry = reportedEntry(ctx, event, Date.now());
  const seq = await withTransaction(ctx, (tx) => tx.appendAuditNow(entry));
  const resource = toAuditEvent({ ...entry, seq, prevHash: '', hash: '' });
  const lastUpdated = new Date(entry.recorded).toISOString();
  return writeResponse(req, { resourceType: 'AuditEvent', id: String(seq), versionId: '1', lastUpdated, deleted: false, method: 'POST', resource }, 201);
}

/** Every matching entry, in the report's order, one page of the log at a time. */
function exportAuditEvents(ctx: Ctx, query: ReportQuery, format: ReportFormat): FhirResponse {
  const writer = REPORT_WRITERS[format];
  async function* parts(): AsyncGenerator<StreamPart> {
    const maxSeq = await newestSeq(ctx);
    let afterSeq: number | undefined;
    for (let first = true; ; first = false) {
      const page = query.count === 0 ? [] : (await ctx.store.audit.query(ctx.tenant, { ...query, maxSeq, afterSeq, count: EXPORT_PAGE })).map((e) => asSeenBy(ctx, e));
      // The first part goes out even when empty: it carries the header, and its audit entry records the export.
      if (first || page.length > 0) {
        const records = page.map((e) => writer.record(reportRow(e)));
        if (first && writer.header !== undefined) records.unshift(writer.header);
        yield { records, ids: page.map((e) => String(e.seq)), patients: patientsOf(page.map(toAuditEvent)) };
      }
      if (page.length < EXPORT_PAGE) return;
      afterSeq = page[page.length - 1].seq;
    }
  }
  return {
    status: 200,
    stream: { contentType: writer.contentType, terminator: writer.terminator, filename: format === 'csv' ? 'audit-events.csv' : undefined, parts: parts() },
  };
}

/** The snapshot bound: the position of the practice's newest entry now (0 for none). */
async function newestSeq(ctx: Ctx): Promise<number> {
  const [newest] = await ctx.store.audit.query(ctx.tenant, { count: 1 });
  return newest?.seq ?? 0;
}

function parseAuditQuery(q: URLSearchParams, exporting: boolean): ReportQuery {
  const query: ReportQuery = { count: DEFAULT_SEARCH_COUNT, sort: [{ key: 'date', descending: true }] };
  const seen = new Set<string>();
  let subtypes: string[] | undefined;
  let actions: Set<string> | undefined;
  for (const [name, value] of q) {
    if (!PARAMETERS.includes(name)) throw errors.invalid(`AuditEvent searches take ${PARAMETERS.join(', ')}; not ${name}`, name);
    if (name !== 'date') {
      // Repeating a parameter would mean AND in FHIR, which only `date` needs here; OR is a comma list.
      if (seen.has(name) || (name.startsWith('address') && (seen.has('address') || seen.has('address:exact')))) {
        throw errors.invalid(`Give ${name} once (several values as a comma-separated list)`, name);
      }
      seen.add(name);
    }
    if (value === '') throw errors.invalid(`${name} needs a value`, name);
    switch (name) {
      case 'date': {
        const parsed = parseDateQuery(value, 'date');
        if (parsed.kind !== 'date') throw errors.invalid(`Invalid date "${value}"`, 'date');
        const d = parsed;
        let from: number | undefined;
        let to: number | undefined;
        if (d.prefix === 'ge' || d.prefix === 'gt' || d.prefix === 'sa') from = d.prefix === 'ge' ? d.start : d.end + 1;
        else if (d.prefix === 'le' || d.prefix === 'lt' || d.prefix === 'eb') to = d.prefix === 'le' ? d.end : d.start - 1;
        else if (d.prefix === 'eq') {
          from = d.start;
          to = d.end;
        } else throw errors.invalid(`AuditEvent date takes eq, ge, gt, le, lt, sa or eb; not ${d.prefix}`, 'date');
        if (from !== undefined) query.from = Math.max(query.from ?? -Infinity, from);
        if (to !== undefined) query.to = Math.min(query.to ?? Infinity, to);
        break;
      }
      case 'agent':
        query.agentId = tokens(value);
        break;
      case 'agent-role':
        query.agentRole = tokens(value);
        break;
      case 'patient': {
        const id = value.startsWith('Patient/') ? value.slice('Patient/'.length) : value;
        if (!ID_PATTERN.test(id)) throw errors.invalid(`patient takes one Patient id or Patient/id, not "${value}"`, 'patient');
        query.patient = `Patient/${id}`;
        break;
      }
      case 'entity': {
        const [type, id, ...rest] = value.split('/');
        const valid = id !== undefined && (isResourceType(type) ? ID_PATTERN.test(id) : ADMIN_ENTITY_TYPES.includes(type) && ADMIN_ENTITY_ID.test(id));
        if (rest.length > 0 || !valid) throw errors.invalid(`entity takes one Type/id (a resource, or User, Client or Practice for the admin API's entries), not "${value}"`, 'entity');
        query.entity = value;
        break;
      }
      case 'subtype':
        // A compartment search (`Patient/1/*`) is shown with the subtype search-type, so it is found by it.
        subtypes = tokens(value).flatMap((s) => (s === 'search-type' ? ['search-type', 'search-compartment'] : [s]));
        break;
      case 'action':
        actions = new Set(tokens(value));
        for (const a of actions) if (!ACTION_VALUES.has(a)) throw errors.invalid(`AuditEvent action is C, R, U, D or E; not ${a}`, 'action');
        break;
      case 'outcome': {
        const outcomes = new Set(tokens(value));
        for (const o of outcomes) if (o !== '0' && o !== '4') throw errors.invalid('AuditEvent outcome is 0 (success) or 4 (failure) here', 'outcome');
        if (outcomes.size === 1) query.outcome = outcomes.has('0') ? 'success' : 'failure';
        break;
      }
      case 'address':
      case 'address:exact':
        query.ip = value;
        query.ipPrefix = name === 'address';
        break;
      case 'purpose':
        query.purpose = tokens(value);
        break;
      case '_count':
        if (exporting) throw errors.invalid('An export has every matching entry; leave out _count', '_count');
        if (!/^\d+$/.test(value)) throw errors.invalid(`_count must be a non-negative integer, not "${value}"`, '_count');
        query.count = Math.min(Math.max(Number(value), 1), MAX_SEARCH_COUNT);
        break;
      case '_sort':
        query.sort = parseSort(value);
        break;
      case '_cursor': {
        if (exporting) throw errors.invalid('An export has every matching entry; leave out _cursor', '_cursor');
        const m = /^(\d{1,15})\.(\d{1,15})$/.exec(value);
        if (m === null) throw errors.invalid('Invalid AuditEvent page cursor', '_cursor');
        query.maxSeq = Number(m[1]);
        query.afterSeq = Number(m[2]);
        break;
      }
    }
  }
  if (subtypes !== undefined || actions !== undefined) {
    const wanted = actions;
    if (subtypes !== undefined) query.action = wanted === undefined ? subtypes : subtypes.filter((s) => wanted.has(actionCode(s)));
    // E is every interaction and event not named C, R, U or D, so it is the complement of the others.
    else if (wanted!.has('E')) query.notAction = Object.keys(ACTION_CODES).filter((a) => !wanted!.has(ACTION_CODES[a]));
    else query.action = Object.keys(ACTION_CODES).filter((a) => wanted!.has(ACTION_CODES[a]));
  }
  return query;
}

/** A token parameter's comma-separated values, without their systems (`system|code`). */
function tokens(value: string): string[] {
  return value.split(',').map((v) => {
    const code = v.includes('|') ? v.slice(v.indexOf('|') + 1) : v;
    if (code === '') throw errors.invalid(`Empty value in "${value}"`);
    return code;
  });
}

function parseSort(value: string): AuditSort[] {
  const sort: AuditSort[] = [];
  for (const part of value.split(',')) {
    const descending = part.startsWith('-');
    const key = descending ? part.slice(1) : part;
    if (!SORT_KEYS.has(key)) throw errors.invalid(`AuditEvent sorts by ${[...SORT_KEYS].join(', ')} (each optionally with -); not "${part}"`, '_sort');
    if (sort.some((s) => s.key === key)) throw errors.invalid(`_sort names ${key} twice`, '_sort');
    sort.push({ key: key as AuditSortKey, descending });
  }
  return sort;
}
