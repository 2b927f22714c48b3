/**
 * The review of emergency accesses (break-the-glass), for the practice administrator
 * (`privacy-officer.ts`):
 * - `GET AuditEvent/$emergency-access[?reviewed=true|false]`: the queue, a searchset Bundle of the
 *   break-the-glass entries (who, when, which patient, the reason), newest first, unreviewed ones
 *   before reviewed ones when `reviewed` is left out; each reviewed entry is followed by its
 *   review (search mode `include`, its `entity` naming the access). `total` is the number of
 *   entries the filter matches, so `reviewed=false&_count=0` is the unreviewed count. Agents and
 *   patients carry their names (`display`), which the reviewer needs even for a restricted chart.
 * - `POST AuditEvent/[id]/$review` with Parameters `verdict` (appropriate | inappropriate) and
 *   `note`: appends a review entry to the audit trail naming the access (the access's own entry
 *   never changes) and answers it, 201. One review per access: a second answers 409.
 * Both read the store's queue (`audit_break_glass_reviews`, a partial index of break-the-glass
 * entries), so their cost follows the number of emergency accesses, not the length of the trail.
 */
import type { AuditEvent, Bundle, BundleEntry, Parameters } from '@medplum/fhirtypes';
import { requirePrivacyOfficer } from '../../../domain/access/privacy-officer.ts';
import { toAuditEvent } from '../../../domain/audit/audit-event.ts';
import { toAuditEntry } from '../../../domain/audit/audit-sink.ts';
import { nowOf, withTransaction, type Ctx } from '../../../domain/context.ts';
import { nameBook, type NameBook } from '../../../domain/privacy/name-book.ts';
import { errors } from '../../../fhir/outcome.ts';
import type { EmergencyAccessEntry, StoredAuditEntry } from '../../../store/audit-log.ts';
import type { FhirRequest, FhirResponse } from '../fhir-request.ts';
import { pageUrl } from './search-bundle.ts';

/** The audit action of a review entry. */
export const REVIEW_ACTION = 'break-glass-review';
export const VERDICTS = ['appropriate', 'inappropriate'] as const;
export type Verdict = (typeof VERDICTS)[number];
const MAX_NOTE = 2000;
const DEFAULT_COUNT = 20;
const MAX_COUNT = 100;
const PARAMETERS = ['reviewed', '_count', '_cursor'];

/** Where a page continues: in the unreviewed (`u`) or reviewed (`r`) list, before an entry. */
interface Cursor {
  reviewed: boolean;
  beforeSeq: number;
}

export async function emergencyAccessQueue(ctx: Ctx, req: FhirRequest): Promise<FhirResponse> {
  requirePrivacyOfficer(ctx);
  const { reviewed, count, cursor } = parseQueueQuery(req.query);
  const audit = ctx.store.audit;
  const order = reviewed === undefined ? [false, true] : [reviewed];
  const first = cursor === undefined ? 0 : order.indexOf(cursor.reviewed);
  if (first < 0) throw errors.invalid('Invalid page cursor', '_cursor');
  const totals = await Promise.all(order.map((r) => audit.countEmergencyAccesses(ctx.tenant, r)));
  const page: EmergencyAccessEntry[] = [];
  let next: Cursor | undefined;
  for (let i = first; i < order.length; i++) {
    const beforeSeq = i === first ? cursor?.beforeSeq : undefined;
    const room = count - page.length;
    // One more than fits tells whether a next page starts in this list.
    const found = await audit.emergencyAccesses(ctx.tenant, { reviewed: order[i], count: room + 1, ...(beforeSeq === undefined ? {} : { beforeSeq }) });
    page.push(...found.slice(0, room));
    if (found.length > room) {
      next = { reviewed: order[i], beforeSeq: room > 0 ? found[room - 1].seq : (beforeSeq ?? Number.MAX_SAFE_INTEGER) };
      break;
    }
  }
  const names = nameBook(ctx);
  const entry: BundleEntry[] = [];
  for (const access of page) {
    entry.push({ fullUrl: `${req.baseUrl}/AuditEvent/${access.seq}`, resource: await named(toAuditEvent(access), access, names), search: { mode: 'match' } });
    if (access.reviewSeq !== undefined) {
      const review = await entryAt(ctx, access.reviewSeq);
      if (review !== undefined) entry.push({ fullUrl: `${req.baseUrl}/AuditEvent/${review.seq}`, resource: await named(toAuditEvent(review), review, names), search: { mode: 'include' } });
    }
  }
  const path = 'AuditEvent/$emergency-access';
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'searchset',
    total: totals.reduce((a, b) => a + b, 0),
    link: [{ relation: 'self', url: pageUrl(req.baseUrl, path, req.query, req.query.get('_cursor') ?? undefined) }],
    entry,
  };
  if (next !== undefined) bundle.link!.push({ relation: 'next', url: pageUrl(req.baseUrl, path, req.query, `${next.reviewed ? 'r' : 'u'}${next.beforeSeq}`) });
  return { status: 200, body: bundle };
}

