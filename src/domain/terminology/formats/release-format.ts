/**
 * A file layout a code system's concepts come in: Heron's shipped subsets (tab-separated with a
 * header) and each publisher's full-release file. A format recognises itself by the file's first
 * line, so `heron terminology load` needs no format option.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { TermConcept } from '../../../store/terminology.ts';

export interface ReleaseFormat {
  /** Shown by `heron terminology load` and in errors. */
  name: string;
  /** Whether a file whose first line (without BOM or line end) is `firstLine` has this layout. */
  matches(firstLine: string): boolean;
  /** The file's concepts; `open` gives a new stream of the whole file each call. */
  read(open: () => Readable): AsyncIterable<TermConcept>;
}

/** The lines of a text stream, without BOM or line ends. */
export async function* linesOf(input: Readable): AsyncIterable<string> {
  let first = true;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    yield first && line.startsWith('\ufeff') ? line.slice(1) : line;
    first = false;
  }
}

/** A tab-separated file with a header line, as records keyed by column name. */
export async function* tsvRecords(input: Readable): AsyncIterable<Record<string, string>> {
  let columns: string[] | undefined;
  for await (const line of linesOf(input)) {
    if (line === '') continue;
    const fields = line.split('\t');
    if (columns === undefined) {
      columns = fields.map((f) => f.trim());
      continue;
    }
    const record: Record<string, string> = {};
    columns.forEach((column, i) => (record[column] = (fields[i] ?? '').trim()));
    yield record;
  }
}

/** Whether a header line names these columns first, in this order. */
export function headerStartsWith(firstLine: string, columns: readonly string[]): boolean {
  const header = firstLine.split('\t').map((c) => c.trim().toLowerCase());
  return columns.every((c, i) => header[i] === c);
}
