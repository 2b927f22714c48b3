/**
 * AuditEvents that apps and other systems report to Heron (`POST AuditEvent`, as an IHE BALP
 * Audit Record Repository accepts them). Each becomes one entry of the practice's own hash chain,
 * kept as the client sent it and never changed, beside Heron's own entries:
 *
 * - The entry's own fields are what Heron knows, not what the body claims: who reported it (the
 *   principal of the verified token: user, role and app, or the backend service), from where,
 *   and when it arrived (`recorded`, so `date` filters and sorts by arrival). The report's
 *   `agent` filter therefore finds what an app reported for a user, and a body can never put an
 *   entry under someone else's name.
 * - The patients and resources the body names (`Patient/id` references, as for Heron's own
 *   entries; relative `Type/id` references of `entity.what`) are copied into the entry so that
 *   `patient` and `entity` find it, and the patient's accounting of disclosures lists it.
 * - Its outcome and purpose of use are the body's, so `outcome` and `purpose` filter on them.
 * - Read back, it is the body as sent, with the id of its place in the chain and server-owned
 *   `meta`: `lastUpdated` (arrival) and a tag naming the reporting client. Like every
 *   AuditEvent it has no versions (it never changes): no `versionId`.
 * @see https://profiles.ihe.net/ITI/BALP/
 */
import type { AuditEvent, Coding } from '@medplum/fhirtypes';
import { errors } from '../../fhir/outcome.ts';
import type { AuditEntry, StoredAuditEntry } from '../../store/audit-log.ts';
import type { Ctx } from '../context.ts';
import { patientsOf } from './patients-of.ts';

/** The entry's `action` (AuditEvent `subtype` in the report): an event a client reported. */
export const REPORTED_ACTION = 'reported';

/** The `meta.tag` system naming the client that reported an AuditEvent; only Heron sets it. */
export const REPORTED_BY_SYSTEM = 'https://heron.dev/fhir/CodeSystem/reported-by';

const RELATIVE_REFERENCE = /^[A-Z][A-Za-z]{1,63}\/[A-Za-z0-9\-.]{1,64}$/;

/**
 * The audit entry recording `event` (already valid R4) as reported by the ctx's principal at
 * `at` (epoch ms). Throws `invalid` for a body that claims Heron's own reported-by tag, and
 * `forbidden` when patient-bound access names a patient other than its own.
 */
export function reportedEntry(ctx: Ctx, event: AuditEvent, at: number): AuditEntry {
  if ((event.meta?.tag ?? []).some((t) => t.system === REPORTED_BY_SYSTEM)) {
    throw errors.invalid(`meta.tag with the system ${REPORTED_BY_SYSTEM} is set by Heron from the access token; leave it out`, 'AuditEvent.meta.tag');
  }
  const patients = patientsOf([event]);
  const p = ctx.principal;
  if (p.kind === 'user' && p.patients !== undefined) {
    // Patient-bound access reports about its own patients only: every patient named, not just one.
    const other = patients.find((ref) => !p.patients!.includes(ref.slice('Patient/'.length)));
    if (other !== undefined || patients.length === 0) {
      throw errors.forbidden('An AuditEvent reported here must concern only the record of the patient this access is for');
    }
  }
  const entities = [...new Set((event.entity ?? []).map((e) => e.what?.reference).filter((r): r is string => r !== undefined && RELATIVE_REFERENCE.test(r)))];
  const purpose = (event.purposeOfEvent ?? []).flatMap((c) => c.coding ?? []).find((c) => c.code !== undefined)?.code;
  const entry: AuditEntry = {
    tenant: ctx.tenant,
    recorded: at,
    action: REPORTED_ACTION,
    outcome: event.outcome === undefined || event.outcome === '0' ? 'success' : 'failure',
    agentKind: p.kind,
    agentId: p.id,
    resourceType: 'AuditEvent',
    reported: JSON.stringify(event),
  };
  if (p.kind === 'client') entry.clientId = p.id;
  if (p.kind === 'user') {
    entry.agentRole = p.role;
    if (p.clientId !== undefined) entry.clientId = p.clientId;
  }
  if (entities.length > 0) entry.entities = entities;
  if (patients.length > 0) entry.patients = patients;
  if (ctx.origin.ip !== undefined) entry.ip = ctx.origin.ip;
  if (ctx.origin.userAgent !== undefined) entry.userAgent = ctx.origin.userAgent;
  if (purpose !== undefined) entry.purpose = purpose;
  return entry;
}

/** A reported entry as the AuditEvent it was, with its id and Heron's `meta`. */
export function reportedAuditEvent(e: StoredAuditEntry & { reported: string }): AuditEvent {
  const { resourceType, id: _sentId, meta, ...content } = JSON.parse(e.reported) as AuditEvent;
  const tag: Coding = { system: REPORTED_BY_SYSTEM, code: e.clientId ?? e.agentId, display: reporterOf(e) };
  return {
    resourceType,
    id: String(e.seq),
    meta: { ...meta, lastUpdated: new Date(e.recorded).toISOString(), tag: [...(meta?.tag ?? []), tag] },
    ...content,
  };
}

/** Who reported it, in words: the app, and the user it acted for. */
function reporterOf(e: StoredAuditEntry): string {
  if (e.agentKind === 'user') return `Reported by ${e.clientId === undefined ? '' : `app ${e.clientId} for `}user ${e.agentId}`;
  return `Reported by ${e.agentKind === 'client' ? 'client' : e.agentKind} ${e.agentId}`;
}

/** The reported content without the agents' network addresses: what a patient sees of staff's (as of Heron's own entries). */
export function withoutNetworkDetails(reported: string): string {
  const event = JSON.parse(reported) as AuditEvent;
  for (const agent of event.agent ?? []) delete agent.network;
  return JSON.stringify(event);
}
