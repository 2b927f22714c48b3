/**
 * The audit log's storage contract, part of `FhirStore`: an append-only, per-practice,
 * hash-chained sequence of audit entries. What goes into an entry (who, what, when, where, why)
 * is decided in `src/domain/audit`; the store keeps entries in order and makes tampering
 * detectable.
 */

/**
 * The chain of entries that belong to no practice: failed authentication whose practice cannot
 * be known (docs/audit.md). Practice ids are lower-case letters and digits, so none is this.
 */
export const SYSTEM_AUDIT_CHAIN = '_system';

/** One audited action, as the store keeps it. Lists are ids such as `Patient/123`. */
export interface AuditEntry {
  tenant: string;
  /** Epoch ms. */
  recorded: number;
  /** The interaction or event, e.g. `read`, `search-type`, `create`, `sign-in`, `break-glass`. */
  action: string;
  outcome: 'success' | 'failure';
  agentKind: string;
  agentId: string;
  agentRole?: string;
  clientId?: string;
  resourceType?: string;
  /** What was touched: `Type/id` references. */
  entities?: string[];
  /** Whose record it was: `Patient/id` references. */
  patients?: string[];
  ip?: string;
  userAgent?: string;
  /** Purpose of use (e.g. `TREAT`, `ETREAT` for break-the-glass). */
  purpose?: string;
  /** The user's stated reason (break-the-glass), or the failure's reason. */
  reason?: string;
  /** Further detail as JSON text (e.g. search parameters). */
  detail?: string;
  /**
   * An AuditEvent a client reported (`POST AuditEvent`), as JSON text exactly as it was accepted.
   * The entry's other fields are Heron's: who reported it (from the token), from where, when it
   * arrived, and the patients and resources it names, so the report's filters find it.
   */
  reported?: string;
}

export interface StoredAuditEntry extends AuditEntry {
  /** Position in the practice's chain, from 1. */
  seq: number;
  prevHash: string;
  hash: string;
}

/**
 * Orders of the audit report. `patient` orders by the entry's list of patients as stored (entries
 * without patients first); `outcome` puts successes first, as FHIR's codes 0 and 4 do.
 */
export type AuditSortKey = 'date' | 'agent' | 'patient' | 'subtype' | 'outcome';

export interface AuditSort {
  key: AuditSortKey;
  descending?: boolean;
}

export interface AuditQuery {
  /** Inclusive epoch-ms bounds. */
  from?: number;
  to?: number;
  /** One value, or any of several. */
  agentId?: string | readonly string[];
  agentRole?: string | readonly string[];
  /** `Patient/id`: only entries concerning this patient. */
  patient?: string;
  /** `Type/id`: only entries that touched this resource. */
  entity?: string;
  /** The interaction (or event) name, or any of several. */
  action?: string | readonly string[];
  /** Entries whose interaction is none of these. */
  notAction?: readonly string[];
  outcome?: 'success' | 'failure';
  purpose?: string | readonly string[];
  /** The IP address, or (with `ipPrefix`) addresses that start with it. */
  ip?: string;
  ipPrefix?: boolean;
  /**
   * Sort keys in order; ties are broken by time and position. Without it, the order is the
   * chain's: newest first unless `ascending`.
   */
  sort?: readonly AuditSort[];
  ascending?: boolean;
  count: number;
  /** Continue after the entry at this `seq` (in the query's order). */
  afterSeq?: number;
  /**
   * Only entries up to this `seq`: the log only grows at its end, so paging against a fixed
   * bound neither skips nor repeats entries while others are appended.
   */
  maxSeq?: number;
}

export interface AuditVerification {
  /** Entries checked. */
  checked: number;
  /** The first entry whose hash or link does not match, with what is wrong. */
  broken?: { seq: number; problem: string };
}

/** Which break-the-glass entries the emergency-access queue lists. */
export interface EmergencyAccessQuery {
  /** Reviewed ones only (true), unreviewed ones only (false). */
  reviewed: boolean;
  /** Newest first; continue with entries before this `seq`. */
  beforeSeq?: number;
  count: number;
}

/** A break-the-glass entry with the `seq` of the entry that reviewed it, if any. */
export interface EmergencyAccessEntry extends StoredAuditEntry {
  reviewSeq?: number;
}

export interface AuditLog {
  /**
   * Appends entries (of any practices) in one transaction; resolves once committed. Rejects if
   * they cannot be written: callers must then not release what they audited. `flush: false`
   * does not wait for the disk flush (see `SqlDriver.transaction`).
   */
  append(entries: readonly AuditEntry[], options?: { flush?: boolean }): Promise<void>;
  query(tenant: string, query: AuditQuery): Promise<StoredAuditEntry[]>;
  /** Break-the-glass entries (`action` break-glass, success) with their review state: the review queue. */
  emergencyAccesses(tenant: string, query: EmergencyAccessQuery): Promise<EmergencyAccessEntry[]>;
  /** How many break-the-glass entries are (un)reviewed. */
  countEmergencyAccesses(tenant: string, reviewed: boolean): Promise<number>;
  /** Recomputes one practice's chain from the first entry. */
  verify(tenant: string): Promise<AuditVerification>;
}
