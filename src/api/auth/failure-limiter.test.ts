/**
 * The shared failure limiter over an in-memory stand-in for the database counters: budgets per
 * key, fixed windows, one write per moment for many failures, the memory of blocked keys never
 * blocking a key that is not over, and limiters kept apart by name.
 */
import { describe, expect, it } from 'vitest';
import type { RateLimits } from '../../store/rate-limits.ts';
import { createFailureLimiter, memoryRateLimits } from './failure-limiter.ts';

function countingStore(): RateLimits & { adds: number; reads: number } {
  const inner = memoryRateLimits();
  const store = {
    adds: 0,
    reads: 0,
    overBudget: (...args: Parameters<RateLimits['overBudget']>) => {
      store.reads++;
      return inner.overBudget(...args);
    },
    add: (...args: Parameters<RateLimits['add']>) => {
      store.adds++;
      return inner.add(...args);
    },
    prune: inner.prune,
  };
  return store;
}

describe('failure limiter', () => {
  it('blocks a key at its budget until the window ends, and no other key', async () => {
    let now = 1_000_000;
    const store = countingStore();
    const limiter = createFailureLimiter(store, 'test', { maxFailures: 3, windowMs: 60_000, now: () => now });
    for (let i = 0; i < 2; i++) await limiter.recordFailure(['client:a', 'ip:1']);
    expect(await limiter.blockedFor(['client:a', 'ip:1'])).toBeUndefined();
    await limiter.recordFailure(['client:a', 'ip:2']);
    now += 1_500;
    expect(await limiter.blockedFor(['client:a', 'ip:9'])).toBe(59);
    // ip:1 has 2 and client:b none: remembering that client:a is blocked must not block them.
    expect(await limiter.blockedFor(['client:b', 'ip:1'])).toBeUndefined();
    // Known blocked: answered without asking the database again.
    const reads = store.reads;
    expect(await limiter.blockedFor(['client:a'])).toBe(59);
    expect(store.reads).toBe(reads);
    now += 60_000;
    expect(await limiter.blockedFor(['client:a'])).toBeUndefined();
  });

  it('writes the failures of one moment in one call, counting each', async () => {
    const store = countingStore();
    const limiter = createFailureLimiter(store, 'test', { maxFailures: 5 });
    await Promise.all(Array.from({ length: 5 }, () => limiter.recordFailure(['ip:7'])));
    expect(store.adds).toBe(1);
    expect(await limiter.blockedFor(['ip:7'])).toBeGreaterThan(0);
  });

  it('keeps limiters with different names apart in one store, and stores no raw key', async () => {
    const store = countingStore();
    const signIn = createFailureLimiter(store, 'sign-in', { maxFailures: 1 });
    const reset = createFailureLimiter(store, 'password-reset', { maxFailures: 1 });
    await signIn.recordFailure(['ip:1']);
    expect(await signIn.blockedFor(['ip:1'])).toBeGreaterThan(0);
    expect(await reset.blockedFor(['ip:1'])).toBeUndefined();
    expect(await store.overBudget(['ip:1'], 1, Date.now())).toEqual(new Map());
  });

  it('a failing write fails the callers that waited for it', async () => {
    const store = { ...memoryRateLimits(), add: async () => Promise.reject(new Error('database down')) };
    await expect(createFailureLimiter(store, 'test').recordFailure(['ip:1'])).rejects.toThrow('database down');
  });
});
