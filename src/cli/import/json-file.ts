/**
 * Reads a `.json` import file: one FHIR resource or Bundle. Never rejects — a file that cannot
 * be read or parsed becomes a failure item — so the importer can read the next file ahead while
 * the current one imports without risking an unhandled rejection.
 */
import { readFile } from 'node:fs/promises';
import { decodeUtf8 } from '../../api/fhir/body.ts';
import { FhirError } from '../../fhir/outcome.ts';
import { bundleForDocument, ImportProblem, type ImportItem } from './import-unit.ts';
import { parseJson } from './parse-json.ts';

export async function loadJsonFile(file: string): Promise<ImportItem[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    return [{ failure: { file, message: `cannot read: ${(error as Error).message}` } }];
  }
  try {
    let text = decodeUtf8(bytes);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const parsed = parseJson(text);
    if (!parsed.ok) return [{ failure: { file, line: parsed.line, column: parsed.column, message: parsed.message } }];
    return [{ unit: { file, bundle: bundleForDocument(parsed.value) } }];
  } catch (error) {
    if (error instanceof ImportProblem || error instanceof FhirError) return [{ failure: { file, message: error.message } }];
    // Anything else is a bug; it is still reported against the file (with its stack), not thrown,
    // because this promise may be read ahead and must not reject unobserved.
    return [{ failure: { file, message: (error as Error)?.stack ?? String(error) } }];
  }
}
