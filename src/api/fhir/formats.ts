/**
 * Content negotiation and client preferences for the FHIR API: which representation the client
 * may get (`Accept`, `_format`, `_pretty`) and what it prefers back (`Prefer: return=…`,
 * `Prefer: handling=…`). Heron speaks FHIR JSON only, so negotiation is a yes/no question.
 * @see https://hl7.org/fhir/R4/http.html#mime-type
 * @see https://hl7.org/fhir/R4/http.html#ops
 */
import { FhirError } from '../../fhir/outcome.ts';

/** The media type of every FHIR response body. */
export const FHIR_JSON_CONTENT_TYPE = 'application/fhir+json; charset=utf-8';

const JSON_FORMATS: ReadonlySet<string> = new Set(['json', 'application/json', 'application/fhir+json', 'application/json+fhir']);
const ACCEPTABLE_RANGES: ReadonlySet<string> = new Set([...JSON_FORMATS, '*/*', 'application/*']);

/**
 * Throws `not-acceptable` (406) unless the client accepts FHIR JSON. `_format` overrides
 * `Accept`, as the spec says, so browsers can ask for JSON by URL.
 */
export function negotiate(accept: string | undefined, format: string | null): void {
  if (format !== null) {
    const wanted = format.split(';')[0].trim().toLowerCase();
    if (!JSON_FORMATS.has(wanted)) throw notAcceptable(`_format=${format}`);
    return;
  }
  if (accept === undefined || accept === '' || accept === 'application/fhir+json' || accept === 'application/json' || accept === '*/*') return;
  if (!acceptsJson(accept)) throw notAcceptable(`Accept: ${accept}`);
}

/** True when a media range with q > 0 in the Accept header covers FHIR JSON. */
export function acceptsJson(accept: string): boolean {
  for (const part of accept.split(',')) {
    const [range, ...params] = part.split(';');
    const type = range.trim().toLowerCase();
    if (!ACCEPTABLE_RANGES.has(type)) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) return true;
  }
  return false;
}

function notAcceptable(what: string): FhirError {
  return new FhirError('not-acceptable', `Heron returns FHIR JSON only (application/fhir+json); cannot satisfy ${what}`);
}

/** `_pretty=true` asks for indented output. */
export function isPretty(pretty: string | null): boolean {
  return pretty === 'true';
}

/** Serialises a response body; plain `JSON.stringify` keeps the read path fast. */
export function serialise(body: unknown, pretty: boolean): string {
  return pretty ? JSON.stringify(body, null, 2) : JSON.stringify(body);
}

export type ReturnPreference = 'minimal' | 'representation' | 'OperationOutcome';
export type HandlingPreference = 'strict' | 'lenient';

export interface Preferences {
  return?: ReturnPreference;
  handling?: HandlingPreference;
}

/**
 * Parses `Prefer` (RFC 7240): `return=minimal, handling=strict` or `;`-separated. Unknown or
 * malformed preferences are ignored, as RFC 7240 requires.
 */
export function parsePrefer(header: string | undefined): Preferences {
  const result: Preferences = {};
  if (!header) return result;
  for (const part of header.split(/[,;]/)) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    const value = part
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (name === 'return' && (value === 'minimal' || value === 'representation' || value === 'OperationOutcome')) result.return = value;
    if (name === 'handling' && (value === 'strict' || value === 'lenient')) result.handling = value;
  }
  return result;
}
