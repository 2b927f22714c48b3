/**
 * A small seeded generator (mulberry32), so the demo's generated records are the same on every
 * machine and every run: tests can name what the chart shows.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `value` plus noise of at most `spread` either way, rounded to `decimals`. */
export function jitter(random: () => number, value: number, spread: number, decimals = 0): number {
  const f = 10 ** decimals;
  return Math.round((value + (random() * 2 - 1) * spread) * f) / f;
}
