/**
 * Server-assigned resource ids: UUID version 7 (RFC 9562), a millisecond timestamp followed by
 * 74 random bits. Still unguessable, but ids made close in time sort close together, so new rows
 * land at the right edge of every index keyed by id instead of on a random page: a bundle import
 * dirties a few pages per index rather than one per row (measured: see docs/performance.md).
 * @see https://www.rfc-editor.org/rfc/rfc9562#name-uuid-version-7
 */

/** Ids per refill of the random pool. */
const POOL_IDS = 256;
/** Random bytes per id: the last 10 of the 16 (the first 6 are the timestamp). */
const RANDOM_BYTES = 10;

/**
 * Random bytes drawn in bulk: a bulk import makes tens of thousands of ids, and one
 * `getRandomValues` call per id cost more than the rest of making it. Each byte is used once.
 */
const pool = new Uint8Array(POOL_IDS * RANDOM_BYTES);
let poolOffset = pool.length;

/** `HEX[b]` is byte b as two lowercase hex digits. */
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

export function newResourceId(now: number = Date.now()): string {
  if (poolOffset === pool.length) {
    crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  const r = pool.subarray(poolOffset, poolOffset + RANDOM_BYTES);
  poolOffset += RANDOM_BYTES;
  // 48-bit big-endian millisecond timestamp, as 12 hex digits.
  const time = Math.floor(now).toString(16).padStart(12, '0').slice(-12);
  const version = HEX[(r[0] & 0x0f) | 0x70]; // version 7
  const variant = HEX[(r[2] & 0x3f) | 0x80]; // RFC 4122 variant
  return (
    `${time.slice(0, 8)}-${time.slice(8)}-${version}${HEX[r[1]]}-${variant}${HEX[r[3]]}-` +
    `${HEX[r[4]]}${HEX[r[5]]}${HEX[r[6]]}${HEX[r[7]]}${HEX[r[8]]}${HEX[r[9]]}`
  );
}
