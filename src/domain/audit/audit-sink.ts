/**
 * Where access records go. Every interaction reports what it did through `AuditSink.record`.
 * Issue #4 replaces the logging sink with a hash-chained AuditEvent store written in the same
 * transaction as the data; the call sites stay as they are.
 */
import type { Principal } from '../access/principal.ts';

export interface AuditRecord {
  tenant: string;
  principal: Principal;
  action: string; // interaction name, e.g. 'read', 'create', 'transaction'
  outcome: 'success' | 'failure';
  resourceType?: string;
  ids?: string[];
  origin: { ip?: string; userAgent?: string };
  at: string;
}

export interface AuditSink {
  record(entry: AuditRecord): void | Promise<void>;
}

/** Development sink: keeps nothing, used by the CLI and tests until the audit store exists. */
export const discardingAuditSink: AuditSink = { record() {} };

/** Sink that writes one structured log line per record. */
export function loggingAuditSink(log: (obj: object, msg: string) => void): AuditSink {
  return { record: (entry) => log({ audit: entry }, 'audit') };
}
