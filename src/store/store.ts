/**
 * The storage contract. One interface, two implementations (SQLite embedded, PostgreSQL
 * production) that pass one conformance suite (`src/store/conformance/`).
 *
 * Every call is scoped to one practice (tenant): a `StoreReader`/`StoreTransaction` is opened for
 * a tenant and can never see another tenant's rows. The store owns versioning: it assigns
 * `meta.versionId` and `meta.lastUpdated`, keeps every past version (deletes are versions too)
 * and writes the search-index rows in the same database transaction as the resource.
 * @see https://hl7.org/fhir/R4/http.html
 */
import type { Resource } from '@medplum/fhirtypes';
import type { IndexRow, SearchCriterion, SearchRequest, TokenSearch } from '../fhir/search/types.ts';
import type { AuditEntry, AuditLog } from './audit-log.ts';
import type { EmergencyAccessStore } from './emergency-access.ts';
import type { HealthLinkStore } from './health-links.ts';
import type { OAuthGrants } from './oauth-grants.ts';
import type { RateLimits } from './rate-limits.ts';
import type { TerminologyStore } from './terminology.ts';
import type { UserAccounts } from './user-accounts.ts';

/** One stored version of a resource (current or past). */
export interface StoredVersion {
  resourceType: string;
  id: string;
  /** Positive integer as a string, as `meta.versionId`. */
  versionId: string;
  /** ISO-8601 instant with milliseconds, as `meta.lastUpdated`. */
  lastUpdated: string;
  deleted: boolean;
  /** The interaction that made this version. */
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The resource with server-owned meta; absent when `deleted`. */
  resource?: Resource;
  /**
   * The stored JSON text of `resource` (meta included), when the store read it from its database;
   * a read can then send it as it is instead of parsing and re-serialising it. Stores that set it
   * parse `resource` lazily, drop `json` when `resource` is replaced, and keep `json` out of
   * enumeration so copies and comparisons of versions see only the resource. Changing the parsed
   * `resource` in place does not change `json`.
   */
  readonly json?: string;
}

export interface VersionWrite {
  resourceType: string;
  id: string;
  method: StoredVersion['method'];
  /** The new content; omitted for a delete. `meta.versionId`/`lastUpdated` are overwritten. */
  resource?: Resource;
  /**
   * Optimistic concurrency: the version the caller last saw. `0` means "must not exist yet
   * (or exist only as deleted)". If the current version differs, the write fails with a
   * `precondition-failed` FhirError. Omitted: no check.
   */
  expectedVersion?: number;
}

