/**
 * Parses one JSON text from an import file with the API's own strict checks (`scanJson`:
 * duplicate keys, nesting depth, `__proto__`/`constructor.prototype` keys, syntax with a line
 * and column), so a file is accepted by `heron import` exactly when its content would be accepted
 * as an HTTP request body.
 */
import sjson from 'secure-json-parse';
import { DEFAULT_BODY_LIMITS } from '../../api/fhir/body.ts';
import { scanJson } from '../../api/fhir/strict-json.ts';
import { FhirError } from '../../fhir/outcome.ts';

export type ParsedJson = { ok: true; value: unknown } | { ok: false; message: string; line?: number; column?: number };

/** `scanJson` reports the position inside its message; take it out so it can lead the report. */
const POSITION = / at line (\d+) column (\d+) \(position \d+\)$/;

export function parseJson(text: string): ParsedJson {
  try {
    scanJson(text, DEFAULT_BODY_LIMITS.maxDepth);
    return { ok: true, value: sjson.parse(text, null, { protoAction: 'error', constructorAction: 'error' }) };
  } catch (error) {
    if (error instanceof FhirError) {
      const message = error.issues.map((i) => i.diagnostics).join('; ');
      const position = POSITION.exec(message);
      if (!position) return { ok: false, message };
      return { ok: false, message: message.slice(0, position.index), line: Number(position[1]), column: Number(position[2]) };
    }
    if (error instanceof SyntaxError) return { ok: false, message: `Invalid JSON: ${error.message}` };
    throw error;
  }
}
