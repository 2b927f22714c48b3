/**
 * `heron terminology load` and `heron terminology list`: the code systems and value sets every
 * practice shares. `load --shipped` loads the subsets in the repository's `terminology/`
 * folder; `load <system> <files or directories>` loads a release an administrator downloaded
 * (each file's layout is recognised by its first line; in a directory, every file in a layout
 * Heron reads for the system is loaded). A release adds concepts and replaces those with the
 * same codes; nothing is deleted.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { CODE_SYSTEM_KEYS, CODE_SYSTEMS, codeSystemInfo, type CodeSystemKey } from '../../domain/terminology/code-systems.ts';
import { formatOf } from '../../domain/terminology/formats/index.ts';
import { linesOf } from '../../domain/terminology/formats/release-format.ts';
import { ensureValueSets, loadRelease, type LoadResult } from '../../domain/terminology/load.ts';
import { VALUE_SETS } from '../../domain/terminology/value-sets.ts';
import type { FhirStore } from '../../store/store.ts';
import { UsageError } from '../config.ts';
import type { Terminal } from '../terminal.ts';
import { loadShippedTerminology } from '../terminology-files.ts';

export interface TerminologyDeps {
  store: FhirStore;
  terminal: Terminal;
}

export interface TerminologyLoadOptions {
  system?: string;
  paths: string[];
  shipped?: boolean;
  version?: string;
  json?: boolean;
}

export async function terminologyLoadCommand(deps: TerminologyDeps, o: TerminologyLoadOptions): Promise<number> {
  const started = Date.now();
  const results: (LoadResult & { file?: string; seconds: number })[] = [];
  const report = (result: LoadResult, file: string | undefined, since: number) => {
    const seconds = (Date.now() - since) / 1000;
    results.push({ ...result, file, seconds });
    if (!o.json) {
      deps.terminal.out(`Loaded ${result.concepts.toLocaleString('en-US')} ${result.system} concepts${file ? ` from ${file}` : ''} (${result.format}) in ${seconds.toFixed(1)} s; ${CODE_SYSTEMS[result.system].url} now has ${result.total.toLocaleString('en-US')}.`);
    }
  };
  if (o.shipped) {
    if (o.system !== undefined || o.paths.length > 0) throw new UsageError('--shipped loads the subsets Heron ships: give no system or files with it');
    let since = Date.now();
    await loadShippedTerminology(deps.store.terminology, {
      onLoaded: (result) => {
        report(result, CODE_SYSTEMS[result.system].shipped, since);
        since = Date.now();
      },
    });
  } else {
    const system = systemKey(o.system);
    if (o.paths.length === 0) throw new UsageError(`Give the ${system} release file(s) or directories to load, or use --shipped`);
    const files = await releaseFiles(system, o.paths);
    if (files.length === 0) throw new UsageError(`No file in a layout Heron reads for ${system} was found in ${o.paths.join(', ')} (see docs/terminology.md)`);
    for (const file of files) {
      const since = Date.now();
      let shown = 0;
      const result = await loadRelease(deps.store.terminology, system, () => createReadStream(file), {
        version: o.version,
        onProgress: (n) => {
          if (!o.json && n - shown >= 50_000) {
            deps.terminal.err(`  ${n.toLocaleString('en-US')} concepts…`);
            shown = n;
          }
        },
      });
      report(result, file, since);
    }
  }
  // The new rows would otherwise be planned for with statistics of an empty table.
  await deps.store.refreshStatistics();
  if (o.json) deps.terminal.out(JSON.stringify({ loaded: results, seconds: (Date.now() - started) / 1000 }));
  return 0;
}

export async function terminologyListCommand(deps: TerminologyDeps, o: { json?: boolean }): Promise<number> {
  await ensureValueSets(deps.store.terminology);
  const systems = [];
  for (const key of CODE_SYSTEM_KEYS) {
    const info = CODE_SYSTEMS[key];
    const stored = await deps.store.terminology.getResource('CodeSystem', { url: info.url });
    const version = stored === undefined ? undefined : (JSON.parse(stored.content) as { version?: string }).version;
    systems.push({ system: key, url: info.url, concepts: await deps.store.terminology.countConcepts(info.url), version });
  }
  const valueSets = [];
  for (const vs of VALUE_SETS) valueSets.push({ id: vs.id, url: vs.url, title: vs.title, concepts: (await deps.store.terminology.expand(vs.url, undefined, { offset: 0, count: 0 })).total ?? 0 });
  if (o.json) {
    deps.terminal.out(JSON.stringify({ codeSystems: systems, valueSets }));
    return 0;
  }
  deps.terminal.out('Code systems:');
  for (const s of systems) deps.terminal.out(`  ${s.system.padEnd(10)} ${s.url.padEnd(45)} ${s.concepts.toLocaleString('en-US').padStart(9)} concepts${s.version ? ` (version ${s.version})` : ''}`);
  deps.terminal.out('Value sets:');
  for (const v of valueSets) deps.terminal.out(`  ${v.url.padEnd(52)} ${v.concepts.toLocaleString('en-US').padStart(9)} concepts  ${v.title}`);
  return 0;
}

function systemKey(name: string | undefined): CodeSystemKey {
  const info = name === undefined ? undefined : codeSystemInfo(name);
  if (info === undefined) throw new UsageError(`Name the code system to load: one of ${CODE_SYSTEM_KEYS.join(', ')} (or use --shipped)${name === undefined ? '' : `; not ${JSON.stringify(name)}`}`);
  return info.key;
}

/** The files to load: those named, and in directories those whose first line is a layout of `system`. */
async function releaseFiles(system: CodeSystemKey, paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (info === undefined) throw new UsageError(`${path}: no such file or directory`);
    if (info.isFile()) {
      files.push(path);
      continue;
    }
    const entries = (await readdir(path, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
    const candidates = entries.map((e) => join(e.parentPath, e.name)).sort();
    for (const file of candidates) if (formatOf(system, await firstLine(file)) !== undefined) files.push(file);
    if (candidates.length > 0 && files.length === 0) throw new UsageError(`No file under ${path} is in a layout Heron reads for ${system} (looked at ${candidates.map((f) => relative(path, f)).slice(0, 5).join(', ')}…)`);
  }
  return files;
}

async function firstLine(file: string): Promise<string> {
  const input = createReadStream(file, { end: 64 * 1024 });
  try {
    for await (const line of linesOf(input)) if (line.trim() !== '') return line;
    return '';
  } finally {
    input.destroy();
  }
}
