/**
 * `AuditEvent` is read-only and comes from the audit log, not from stored resources: Heron writes
 * every entry itself (dispatch), so clients can search and read them but never create, change or
 * delete one. This is the audit report for auditors (filter by time, agent, patient, action and
 * outcome, newest or oldest first, paged) and, filtered by patient, the accounting of
 * disclosures.
 * @see https://hl7.org/fhir/R4/auditevent.html#search
 */
import type { Bundle } from '@medplum/fhirtypes';
import { toAuditEvent } from '../../../domain/audit/audit-event.ts';
import type { Ctx } from '../../../domain/context.ts';
import { errors } from '../../../fhir/outcome.ts';
import { parseDateQuery } from '../../../fhir/search/date.ts';
import type { AuditQuery } from '../../../store/audit-log.ts';
import type { FhirRequest, FhirResponse } from '../fhir-request.ts';
import { pageUrl } from './search-bundle.ts';
import { DEFAULT_SEARCH_COUNT, MAX_SEARCH_COUNT } from './search.ts';

/** Search parameters of the audit report; anything else is refused rather than ignored. */
const PARAMETERS = ['date', 'agent', 'patient', 'subtype', 'outcome', '_count', '_sort', '_cursor'];

export async function searchAuditEvents(ctx: Ctx, req: FhirRequest): Promise<FhirResponse> {
  const query = parseAuditQuery(req.query);
  const entries = await ctx.store.audit.query(ctx.tenant, { ...query, count: query.count + 1 });
  const page = entries.slice(0, query.count);
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'searchset',
    link: [{ relation: 'self', url: pageUrl(req.baseUrl, 'AuditEvent', withoutCursor(req.query), query.afterSeq?.toString()) }],
    entry: page.map((e) => ({ fullUrl: `${req.baseUrl}/AuditEvent/${e.seq}`, resource: toAuditEvent(e), search: { mode: 'match' } })),
  };
  if (entries.length > query.count) bundle.link!.push({ relation: 'next', url: pageUrl(req.baseUrl, 'AuditEvent', withoutCursor(req.query), String(page[page.length - 1].seq)) });
  return { status: 200, body: bundle };
}

export async function readAuditEvent(ctx: Ctx, id: string): Promise<FhirResponse> {
  const seq = /^[1-9][0-9]{0,15}$/.test(id) ? Number(id) : undefined;
  const [entry] = seq === undefined ? [] : await ctx.store.audit.query(ctx.tenant, { count: 1, afterSeq: seq + 1 });
  if (entry === undefined || entry.seq !== seq) throw errors.notFound(`AuditEvent/${id} is not known`);
  return { status: 200, body: toAuditEvent(entry) };
}

export function auditEventsAreReadOnly(): never {
  throw errors.notAllowed('AuditEvent is read-only: Heron records every audit event itself and never changes or deletes one');
}

function parseAuditQuery(q: URLSearchParams): AuditQuery & { count: number } {
  const query: AuditQuery & { count: number } = { count: DEFAULT_SEARCH_COUNT };
  for (const [name, value] of q) {
    if (!PARAMETERS.includes(name)) throw errors.invalid(`AuditEvent searches take ${PARAMETERS.join(', ')}; not ${name}`, name);
    switch (name) {
      case 'date': {
        const parsed = parseDateQuery(value, 'date');
        if (parsed.kind !== 'date') throw errors.invalid(`Invalid date "${value}"`, 'date');
        const d = parsed;
        if (d.prefix === 'ge' || d.prefix === 'gt' || d.prefix === 'sa') query.from = Math.max(query.from ?? -Infinity, d.prefix === 'ge' ? d.start : d.end + 1);
        else if (d.prefix === 'le' || d.prefix === 'lt' || d.prefix === 'eb') query.to = Math.min(query.to ?? Infinity, d.prefix === 'le' ? d.end : d.start - 1);
        else if (d.prefix === 'eq') {
          query.from = d.start;
          query.to = d.end;
        } else throw errors.invalid(`AuditEvent date takes eq, ge, gt, le, lt, sa or eb; not ${d.prefix}`, 'date');
        break;
      }
      case 'agent':
        query.agentId = value;
        break;
      case 'patient':
        query.patient = value.startsWith('Patient/') ? value : `Patient/${value}`;
        break;
      case 'subtype':
        query.action = value.includes('|') ? value.slice(value.indexOf('|') + 1) : value;
        break;
      case 'outcome':
        if (value !== '0' && value !== '4') throw errors.invalid('AuditEvent outcome is 0 (success) or 4 (failure) here', 'outcome');
        query.outcome = value === '0' ? 'success' : 'failure';
        break;
      case '_count':
        if (!/^\d+$/.test(value)) throw errors.invalid(`_count must be a non-negative integer, not "${value}"`, '_count');
        query.count = Math.min(Math.max(Number(value), 1), MAX_SEARCH_COUNT);
        break;
      case '_sort':
        if (value !== 'date' && value !== '-date') throw errors.invalid('AuditEvent sorts by date or -date', '_sort');
        query.ascending = value === 'date';
        break;
      case '_cursor':
        if (!/^\d+$/.test(value)) throw errors.invalid('Invalid AuditEvent page cursor', '_cursor');
        query.afterSeq = Number(value);
        break;
    }
  }
  return query;
}

function withoutCursor(q: URLSearchParams): URLSearchParams {
  const copy = new URLSearchParams(q);
  copy.delete('_cursor');
  return copy;
}
