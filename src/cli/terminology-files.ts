/**
 * The terminology subsets Heron ships (the repository's `terminology/` folder) and loading them,
 * for `heron terminology load --shipped` and the demo's first start.
 */
import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { CODE_SYSTEM_KEYS, CODE_SYSTEMS } from '../domain/terminology/code-systems.ts';
import { loadRelease, type LoadResult } from '../domain/terminology/load.ts';
import type { TerminologyStore } from '../store/terminology.ts';

export const SHIPPED_TERMINOLOGY_DIR = fileURLToPath(new URL('../../terminology/', import.meta.url));

/** Loads every shipped subset (each replaces the concepts with the same codes). */
export async function loadShippedTerminology(store: TerminologyStore, onLoaded?: (result: LoadResult) => void): Promise<LoadResult[]> {
  const results: LoadResult[] = [];
  for (const key of CODE_SYSTEM_KEYS) {
    const file = join(SHIPPED_TERMINOLOGY_DIR, CODE_SYSTEMS[key].shipped);
    const result = await loadRelease(store, key, () => createReadStream(file));
    onLoaded?.(result);
    results.push(result);
  }
  return results;
}
