/**
 * The terminology subsets Heron ships (the repository's `terminology/` folder) and loading them,
 * for `heron terminology load --shipped` and the demo's first start.
 */
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { CODE_SYSTEM_KEYS, CODE_SYSTEMS } from '../domain/terminology/code-systems.ts';
import { loadRelease, type LoadResult } from '../domain/terminology/load.ts';
import type { TerminologyStore } from '../store/terminology.ts';

export const SHIPPED_TERMINOLOGY_DIR = fileURLToPath(new URL('../../terminology/', import.meta.url));

export interface ShippedOptions {
  /** Where the subsets are; `SHIPPED_TERMINOLOGY_DIR` by default. A system whose file is not there is skipped. */
  dir?: string;
  /** Only the systems that have no concepts yet (a release an admin loaded is kept). */
  onlyMissing?: boolean;
  onLoaded?: (result: LoadResult) => void;
}

/** Loads the shipped subsets (each replaces the concepts with the same codes). */
export async function loadShippedTerminology(store: TerminologyStore, o: ShippedOptions = {}): Promise<LoadResult[]> {
  const dir = o.dir ?? SHIPPED_TERMINOLOGY_DIR;
  const results: LoadResult[] = [];
  for (const key of CODE_SYSTEM_KEYS) {
    const file = join(dir, CODE_SYSTEMS[key].shipped);
    if (o.dir !== undefined && !(await access(file).then(() => true, () => false))) continue;
    if (o.onlyMissing && (await store.countConcepts(CODE_SYSTEMS[key].url)) > 0) continue;
    const result = await loadRelease(store, key, () => createReadStream(file));
    o.onLoaded?.(result);
    results.push(result);
  }
  return results;
}
