/** Shared failure counters in SQL (`rate_limits`, from migration 0007). */
import type { RateLimits } from '../rate-limits.ts';
import { stmt, type SqlDriver, type Stmt } from './dialect.ts';

/** Keys per INSERT; a flush under a flood of distinct addresses stays a few statements. */
const CHUNK = 200;

const PURGE = stmt('DELETE FROM rate_limits WHERE reset_at <= ?');
const COUNT = stmt('SELECT COUNT(*) AS n FROM rate_limits');
const EVICT = stmt('DELETE FROM rate_limits WHERE limit_key IN (SELECT limit_key FROM rate_limits ORDER BY reset_at, limit_key LIMIT ?)');

/** The blocked check for 1, 2, … keys: static text per arity, so it is prepared once. */
const blockedStatements = new Map<number, Stmt>();
function blockedStatement(arity: number): Stmt {
  let s = blockedStatements.get(arity);
  if (s === undefined) {
    s = stmt(`SELECT limit_key, reset_at FROM rate_limits WHERE limit_key IN (${Array(arity).fill('?').join(', ')}) AND failures >= ? AND reset_at > ?`);
    blockedStatements.set(arity, s);
  }
  return s;
}

/**
 * An open window keeps its end and gains the count; an ended one starts again. Both databases
 * evaluate SET against the row as it was, so `reset_at` in the first CASE is the old end.
 */
function upsert(rows: number): string {
  return (
    `INSERT INTO rate_limits (limit_key, failures, reset_at) VALUES ${Array(rows).fill('(?, ?, ?)').join(', ')} ` +
    'ON CONFLICT (limit_key) DO UPDATE SET ' +
    'failures = CASE WHEN rate_limits.reset_at > ? THEN rate_limits.failures + excluded.failures ELSE excluded.failures END, ' +
    'reset_at = CASE WHEN rate_limits.reset_at > ? THEN rate_limits.reset_at ELSE excluded.reset_at END'
  );
}
const FULL_CHUNK = stmt(upsert(CHUNK));

export function sqlRateLimits(driver: SqlDriver): RateLimits {
  return {
    async overBudget(keys, maxFailures, now) {
      const over = new Map<string, number>();
      if (keys.length === 0) return over;
      const rows = await driver.reader.all<{ limit_key: string; reset_at: number | string }>(blockedStatement(keys.length), [...keys, maxFailures, now]);
      for (const row of rows) over.set(row.limit_key, Number(row.reset_at));
      return over;
    },

    async add(counts, windowMs, now) {
      if (counts.size === 0) return;
      // Sorted, so two servers adding overlapping keys lock their rows in the same order (no deadlock).
      const keys = [...counts.keys()].sort();
      const resetAt = now + windowMs;
      // Counters are not worth a disk flush: a crash loses at most the last moments' counts.
      await driver.transaction(
        async (conn) => {
          for (let i = 0; i < keys.length; i += CHUNK) {
            const chunk = keys.slice(i, i + CHUNK);
            const params: unknown[] = [];
            for (const key of chunk) params.push(key, counts.get(key), resetAt);
            params.push(now, now);
            await conn.run(chunk.length === CHUNK ? FULL_CHUNK : upsert(chunk.length), params);
          }
        },
        { flush: false },
      );
    },

    async prune(now, maxKeys) {
      return driver.transaction(
        async (conn) => {
          let removed = await conn.run(PURGE, [now]);
          const left = Number((await conn.get<{ n: number | string }>(COUNT, []))?.n ?? 0);
          if (left > maxKeys) removed += await conn.run(EVICT, [left - maxKeys]);
          return removed;
        },
        { flush: false },
      );
    },
  };
}
