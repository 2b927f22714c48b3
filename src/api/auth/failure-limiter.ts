/**
 * Slows down guessing: after too many failures for one key (a client id, an IP address) within a
 * window, further attempts are refused until the window ends — without running the
 * (deliberately slow) check. Sign-in, client authentication at the token endpoints, password-reset
 * requests and the audit of failed bearer tokens each use one.
 *
 * The counts live in the database (`store.admin.rateLimits`), so N app servers behind a load
 * balancer share one budget instead of giving an attacker N. Keys are hashed with the limiter's
 * name before they are stored: the table holds no address or client id, and an attacker's
 * 16 KiB client id costs one fixed-size row.
 *
 * A database round trip per failure is kept cheap two ways: the failures of one moment are
 * written together in one transaction (group commit), and a key known to be blocked is answered
 * from memory until its window ends (windows never end early), so a flood that is already
 * refused costs no database work at all.
 */
import { createHash } from 'node:crypto';
import type { RateLimits } from '../../store/rate-limits.ts';
import { groupCommit } from '../../domain/group-commit.ts';
import type { Clock } from '../../domain/clock.ts';

export interface FailureLimiterOptions {
  /** Failures allowed per key within one window. */
  maxFailures?: number;
  windowMs?: number;
  /** Bound on stored keys, so a flood of distinct ids cannot grow the table without end. */
  maxKeys?: number;
  /** Ended windows are deleted at most this often (per server). */
  pruneEveryMs?: number;
  now?: Clock;
}

export interface FailureLimiter {
  /** Seconds until the caller may retry when any key is over its budget; otherwise undefined. */
  blockedFor(keys: readonly string[]): Promise<number | undefined>;
  /** Counts one failure against every key; resolves once the count is committed. */
  recordFailure(keys: readonly string[]): Promise<void>;
}

/** Blocked keys remembered per server; beyond this, blocked keys are simply asked of the database again. */
const BLOCKED_CACHE = 10_000;

/**
 * A limiter over the shared counters. `name` keeps limiters with different budgets apart in the
 * one table (the same address may have a sign-in window and a token-endpoint window).
 */
export function createFailureLimiter(store: RateLimits, name: string, options: FailureLimiterOptions = {}): FailureLimiter {
  const maxFailures = options.maxFailures ?? 10;
  const windowMs = options.windowMs ?? 60_000;
  const maxKeys = options.maxKeys ?? 100_000;
  const pruneEveryMs = options.pruneEveryMs ?? 10_000;
  const now = options.now ?? Date.now;
  const blocked = new Map<string, number>();
  let nextPrune = 0;

  const hashed = (key: string) => createHash('sha256').update(name).update('\0').update(key).digest('base64url');

  const commit = countedCommit(async (counts) => {
    const at = now();
    await store.add(counts, windowMs, at);
    if (at >= nextPrune) {
      nextPrune = at + pruneEveryMs;
      await store.prune(at, maxKeys);
    }
  });

  return {
    async blockedFor(keys) {
      const at = now();
      const stored = keys.map(hashed);
      let until = 0;
      for (const key of stored) {
        const known = blocked.get(key);
        if (known === undefined) continue;
        if (known > at) until = Math.max(until, known);
        else blocked.delete(key);
      }
      if (until === 0) {
        for (const [key, end] of await store.overBudget(stored, maxFailures, at)) {
          until = Math.max(until, end);
          if (blocked.size >= BLOCKED_CACHE) blocked.clear();
          blocked.set(key, end);
        }
      }
      return until > at ? Math.ceil((until - at) / 1000) : undefined;
    },
    recordFailure(keys) {
      return commit(keys.map(hashed));
    },
  };
}

/** The failures of one moment, counted per key and written in one call (group commit). */
function countedCommit(write: (counts: ReadonlyMap<string, number>) => Promise<void>): (keys: readonly string[]) => Promise<void> {
  return groupCommit<readonly string[]>((batch) => {
    const counts = new Map<string, number>();
    for (const keys of batch) for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
    return write(counts);
  });
}

/**
 * The same counters in process memory, for unit tests whose store fakes have no database. Never
 * used by `buildApp`: a per-process count is exactly what the shared limiter replaces.
 */
export function memoryRateLimits(): RateLimits {
  const windows = new Map<string, { failures: number; resetAt: number }>();
  return {
    async overBudget(keys, maxFailures, at) {
      const over = new Map<string, number>();
      for (const key of keys) {
        const w = windows.get(key);
        if (w && w.resetAt > at && w.failures >= maxFailures) over.set(key, w.resetAt);
      }
      return over;
    },
    async add(counts, windowMs, at) {
      for (const [key, n] of counts) {
        const w = windows.get(key);
        if (w && w.resetAt > at) w.failures += n;
        else windows.set(key, { failures: n, resetAt: at + windowMs });
      }
    },
    async prune(at, maxKeys) {
      let removed = 0;
      for (const [key, w] of windows) if (w.resetAt <= at && windows.delete(key)) removed++;
      for (const key of windows.keys()) {
        if (windows.size <= maxKeys) break;
        windows.delete(key);
        removed++;
      }
      return removed;
    },
  };
}
