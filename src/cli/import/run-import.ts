/**
 * Imports files through `dispatch`, the same transport-free path a FHIR client's POST to the
 * base URL takes, so imported data gets exactly the validation, id assignment, reference
 * rewriting, indexing and audit that API writes get. Files go one after another (each Bundle is
 * one database transaction); the next JSON file is read and checked on a reader thread while the
 * current one imports, and the R4 definitions are loaded before the clock starts (their one-time
 * load is reported on its own, not hidden in, nor inflating, the import's resources/s).
 */
import { FHIR_BASE_PATH } from '../../api/fhir/routes.ts';
import type { Ctx } from '../../domain/context.ts';
import { importUnit } from './import-unit-dispatch.ts';
import type { ImportFailure, ImportItem } from './import-unit.ts';
import { JsonFileReader } from './json-file-reader.ts';
import { DEFAULT_CHUNK_SIZE, readNdjsonFile } from './ndjson-file.ts';
import { preloadDefinitions } from './preload-definitions.ts';
import { isNdjson } from './sources.ts';
import type { Clock } from '../../domain/clock.ts';

export interface ImportProgressState {
  filesDone: number;
  totalFiles: number;
  resources: number;
  elapsedMs: number;
}

export interface ImportOptions {
  /** Resources per transaction for NDJSON files. */
  chunkSize?: number;
  /** Base URL for `fullUrl`s and links in responses; nothing is fetched from it. */
  baseUrl?: string;
  onProgress?: (state: ImportProgressState) => void;
  /** Awaited after each file, with whether everything in it was imported. */
  onFileDone?: (file: string, complete: boolean) => Promise<void>;
  /** Clock, for tests. */
  now?: Clock;
}

export interface ImportResult {
  files: number;
  /** Files with at least one failure. */
  filesWithFailures: number;
  resources: number;
  failures: ImportFailure[];
  /** Time spent importing; excludes `definitionsMs`. */
  elapsedMs: number;
  /** One-time load of the R4 definitions before the first file, reported separately. */
  definitionsMs: number;
}

export async function importFiles(ctx: Ctx, files: string[], options: ImportOptions = {}): Promise<ImportResult> {
  const now = options.now ?? (() => performance.now());
  // Started first: the thread sets itself up and reads the first file on the other core while
  // the definitions load.
  const reader = files.some((file) => !isNdjson(file)) ? new JsonFileReader() : undefined;
  try {
    const first = reader && files.length > 0 && !isNdjson(files[0]) ? reader.load(files[0]) : undefined;
    const loading = now();
    preloadDefinitions();
    const definitionsMs = now() - loading;
    return { ...(await importEach(ctx, files, options, now, reader, first)), definitionsMs };
  } finally {
    await reader?.close();
  }
}

async function importEach(
  ctx: Ctx,
  files: string[],
  options: ImportOptions,
  now: Clock,
  reader: JsonFileReader | undefined,
  first: Promise<ImportItem[]> | undefined,
): Promise<Omit<ImportResult, 'definitionsMs'>> {
  const started = now();
  const failures: ImportFailure[] = [];
  const failedFiles = new Set<string>();
  let resources = 0;
  const report = (filesDone: number) => options.onProgress?.({ filesDone, totalFiles: files.length, resources, elapsedMs: now() - started });
  const load = (file: string) => (reader as JsonFileReader).load(file);
  const itemsOf = (file: string, prefetched?: Promise<ImportItem[]>): AsyncIterable<ImportItem> | Promise<ImportItem[]> =>
    isNdjson(file) ? readNdjsonFile(file, options.chunkSize ?? DEFAULT_CHUNK_SIZE) : (prefetched ?? load(file));

  let prefetched = first;
  for (let i = 0; i < files.length; i++) {
    const file = files[i];
    const items = itemsOf(file, prefetched);
    const next = files[i + 1];
    prefetched = next !== undefined && !isNdjson(next) ? load(next) : undefined;
    const fileFailures: ImportFailure[] = [];
    try {
      for await (const item of await items) {
        if ('failure' in item) {
          fileFailures.push(item.failure);
          continue;
        }
        const outcome = await importUnit(ctx, item.unit, options.baseUrl ?? 'http://localhost' + FHIR_BASE_PATH);
        resources += outcome.imported;
        fileFailures.push(...outcome.failures);
        report(i);
      }
    } catch (error) {
      // Reading failed midway (e.g. file removed, I/O error): report it and go on with the next file.
      fileFailures.push({ file, message: `cannot read: ${(error as Error).message}` });
    }
    if (fileFailures.length > 0) failedFiles.add(file);
    failures.push(...fileFailures);
    await options.onFileDone?.(file, fileFailures.length === 0);
    report(i + 1);
  }
  return { files: files.length, filesWithFailures: failedFiles.size, resources, failures, elapsedMs: now() - started };
}
