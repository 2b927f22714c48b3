/**
 * `Ctx`: everything one request (or CLI command) acts with, passed explicitly — never fetched
 * from a module-level singleton. Built by `src/api/context.ts` for HTTP and by `systemCtx()` for
 * the CLI and jobs.
 */
import type { FhirStore, StoreReader, StoreTransaction } from '../store/store.ts';
import type { Principal } from './access/principal.ts';
import { errors } from '../fhir/outcome.ts';
import { systemClock, type Clock } from './clock.ts';
import type { AuditSink } from './audit/audit-sink.ts';
import type { AccountLinkSender } from './users/link-sender.ts';
import { guardWrites } from './write-rules/write-rules.ts';

export interface Ctx {
  /** The practice every read and write is scoped to. */
  readonly tenant: string;
  readonly principal: Principal;
  readonly store: FhirStore;
  readonly audit: AuditSink;
  /** Where the request came from, for the audit record. */
  readonly origin: { ip?: string; userAgent?: string };
  /** The open transaction when this ctx runs inside a transaction Bundle; otherwise undefined. */
  readonly tx?: StoreTransaction;
  /** Reports errors of work that outlives the request (e.g. a failure's audit entry); logged by the server. */
  readonly onBackgroundError?: (err: unknown) => void;
  /** The app's clock, for time limits (emergency access); the system clock when absent. */
  readonly clock?: Clock;
  /** Sends one-time account links (a portal invitation made from a chart); absent where the server sends none. */
  readonly linkSender?: AccountLinkSender;
  /** Drops this server's cached tokens of matching principals, so a revocation takes effect at once. */
  readonly forgetTokens?: (matches: (principal: Principal) => boolean) => void;
}

/**
 * Refuses an operation that keeps what it changes outside the FHIR store (grants, health links)
 * inside a transaction Bundle: it could neither join the Bundle's transaction nor roll back with
 * it (and on SQLite it would wait for the Bundle's own write lock).
 */
export function outsideTransaction(ctx: Ctx, operation: string): void {
  if (ctx.tx !== undefined) throw errors.notAllowed(`${operation} cannot be part of a transaction Bundle; send it on its own or in a batch`);
}

/** The current time (epoch ms) by the ctx's clock. */
export function nowOf(ctx: Ctx): number {
  return (ctx.clock ?? systemClock)();
}

/** Runs `fn` in the ctx's open transaction, or in a new one; either way its writes pass the write rules. */
export function withTransaction<T>(ctx: Ctx, fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
  return ctx.tx ? fn(ctx.tx) : ctx.store.transaction(ctx.tenant, (tx) => fn(guardWrites(ctx, tx)));
}

/** Reads through the open transaction (so a transaction sees its own writes) or committed data. */
export function reader(ctx: Ctx): StoreReader {
  return ctx.tx ?? ctx.store.reader(ctx.tenant);
}

/**
 * A ctx bound to an open transaction (a write and its audit entry, or the entries of a
 * transaction Bundle), whose writes pass the write rules (`write-rules/`).
 */
export function inTransaction(ctx: Ctx, tx: StoreTransaction): Ctx {
  return { ...ctx, tx: guardWrites(ctx, tx) };
}

/** The ctx for CLI commands and background jobs: acts as the system within one practice. */
export function systemCtx(store: FhirStore, tenant: string, audit: AuditSink): Ctx {
  return { tenant, store, audit, principal: { kind: 'system', id: 'heron-cli', tenant, scopes: ['system/*.*'] }, origin: {} };
}