export interface HistoryQuery {
  /** Omitted for system-level history. */
  resourceType?: string;
  /** Omitted for type- or system-level history. */
  id?: string;
  /** Only versions with lastUpdated strictly after this instant (ms since epoch). */
  since?: number;
  /** Only versions current at this instant: lastUpdated <= at (ms since epoch). */
  at?: number;
  count: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

export interface HistoryPage {
  /** Newest first. */
  entries: StoredVersion[];
  total: number;
  /** Set when more entries follow. */
  nextCursor?: string;
}

/**
 * The default total (`_total=estimate`) is exact up to this many matches and left out above, so
 * that no default search counts more than this; `_total=accurate` counts them all.
 */
export const TOTAL_CAP = 100;

export interface SearchPage {
  /** Matches in sort order. */
  resources: Resource[];
  /** Resources added by `_include`/`_revinclude`. */
  included: Resource[];
  /** Set when `_include`/`_revinclude` reached more than the store returns per page. */
  includedLimit?: number;
  /** Present unless `total: 'none'` was asked, or `estimate` found more than `TOTAL_CAP` matches. */
  total?: number;
  nextCursor?: string;
  prevCursor?: string;
}

/**
 * A subject's newest resources per code, from the `LATEST_PARAM` index rows (what
 * `Observation/$lastn` asks): the groups are the codes of its resources, each also split by
 * category in the rows; a resource with several codes is in several groups.
 */
export interface LatestQuery {
  resourceType: string;
  /** The subject the rows name, as a local reference: `Patient/123`. */
  subject: string;
  /** Only resources with one of these categories; undefined: any, with or without one. */
  categories?: TokenSearch[];
  /** Only these codes; undefined: every code. */
  codes?: TokenSearch[];
  /** Resources per code, at least 1. */
  max: number;
  /** Criteria every returned resource must match as well (the caller's access rules). */
  criteria: SearchCriterion[];
}

/**
 * Resources matching any of several searches, each cut off at `limit` (candidates for a closer
 * look, such as `Patient/$match`'s): one statement, each branch read through its own indexes,
 * no count, no sort, no paging.
 */
export interface AnyOfQuery {
  resourceType: string;
  /** Each branch's criteria are AND-ed; a resource matching any branch is returned once. */
  branches: SearchCriterion[][];
  /** Criteria every returned resource must match as well (the caller's access rules). */
  criteria: SearchCriterion[];
  /** Resources per branch, at most. */
  limit: number;
}

/** One code's newest resources, newest first (by date, then id). */
export interface LatestGroup {
  system: string;
  code: string;
  resources: Resource[];
}

/** Read operations, available inside and outside a transaction. */
export interface StoreReader {
  readonly tenant: string;
  /** The current version, including a deleted marker; undefined if the id never existed. */
  readCurrent(resourceType: string, id: string): Promise<StoredVersion | undefined>;
  readVersion(resourceType: string, id: string, versionId: string): Promise<StoredVersion | undefined>;
  history(query: HistoryQuery): Promise<HistoryPage>;
  search(request: SearchRequest): Promise<SearchPage>;
  /** The newest resources per code of one subject; codes in (system, code) order. */
  latest(query: LatestQuery): Promise<LatestGroup[]>;
  /** Resources matching any branch of the query, in no particular order. */
  searchAnyOf(query: AnyOfQuery): Promise<Resource[]>;
}

/** Reads and writes inside one database transaction: all commit together or none do. */
export interface StoreTransaction extends StoreReader {
  /**
   * Serialises work on one key across every connection and server until the transaction ends.
   * Conditional create/update/delete lock their criteria with it so that concurrent identical
   * requests see each other's result.
   */
  lock(key: string): Promise<void>;
  /** Appends a new version, replaces the index rows, updates the current pointer. */
  writeVersion(write: VersionWrite): Promise<StoredVersion>;
  /** Appends audit entries of this practice that commit (or roll back) with the transaction. */
  appendAudit(entries: readonly AuditEntry[]): Promise<void>;
  /**
   * Appends one entry to the practice's chain now rather than at commit, and returns its `seq`
   * (for a reported AuditEvent, whose id is its place in the chain). It holds the chain's lock
   * until the transaction ends, so it belongs in short transactions only; it still rolls back
   * with the transaction.
   */
  appendAuditNow(entry: AuditEntry): Promise<number>;
  /**
   * Appends `review` now (as `appendAuditNow`) and records it as the review of the break-the-glass
   * entry at `breakGlassSeq`; returns the review's `seq`. Throws a `conflict` FhirError when that
   * access already has a review (one review per access, enforced by the database).
   */
  appendBreakGlassReview(breakGlassSeq: number, review: AuditEntry): Promise<number>;
}

/** A practice (tenant). */
export interface Practice {
  id: string;
  name: string;
  createdAt: string;
}

/** An OAuth client registered for a practice. The secret is stored only as a hash. */
export interface OAuthClient {
  clientId: string;
  practiceId: string;
  /** Empty for a public app (no secret: a browser or mobile app cannot keep one). */
  secretHash: string;
  scopes: string;
  name: string;
  createdAt: string;
  /** Apps (authorization code flow): the exact redirect URIs; absent for backend services. */
  redirectUris?: string[];
  /** An app without a secret; it proves itself with PKCE only. */
  public?: boolean;
  /** Public keys (a JWK Set, JSON) that check the client's signed assertions (`private_key_jwt`). */
  jwks?: string;
  /** Where the client publishes its JWK Set instead (`private_key_jwt`). */
  jwksUrl?: string;
  /** Epoch ms when a practice administrator disabled it; from then on it is as if unregistered. */
  disabledAt?: number;
  /** Epoch ms when a token was last issued to it, to the minute (`noteClientUse`). */
  lastUsedAt?: number;
}

/** A page of a practice's clients, ordered by client id. */
export interface ClientListQuery {
  count: number;
  /** Continue after this client id. */
  afterClientId?: string;
}

/** Rows that belong to the server rather than to a practice's clinical record. */
export interface AdminStore {
  createPractice(practice: Practice): Promise<void>;
  getPractice(id: string): Promise<Practice | undefined>;
  findPracticeByName(name: string): Promise<Practice | undefined>;
  listPractices(): Promise<Practice[]>;
  createClient(client: OAuthClient): Promise<void>;
  /**
   * Undefined for an unknown client and, unless `includeDisabled`, for a disabled one: every
   * path that authenticates a client or checks its tokens goes through here, so a disabled
   * client cannot get or use a token anywhere.
   */
  getClient(clientId: string, options?: { includeDisabled?: boolean }): Promise<OAuthClient | undefined>;
  /** The practice's clients, disabled ones included. */
  listClients(practiceId: string, query: ClientListQuery): Promise<OAuthClient[]>;
  /** Disables the client at `at`; false when it is unknown or was already disabled. */
  disableClient(clientId: string, at: number): Promise<boolean>;
  /**
   * Records that a token was issued to the client at `at`, unless one was recorded less than
   * `withinMs` before (one conditional UPDATE, so a busy client costs a write a minute at most).
   */
  noteClientUse(clientId: string, at: number, withinMs: number): Promise<void>;
  /** Server settings such as the token signing key; JSON values. */
  getSetting(key: string): Promise<string | undefined>;
  /** Sets the value only if the key is absent; returns the value now stored (first writer wins). */
  putSettingIfAbsent(key: string, value: string): Promise<string>;
  /** People who sign in through apps. */
  readonly users: UserAccounts;
  /** Authorization requests, grants, codes and refresh tokens of the authorization code flow. */
  readonly grants: OAuthGrants;
  /** Failure counters shared by every app server (sign-in, client authentication, bearer tokens). */
  readonly rateLimits: RateLimits;
}

/** Produces the index rows for a resource; injected so the store stays free of FHIR knowledge. */
export type Indexer = (resource: Resource) => IndexRow[];

export interface MigrationResult {
  id: string;
  status: 'applied' | 'already-applied';
}

/** How far a reindex has come: resources done of those that existed when it started, rows written. */
export interface ReindexProgress {
  done: number;
  total: number;
  rows: number;
}

/** One SQL statement a search ran, with the database's plan for it (`FhirStore.explainSearch`). */
export interface SearchStatementPlan {
  sql: string;
  params: readonly unknown[];
  /** The plan as the database prints it, one line per node. */
  plan: string;
}

/** A version that a committed transaction wrote (what change listeners hear of). */
export interface CommittedChange {
  resourceType: string;
  id: string;
  versionId: string;
  deleted: boolean;
}

/** Listens to the changes of one practice's committed transaction. */
export type ChangeListener = (tenant: string, changes: readonly CommittedChange[]) => void;

/**
 * Every committed write of every practice, told after the commit (never for a rollback): on
 * SQLite within this process, on PostgreSQL to every app server sharing the database
 * (`LISTEN`/`NOTIFY`, which PostgreSQL delivers only once the notifying transaction commits).
 * At most once: a listener whose connection drops misses what commits before it reconnects.
 */
export interface ChangeFeed {
  /** Resolves once listening (so no commit after it is missed); the function stops listening. */
  listen(listener: ChangeListener): Promise<() => Promise<void>>;
  /**
   * Which writes are announced at all; every write until this is called. The app sets it to the
   * types some Subscription watches, since announcing costs each write transaction (on
   * PostgreSQL, NOTIFY serialises commits). Called inside the transaction, so it must be quick.
   */
  announceWhen(filter: (tenant: string, resourceType: string) => boolean): void;
}

export interface FhirStore {
  readonly dialect: 'sqlite' | 'postgres';
  /** Committed writes, for FHIR Subscriptions (docs/subscriptions.md). */
  readonly changes: ChangeFeed;
  /** Applies pending numbered migrations. Safe to call on every start and concurrently. */
  migrate(): Promise<MigrationResult[]>;
  /** Reads committed data for one tenant. */
  reader(tenant: string): StoreReader;
  /**
   * Runs `fn` in one transaction for one tenant. Commits if `fn` resolves, rolls back if it
   * throws (and rethrows). Retries on serialization failure are the caller's choice.
   */
  transaction<T>(tenant: string, fn: (tx: StoreTransaction) => Promise<T>): Promise<T>;
  /**
   * Rebuilds the search-index rows of every current resource of every practice with the store's
   * indexer (after search definitions changed). Safe while the server runs.
   */
  reindex(onProgress?: (progress: ReindexProgress) => void): Promise<ReindexProgress>;
  /**
   * Brings the query planner's statistics up to date: `VACUUM (ANALYZE)` of the clinical tables
   * on PostgreSQL (the visibility map too, for index-only scans), `ANALYZE` then `PRAGMA
   * optimize` on SQLite. Called after bulk loads (`heron import`, `heron reindex`), whose new
   * rows the planner would otherwise guess about.
   */
  refreshStatistics(): Promise<void>;
  /**
   * Diagnostics, for the broad-search benchmark: runs the search as `reader(tenant).search` does
   * and returns every statement it ran with the database's plan (`EXPLAIN QUERY PLAN` on SQLite,
   * `EXPLAIN (ANALYZE, BUFFERS)` on PostgreSQL, which runs the statement once more). Not reachable
   * over HTTP.
   */
  explainSearch(tenant: string, request: SearchRequest): Promise<SearchStatementPlan[]>;
  readonly admin: AdminStore;
  /** The append-only, hash-chained audit log. */
  readonly audit: AuditLog;
  /** Break-the-glass grants. */
  readonly emergencyAccess: EmergencyAccessStore;
  /** SMART Health Links patients made, and their accesses. */
  readonly healthLinks: HealthLinkStore;
  /** Code systems and value sets, shared by every practice. */
  readonly terminology: TerminologyStore;
  close(): Promise<void>;
}
