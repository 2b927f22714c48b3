/**
 * Reads a `.json` import file: one FHIR resource or Bundle. In two steps, so the importer can run
 * the first on a reader thread (`json-file-reader.ts`): `readJsonFileText` reads, decodes and
 * checks the text (the bulk of the work, no objects built); `itemsOfJsonText` parses the checked
 * text into the unit to import. Neither rejects — a file that cannot be read or parsed becomes a
 * failure item — so a file read ahead can never cause an unhandled rejection.
 */
import { readFile } from 'node:fs/promises';
import { decodeUtf8 } from '../../api/fhir/body.ts';
import { FhirError } from '../../fhir/outcome.ts';
import { bundleForDocument, ImportProblem, type ImportFailure, type ImportItem } from './import-unit.ts';
import { checkJson, parseCheckedJson } from './parse-json.ts';

/** A file's checked JSON text, or why it cannot be imported. Plain data: it crosses threads. */
export type JsonFileText = { text: string } | { failure: ImportFailure };

/** Reads and checks a file: valid UTF-8 (a byte-order mark is dropped) and strict JSON. */
export async function readJsonFileText(file: string): Promise<JsonFileText> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    return { failure: { file, message: `cannot read: ${(error as Error).message}` } };
  }
  try {
    let text = decodeUtf8(bytes);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const problem = checkJson(text);
    if (problem) return { failure: { file, ...problem } };
    return { text };
  } catch (error) {
    return { failure: failureOf(file, error) };
  }
}

/** The unit to import from a text `readJsonFileText` accepted. */
export function itemsOfJsonText(file: string, text: string): ImportItem[] {
  try {
    const parsed = parseCheckedJson(text);
    if (!parsed.ok) return [{ failure: { file, line: parsed.line, column: parsed.column, message: parsed.message } }];
    return [{ unit: { file, bundle: bundleForDocument(parsed.value) } }];
  } catch (error) {
    return [{ failure: failureOf(file, error) }];
  }
}

/** Both steps on the calling thread. */
export async function loadJsonFile(file: string): Promise<ImportItem[]> {
  const read = await readJsonFileText(file);
  return 'failure' in read ? [read] : itemsOfJsonText(file, read.text);
}

function failureOf(file: string, error: unknown): ImportFailure {
  if (error instanceof ImportProblem || error instanceof FhirError) return { file, message: error.message };
  // Anything else is a bug; it is still reported against the file (with its stack), not thrown,
  // because this promise may be read ahead and must not reject unobserved.
  return { file, message: (error as Error)?.stack ?? String(error) };
}
