/**
 * Parses one JSON text from an import file with the API's own strict checks (`scanJson`:
 * duplicate keys, nesting depth, `__proto__`/`constructor.prototype` keys, syntax with a line
 * and column), so a file is accepted by `heron import` exactly when its content would be accepted
 * as an HTTP request body.
 *
 * The check and the parse are also offered apart (`checkJson`, `parseCheckedJson`) because the
 * importer checks whole files on a reader thread and only parses on the main thread, where the
 * objects are needed (see `json-file-reader.ts`).
 */
import sjson from 'secure-json-parse';
import { DEFAULT_BODY_LIMITS } from '../../api/fhir/body.ts';
import { scanJson } from '../../api/fhir/strict-json.ts';
import { FhirError } from '../../fhir/outcome.ts';

/** Why a text was refused, with the position when one is known. */
export interface JsonProblem {
  message: string;
  line?: number;
  column?: number;
}

export type ParsedJson = { ok: true; value: unknown } | ({ ok: false } & JsonProblem);

/** `scanJson` reports the position inside its message; take it out so it can lead the report. */
const POSITION = / at line (\d+) column (\d+) \(position \d+\)$/;

/** Checks a text and parses it. */
export function parseJson(text: string): ParsedJson {
  const problem = checkJson(text);
  return problem ? { ok: false, ...problem } : parseCheckedJson(text);
}

/** `scanJson`'s checks alone: undefined when the text is acceptable. Builds no objects. */
export function checkJson(text: string): JsonProblem | undefined {
  try {
    scanJson(text, DEFAULT_BODY_LIMITS.maxDepth);
    return undefined;
  } catch (error) {
    if (!(error instanceof FhirError)) throw error;
    const message = error.issues.map((i) => i.diagnostics).join('; ');
    const position = POSITION.exec(message);
    if (!position) return { message };
    return { message: message.slice(0, position.index), line: Number(position[1]), column: Number(position[2]) };
  }
}

/**
 * Parses a text `checkJson` accepted. secure-json-parse refuses prototype keys a second time,
 * as the API's body parser does, so the guarantee does not rest on the scanner alone.
 */
export function parseCheckedJson(text: string): ParsedJson {
  try {
    return { ok: true, value: sjson.parse(text, null, { protoAction: 'error', constructorAction: 'error' }) };
  } catch (error) {
    if (error instanceof SyntaxError) return { ok: false, message: `Invalid JSON: ${error.message}` };
    throw error;
  }
}
