/**
 * `heron import FILE|DIR… --practice P`: loads FHIR data from files into one practice, showing
 * progress and ending with a summary. Bad files are reported by name and line and do not stop
 * the rest; the exit code is 1 if anything failed so scripts notice partial imports.
 */
import type { AuditSink } from '../../domain/audit/audit-sink.ts';
import { storeAuditSink } from '../../domain/audit/audit-sink.ts';
import { systemCtx } from '../../domain/context.ts';
import type { FhirStore } from '../../store/store.ts';
import { formatFailure } from '../import/import-unit.ts';
import { progressBar, ratePerSecond } from '../import/progress-bar.ts';
import { importFiles, type ImportOptions, type ImportResult } from '../import/run-import.ts';
import { expandSources } from '../import/sources.ts';
import { resolvePractice } from '../practice-ref.ts';
import type { Terminal } from '../terminal.ts';
import type { Clock } from '../../domain/clock.ts';

export interface ImportDeps {
  store: FhirStore;
  terminal: Terminal;
  /** Defaults to the store's audit log: imported records are audited like any other write. */
  audit?: AuditSink;
  now?: Clock;
}

export interface ImportCommandOptions {
  paths: string[];
  /** Practice id or name. */
  practice: string;
  chunkSize?: number;
  baseUrl?: string;
}

export async function importCommand(deps: ImportDeps, options: ImportCommandOptions): Promise<number> {
  const practice = await resolvePractice(deps.store, options.practice);
  const sources = await expandSources(options.paths);
  if (sources.files.length === 0 && sources.failures.length === 0) {
    deps.terminal.err(`No .json or .ndjson files found in: ${options.paths.join(', ')}`);
    return 1;
  }
  const result = await importIntoPractice(deps, practice.id, sources.files, options);
  result.failures.unshift(...sources.failures);
  printSummary(deps.terminal, { ...result, files: result.files + sources.failures.length, filesWithFailures: result.filesWithFailures + sources.failures.length });
  return result.failures.length === 0 ? 0 : 1;
}

/** Runs the import with a progress bar; shared with the demo loader of `heron serve --demo`. */
export async function importIntoPractice(
  deps: ImportDeps,
  practiceId: string,
  files: string[],
  options: Pick<ImportOptions, 'chunkSize' | 'baseUrl' | 'onFileDone'> = {},
): Promise<ImportResult> {
  const ctx = systemCtx(deps.store, practiceId, deps.audit ?? storeAuditSink(deps.store.audit));
  const bar = progressBar(deps.terminal.progressStream, files.length);
  let result: ImportResult;
  try {
    result = await importFiles(ctx, files, { ...options, now: deps.now, onProgress: (state) => bar.update(state) });
  } finally {
    bar.stop();
  }
  // The planner has not seen the new rows yet: without fresh statistics the first searches after
  // a bulk load can pick plans that take seconds (docs/search.md, planner statistics).
  await deps.store.refreshStatistics();
  return result;
}

/** The summary: counts on stdout (scripts may read them), each failure on stderr. */
export function printSummary(terminal: Terminal, result: ImportResult): void {
  const seconds = result.elapsedMs / 1000;
  terminal.out(`Files:       ${result.files}${result.filesWithFailures > 0 ? ` (${result.filesWithFailures} with failures)` : ''}`);
  terminal.out(`Resources:   ${result.resources}`);
  terminal.out(`Seconds:     ${seconds.toFixed(1)}`);
  terminal.out(`Resources/s: ${ratePerSecond(result.resources, result.elapsedMs)}`);
  terminal.out(`Failures:    ${result.failures.length}`);
  terminal.out(`Definitions: ${(result.definitionsMs / 1000).toFixed(1)} s, loaded once before the import (not in Seconds)`);
  for (const failure of result.failures) terminal.err(`  ${formatFailure(failure)}`);
}