export async function reviewEmergencyAccess(ctx: Ctx, req: FhirRequest, id: string): Promise<FhirResponse> {
  const principal = requirePrivacyOfficer(ctx);
  const { verdict, note } = parseReview(req.body);
  const seq = /^[1-9][0-9]{0,15}$/.test(id) ? Number(id) : undefined;
  const access = seq === undefined ? undefined : await entryAt(ctx, seq);
  if (access === undefined || access.action !== 'break-glass' || access.outcome !== 'success') throw errors.notFound(`AuditEvent/${id} is not an emergency access (break-the-glass)`);
  const review = toAuditEntry({
    tenant: ctx.tenant,
    principal,
    action: REVIEW_ACTION,
    outcome: 'success',
    resourceType: 'AuditEvent',
    ids: [String(access.seq)],
    origin: ctx.origin,
    at: new Date(nowOf(ctx)).toISOString(),
    detail: JSON.stringify({ verdict, note }),
  });
  const reviewSeq = await withTransaction(ctx, (tx) => tx.appendBreakGlassReview(access.seq, review));
  const body = await named(toAuditEvent({ ...review, seq: reviewSeq, prevHash: '', hash: '' }), review, nameBook(ctx));
  return { status: 201, body, headers: { location: `${req.baseUrl}/AuditEvent/${reviewSeq}/_history/1` } };
}

/** One entry of the practice's trail by its place in the chain. */
async function entryAt(ctx: Ctx, seq: number): Promise<StoredAuditEntry | undefined> {
  const [entry] = await ctx.store.audit.query(ctx.tenant, { count: 1, afterSeq: seq + 1 });
  return entry?.seq === seq ? entry : undefined;
}

/** The entry's AuditEvent with the agent's and the patients' names as `display`. */
async function named(event: AuditEvent, entry: { agentKind: string; agentId: string }, names: NameBook): Promise<AuditEvent> {
  const agent = event.agent?.[0];
  if (agent?.who !== undefined && entry.agentKind === 'user') {
    const name = await names.user(entry.agentId);
    if (name !== undefined) agent.who.display = name;
  }
  for (const e of event.entity ?? []) {
    const ref = e.what?.reference;
    if (ref?.startsWith('Patient/')) {
      const name = await names.of(ref);
      if (name !== undefined) e.what!.display = name;
    }
  }
  return event;
}

function parseQueueQuery(q: URLSearchParams): { reviewed?: boolean; count: number; cursor?: Cursor } {
  const out: { reviewed?: boolean; count: number; cursor?: Cursor } = { count: DEFAULT_COUNT };
  for (const [name, value] of q) {
    if (!PARAMETERS.includes(name)) throw errors.invalid(`AuditEvent/$emergency-access takes ${PARAMETERS.join(', ')}; not ${name}`, name);
    if (q.getAll(name).length > 1) throw errors.invalid(`Give ${name} once`, name);
    if (name === 'reviewed') {
      if (value !== 'true' && value !== 'false') throw errors.invalid('reviewed is true or false', 'reviewed');
      out.reviewed = value === 'true';
    } else if (name === '_count') {
      if (!/^\d{1,6}$/.test(value)) throw errors.invalid(`_count must be a non-negative integer, not "${value}"`, '_count');
      out.count = Math.min(Number(value), MAX_COUNT);
    } else {
      const m = /^([ur])(\d{1,16})$/.exec(value);
      if (m === null) throw errors.invalid('Invalid page cursor', '_cursor');
      out.cursor = { reviewed: m[1] === 'r', beforeSeq: Number(m[2]) };
    }
  }
  return out;
}

function parseReview(body: unknown): { verdict: Verdict; note: string } {
  const params = body as Parameters | undefined;
  if (params?.resourceType !== 'Parameters') throw errors.invalid('Send a Parameters resource with verdict and note', 'Parameters');
  const verdict = params.parameter?.find((p) => p.name === 'verdict')?.valueCode;
  if (!VERDICTS.includes(verdict as Verdict)) throw errors.invalid(`verdict is ${VERDICTS.join(' or ')}`, "Parameters.parameter.where(name = 'verdict')");
  const note = params.parameter?.find((p) => p.name === 'note')?.valueString?.trim() ?? '';
  if (note === '') throw errors.invalid('A note saying why is required', "Parameters.parameter.where(name = 'note')");
  if (note.length > MAX_NOTE) throw errors.invalid(`A note is at most ${MAX_NOTE} characters`, "Parameters.parameter.where(name = 'note')");
  return { verdict: verdict as Verdict, note };
}
