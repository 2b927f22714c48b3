/**
 * A patient's accounting of disclosures: a patient (or an app launched for one patient) may read
 * the audit entries that concern their own record — who accessed it, when, what and why — and
 * nothing else of the trail. Staff's network details (IP address, browser; in an event an app
 * reported, its agents' network addresses) and administrators' change details are left out of
 * what a patient sees: they are the practice's, not the record's.
 * Staff, the patient's proxy and apps are named for the patient (`auditEventsFor`, agent-names.ts).
 * Proxies do not read it (an adolescent's access log could reveal confidential care; the portal
 * issue decides what a proxy may see).
 */
import type { AuditEvent } from '@medplum/fhirtypes';
import type { AuditQuery, StoredAuditEntry } from '../../store/audit-log.ts';
import { errors } from '../../fhir/outcome.ts';
import type { Ctx } from '../context.ts';
import { agentNamer } from './agent-names.ts';
import { toAuditEvent } from './audit-event.ts';
import { withoutNetworkDetails } from './reported-event.ts';

/** The patient whose disclosures this access may read, or undefined when it is not patient-bound. */
function ownPatient(ctx: Ctx): string | undefined {
  if (ctx.principal.kind !== 'user' || ctx.principal.patients === undefined) return undefined;
  if (ctx.principal.role === 'proxy') throw errors.forbidden('A proxy cannot read the access history of the record it acts for');
  const [patient, ...more] = ctx.principal.patients;
  if (patient === undefined || more.length > 0) throw errors.forbidden('The access history is available for one patient at a time');
  return `Patient/${patient}`;
}

/**
 * Narrows a query to the caller's own record when patient-bound: a `patient` filter for anyone
 * else matches nothing (as a search of another patient's record does).
 */
export function ownDisclosuresQuery<Q extends AuditQuery>(ctx: Ctx, query: Q): Q | undefined {
  const own = ownPatient(ctx);
  if (own === undefined) return query;
  if (query.patient !== undefined && query.patient !== own) return undefined;
  return { ...query, patient: own };
}

/** Whether this access may see `entry` (read by id): for a patient, only entries about them. */
export function mayReadEntry(ctx: Ctx, entry: StoredAuditEntry): boolean {
  const own = ownPatient(ctx);
  return own === undefined || (entry.patients ?? []).includes(own);
}

/** The entry as this access may see it: without other people's network details and change details, for a patient. */
export function asSeenBy(ctx: Ctx, entry: StoredAuditEntry): StoredAuditEntry {
  if (ownPatient(ctx) === undefined || (ctx.principal.kind === 'user' && entry.agentId === ctx.principal.id)) return entry;
  const { ip: _ip, userAgent: _userAgent, detail: _detail, ...seen } = entry;
  if (seen.reported !== undefined) seen.reported = withoutNetworkDetails(seen.reported);
  return seen;
}

/**
 * The entries as AuditEvents for this access: for a patient, as `asSeenBy` leaves them and with
 * the agents named (agent-names.ts), looked up now and never stored in the chain.
 */
export async function auditEventsFor(ctx: Ctx, entries: readonly StoredAuditEntry[]): Promise<AuditEvent[]> {
  const own = ownPatient(ctx);
  if (own === undefined) return entries.map(toAuditEvent);
  const name = agentNamer(ctx, own);
  return Promise.all(
    entries.map((e) => {
      const seen = asSeenBy(ctx, e);
      return name(seen, toAuditEvent(seen));
    }),
  );
}
