/** Shared failure counters: fixed windows, atomic counting across store instances, expiry and the bound. */
import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import type { Harness } from './harness.ts';

export function rateLimitsSuite(h: Harness): void {
  describe('rate limits', () => {
    const one = (key: string, n = 1) => new Map([[key, n]]);

    h.test('rate limits: a window counts failures until it ends, then starts again', async () => {
      const limits = (await h.store()).admin.rateLimits;
      const [a, b] = [randomUUID(), randomUUID()];
      await limits.add(one(a, 2), 1000, 10_000);
      await limits.add(new Map([[a, 1], [b, 1]]), 1000, 10_500);
      expect(await limits.overBudget([a, b], 3, 10_600)).toEqual(new Map([[a, 11_000]]));
      expect(await limits.overBudget([a, b], 1, 10_600)).toEqual(new Map([[a, 11_000], [b, 11_500]]));
      // Ended: counts for nothing, and the next failure opens a fresh window of one.
      expect(await limits.overBudget([a], 1, 11_000)).toEqual(new Map());
      await limits.add(one(a), 1000, 11_200);
      expect(await limits.overBudget([a], 2, 11_300)).toEqual(new Map());
      expect(await limits.overBudget([a], 1, 11_300)).toEqual(new Map([[a, 12_200]]));
      expect(await limits.overBudget([], 1, 0)).toEqual(new Map());
    });

    h.test('rate limits: concurrent failures on two store instances all count', async () => {
      const first = await h.store();
      const second = await h.open();
      try {
        await second.migrate();
        const key = randomUUID();
        const other = randomUUID();
        const now = 50_000;
        await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? first : second).admin.rateLimits.add(new Map([[key, 1], [other, 2]]), 60_000, now)));
        expect(await first.admin.rateLimits.overBudget([key], 20, now)).toEqual(new Map([[key, 110_000]]));
        expect(await first.admin.rateLimits.overBudget([key], 21, now)).toEqual(new Map());
        expect(await second.admin.rateLimits.overBudget([other], 40, now)).toEqual(new Map([[other, 110_000]]));
      } finally {
        await second.close();
      }
    });

    h.test('rate limits: prune deletes ended windows, then the earliest-ending beyond the bound', async () => {
      const limits = (await h.store()).admin.rateLimits;
      // Far in the future, so that this test's windows outlive every other test's.
      const base = 9_000_000_000_000;
      const keys = Array.from({ length: 5 }, () => randomUUID());
      for (const [i, key] of keys.entries()) await limits.add(one(key), 1000 + i * 1000, base);
      await limits.prune(base + 2500, 1_000_000);
      const live = await limits.overBudget(keys, 1, base + 2500);
      expect([...live.keys()].sort()).toEqual(keys.slice(2).sort());
      await limits.prune(base + 2500, 1);
      expect([...(await limits.overBudget(keys, 1, base + 2500)).keys()]).toEqual([keys[4]]);
    });
  });
}
