/**
 * Failure counters shared by every app server on one database, part of `AdminStore`: each key
 * (already hashed by the caller, so the table holds no address or client id) has one fixed window
 * with a failure count and the instant the window ends. Expired windows count for nothing and
 * are deleted by `prune`.
 */

export interface RateLimits {
  /** The keys among `keys` whose window is open at `now` and holds at least `maxFailures`, with its end (epoch ms). */
  overBudget(keys: readonly string[], maxFailures: number, now: number): Promise<Map<string, number>>;
  /**
   * Adds each key's count to its open window, or starts a window of `windowMs` at `now` for a
   * key whose window ended or that has none. One transaction for all keys.
   */
  add(counts: ReadonlyMap<string, number>, windowMs: number, now: number): Promise<void>;
  /** Deletes ended windows, then the earliest-ending ones beyond `maxKeys`; returns how many went. */
  prune(now: number, maxKeys: number): Promise<number>;
}
