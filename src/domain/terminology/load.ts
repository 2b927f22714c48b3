/**
 * Loading a code system release into the terminology store: the file's layout is recognised by
 * its first line, its concepts are written in batches (one transaction each), and the
 * CodeSystem resource is written last with the count now loaded. Heron's value sets are defined
 * first, so every batch joins them as it is written.
 */
import type { Readable } from 'node:stream';
import { errors } from '../../fhir/outcome.ts';
import type { TermConcept, TerminologyStore } from '../../store/terminology.ts';
import { CODE_SYSTEMS, codeSystemResource, type CodeSystemKey } from './code-systems.ts';
import { formatOf, RELEASE_FORMATS } from './formats/index.ts';
import { linesOf } from './formats/release-format.ts';
import { VALUE_SETS, valueSetResource } from './value-sets.ts';

/** Concepts per transaction: big enough to amortise a commit, small enough to keep one short. */
const BATCH = 2000;

export interface LoadResult {
  system: CodeSystemKey;
  format: string;
  /** Concepts read from the file (and written). */
  concepts: number;
  /** Concepts of the system in the store afterwards (a release adds to or replaces what was there). */
  total: number;
}

/**
 * Writes Heron's ValueSet resources and their rules, where missing or changed. Redefining a value
 * set recomputes its members, so an unchanged one is left alone.
 */
export async function ensureValueSets(store: TerminologyStore): Promise<void> {
  for (const info of VALUE_SETS) {
    const content = JSON.stringify(valueSetResource(info));
    const stored = await store.getResource('ValueSet', { url: info.url });
    if (stored?.content === content) continue;
    await store.defineValueSet(info.url, info.rules);
    await store.putResource({ resourceType: 'ValueSet', url: info.url, id: info.id, content });
  }
}

/** Loads one file of `system`; `open` returns a new stream of the whole file on every call. */
export async function loadRelease(
  store: TerminologyStore,
  system: CodeSystemKey,
  open: () => Readable,
  options: { version?: string; onProgress?: (concepts: number) => void } = {},
): Promise<LoadResult> {
  const firstLine = await firstLineOf(open());
  const format = formatOf(system, firstLine);
  if (format === undefined) {
    const known = RELEASE_FORMATS[system].map((f) => f.name).join('; ');
    throw errors.invalid(`The file is not in a layout Heron reads for ${system} (first line: ${JSON.stringify(firstLine.slice(0, 80))}). Known layouts: ${known}`);
  }
  await ensureValueSets(store);
  let batch: TermConcept[] = [];
  let concepts = 0;
  for await (const concept of format.read(open)) {
    batch.push(concept);
    if (batch.length === BATCH) {
      await store.putConcepts(batch);
      concepts += batch.length;
      batch = [];
      options.onProgress?.(concepts);
    }
  }
  if (batch.length > 0) {
    await store.putConcepts(batch);
    concepts += batch.length;
    options.onProgress?.(concepts);
  }
  const info = CODE_SYSTEMS[system];
  const total = await store.countConcepts(info.url);
  await store.putResource({ resourceType: 'CodeSystem', url: info.url, id: info.id, content: JSON.stringify(codeSystemResource(info, total, options.version)) });
  return { system, format: format.name, concepts, total };
}

async function firstLineOf(input: Readable): Promise<string> {
  try {
    for await (const line of linesOf(input)) if (line.trim() !== '') return line;
    return '';
  } finally {
    input.destroy();
  }
}
