/**
 * The longest text Heron puts into one index column. Why a limit: PostgreSQL btree entries must
 * stay under ~2.7 kB, and 512 UTF-16 units are at most 2 kB in UTF-8. Index and query sides cut
 * at the same length so they still agree; only matches past the 512th character are lost.
 */
export const MAX_INDEXED_LENGTH = 512;

/** Cuts `text` to the indexed length, never splitting a surrogate pair. */
export function capLength(text: string): string {
  if (text.length <= MAX_INDEXED_LENGTH) return text;
  let end = MAX_INDEXED_LENGTH;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return text.slice(0, end);
}
