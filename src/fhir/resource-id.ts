/**
 * Server-assigned resource ids: UUID version 7 (RFC 9562), a millisecond timestamp followed by
 * 74 random bits. Still unguessable, but ids made close in time sort close together, so new rows
 * land at the right edge of every index keyed by id instead of on a random page: a bundle import
 * dirties a few pages per index rather than one per row (measured: see docs/performance.md).
 * @see https://www.rfc-editor.org/rfc/rfc9562#name-uuid-version-7
 */
export function newResourceId(now: number = Date.now()): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  let ms = now;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = (bytes[6] & 0x0f) | 0x70; // version 7
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
