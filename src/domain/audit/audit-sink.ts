/**
 * Where access records go. Every interaction reports what it did through `AuditSink.record`;
 * dispatch is the one caller for FHIR interactions (and the Bundle and sign-in code for theirs).
 *
 * The production sink (`storeAuditSink`) appends to the store's hash-chained audit log:
 * - inside the request's transaction when there is one, so a write and its audit entry commit
 *   or roll back together;
 * - otherwise (reads, searches, failures) batched with the other records of the same moment
 *   into one transaction (group commit), and the caller waits for the commit: if it fails, the
 *   caller fails too and returns no data (fail-closed).
 */
import type { AuditEntry, AuditLog } from '../../store/audit-log.ts';
import type { StoreTransaction } from '../../store/store.ts';
import type { Principal } from '../access/principal.ts';
import { groupCommit } from '../group-commit.ts';

export interface AuditRecord {
  tenant: string;
  principal: Principal;
  action: string; // interaction name, e.g. 'read', 'create', 'transaction'
  outcome: 'success' | 'failure';
  resourceType?: string;
  ids?: string[];
  /** `Patient/id` of the records concerned, for the accounting of disclosures. */
  patients?: string[];
  origin: { ip?: string; userAgent?: string };
  at: string;
  purpose?: string;
  reason?: string;
  /** What changed, as JSON text (e.g. an administrator's change: the role given, the scopes registered). */
  detail?: string;
}

export interface AuditSink {
  /**
   * Records the entry; with `tx`, as part of that transaction. A returned promise must be awaited
   * before the audited result is released.
   */
  record(entry: AuditRecord, tx?: StoreTransaction): void | Promise<void>;
}

/** Keeps nothing: tests and tools that audit elsewhere. */
export const discardingAuditSink: AuditSink = { record() {} };

/** Writes one structured log line per record (development, and the audit-off benchmark). */
export function loggingAuditSink(log: (obj: object, msg: string) => void): AuditSink {
  return { record: (entry) => log({ audit: entry }, 'audit') };
}

/** The store's audit entry for a record. */
export function toAuditEntry(r: AuditRecord): AuditEntry {
  const e: AuditEntry = {
    tenant: r.tenant,
    recorded: Date.parse(r.at),
    action: r.action,
    outcome: r.outcome,
    agentKind: r.principal.kind,
    agentId: r.principal.id,
  };
  if (r.principal.kind === 'client') e.clientId = r.principal.id;
  // Who a user was when acting, and through which app: the role can change later, the entry must not.
  if (r.principal.kind === 'user') {
    e.agentRole = r.principal.role;
    if (r.principal.clientId !== undefined) e.clientId = r.principal.clientId;
  }
  if (r.resourceType !== undefined) e.resourceType = r.resourceType;
  if (r.ids !== undefined && r.ids.length > 0) e.entities = r.ids.map((id) => (id.includes('/') || r.resourceType === undefined ? id : `${r.resourceType}/${id}`));
  if (r.patients !== undefined && r.patients.length > 0) e.patients = r.patients;
  if (r.origin.ip !== undefined) e.ip = r.origin.ip;
  if (r.origin.userAgent !== undefined) e.userAgent = r.origin.userAgent;
  if (r.purpose !== undefined) e.purpose = r.purpose;
  if (r.reason !== undefined) e.reason = r.reason;
  if (r.detail !== undefined) e.detail = r.detail;
  return e;
}

/** Appends to the store's audit log; see the module comment. */
export function storeAuditSink(log: AuditLog): AuditSink {
  // Entries of writes commit with the writes; these are reads and failures. Not waiting for the
  // disk flush keeps a busy server from stalling on it: a crash of Heron loses none of them, a
  // power failure at most the last moments' (docs/audit.md).
  const append = groupCommit<AuditEntry>((batch) => log.append(batch, { flush: false }));
  return {
    record(entry, tx) {
      return tx ? tx.appendAudit([toAuditEntry(entry)]) : append(toAuditEntry(entry));
    },
  };
}
