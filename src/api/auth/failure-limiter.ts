/**
 * Slows down secret guessing at the token endpoint: after too many failed client
 * authentications for one client id or one IP address within a window, further attempts are
 * refused with 429 until the window ends — without running the (deliberately slow) hash check.
 *
 * Counts live in memory, per app server: behind a load balancer with N servers an attacker gets
 * up to N times the budget. That is acceptable for 256-bit random secrets; a shared limiter can
 * replace this behind the same two methods.
 */

export interface FailureLimiterOptions {
  /** Failures allowed per key within one window. */
  maxFailures?: number;
  windowMs?: number;
  /** Bound on remembered keys, so a flood of distinct ids cannot exhaust memory. */
  maxKeys?: number;
  now?: () => number;
}

export interface FailureLimiter {
  /** Seconds until the caller may retry when any key is over its budget; otherwise undefined. */
  blockedFor(keys: readonly string[]): number | undefined;
  /** Counts one failure against every key. */
  recordFailure(keys: readonly string[]): void;
}

export function createFailureLimiter(options: FailureLimiterOptions = {}): FailureLimiter {
  const maxFailures = options.maxFailures ?? 10;
  const windowMs = options.windowMs ?? 60_000;
  const maxKeys = options.maxKeys ?? 10_000;
  const now = options.now ?? Date.now;
  const windows = new Map<string, { failures: number; resetAt: number }>();

  function prune(at: number): void {
    for (const [key, w] of windows) if (w.resetAt <= at) windows.delete(key);
    // Still full of live windows: forget the oldest (Map keeps insertion order).
    for (const key of windows.keys()) {
      if (windows.size < maxKeys) break;
      windows.delete(key);
    }
  }

  return {
    blockedFor(keys) {
      const at = now();
      let wait = 0;
      for (const key of keys) {
        const w = windows.get(key);
        if (w && w.resetAt > at && w.failures >= maxFailures) wait = Math.max(wait, w.resetAt - at);
      }
      return wait > 0 ? Math.ceil(wait / 1000) : undefined;
    },
    recordFailure(keys) {
      const at = now();
      for (const key of keys) {
        const w = windows.get(key);
        if (w && w.resetAt > at) {
          w.failures++;
          continue;
        }
        if (w) windows.delete(key);
        if (windows.size >= maxKeys) prune(at);
        windows.set(key, { failures: 1, resetAt: at + windowMs });
      }
    },
  };
}
