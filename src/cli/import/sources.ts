/**
 * Expands the paths given to `heron import` into the files to read: files as given, directories
 * recursively (`*.json` and `*.ndjson`, in name order so runs are repeatable). Paths that do not
 * exist become failures rather than stopping the import.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImportFailure } from './import-unit.ts';

export interface ImportSources {
  files: string[];
  failures: ImportFailure[];
}

const IMPORTABLE = /\.(json|ndjson)$/i;

export function isNdjson(file: string): boolean {
  return /\.ndjson$/i.test(file);
}

export async function expandSources(paths: string[]): Promise<ImportSources> {
  const files: string[] = [];
  const failures: ImportFailure[] = [];
  for (const path of paths) {
    let kind: 'file' | 'dir';
    try {
      kind = (await stat(path)).isDirectory() ? 'dir' : 'file';
    } catch (error) {
      failures.push({ file: path, message: `cannot open: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
      continue;
    }
    if (kind === 'file') files.push(path);
    else files.push(...(await filesUnder(path)));
  }
  return { files, failures };
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await filesUnder(path)));
    else if (entry.isFile() && IMPORTABLE.test(entry.name)) files.push(path);
  }
  return files;
}
