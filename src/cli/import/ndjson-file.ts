/**
 * Reads an `.ndjson` import file (one resource per line, as FHIR Bulk Data writes them) as a
 * stream, grouping valid lines into transactions of `chunkSize` so a large export neither sits
 * in memory at once nor costs one database commit per resource. Bad lines are reported with
 * their line number and do not stop the rest.
 * @see https://hl7.org/fhir/uv/bulkdata/export.html#file-format
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Resource } from '@medplum/fhirtypes';
import { asResource, ImportProblem, transactionOf, type ImportItem } from './import-unit.ts';
import { parseJson } from './parse-json.ts';

export const DEFAULT_CHUNK_SIZE = 500;

export async function* readNdjsonFile(file: string, chunkSize = DEFAULT_CHUNK_SIZE): AsyncGenerator<ImportItem> {
  let resources: Resource[] = [];
  let lines: number[] = [];
  let lineNumber = 0;
  const input = createReadStream(file, { encoding: 'utf8' });
  const reader = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const rawLine of reader) {
      lineNumber++;
      const line = lineNumber === 1 && rawLine.charCodeAt(0) === 0xfeff ? rawLine.slice(1) : rawLine;
      if (line.trim() === '') continue;
      const parsed = parseJson(line);
      if (!parsed.ok) {
        yield { failure: { file, line: lineNumber, column: parsed.column, message: parsed.message } };
        continue;
      }
      try {
        resources.push(asResource(parsed.value, 'the line'));
        lines.push(lineNumber);
      } catch (error) {
        if (!(error instanceof ImportProblem)) throw error;
        yield { failure: { file, line: lineNumber, message: error.message } };
        continue;
      }
      if (resources.length >= chunkSize) {
        yield { unit: { file, bundle: transactionOf(resources), entryLines: lines } };
        resources = [];
        lines = [];
      }
    }
  } finally {
    reader.close();
    input.destroy();
  }
  if (resources.length > 0) yield { unit: { file, bundle: transactionOf(resources), entryLines: lines } };
}
