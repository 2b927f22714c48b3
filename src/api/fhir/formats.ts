/**
 * Content negotiation and client preferences for the FHIR API: which representation the client
 * may get (`Accept`, `_format`, `_pretty`) and what it prefers back (`Prefer: return=…`,
 * `Prefer: handling=…`). Heron speaks FHIR JSON; the audit report (AuditEvent search) can also
 * be had as CSV, so there negotiation picks one of two.
 * @see https://hl7.org/fhir/R4/http.html#mime-type
 * @see https://hl7.org/fhir/R4/http.html#ops
 */
import { FhirError } from '../../fhir/outcome.ts';

/** The media type of every FHIR response body. */
export const FHIR_JSON_CONTENT_TYPE = 'application/fhir+json; charset=utf-8';

const JSON_FORMATS: ReadonlySet<string> = new Set(['json', 'application/json', 'application/fhir+json', 'application/json+fhir']);
const ACCEPTABLE_RANGES: ReadonlySet<string> = new Set([...JSON_FORMATS, '*/*', 'application/*']);

/** What a response is written as: FHIR JSON, or CSV where it is offered (the audit report). */
export type Representation = 'fhir-json' | 'csv';

const CSV_FORMATS: ReadonlySet<string> = new Set(['csv', 'text/csv']);

/**
 * Picks the representation, or throws `not-acceptable` (406) when the client accepts none that
 * is offered. `_format` overrides `Accept`, as the spec says, so browsers can ask by URL. With
 * `Accept`, the higher quality wins; at equal quality CSV only when named and JSON only reached
 * through a wildcard, so a wildcard alone still means FHIR JSON.
 */
export function negotiate(accept: string | undefined, format: string | null, offers: { csv?: boolean } = {}): Representation {
  if (format !== null) {
    const wanted = format.split(';')[0].trim().toLowerCase();
    if (JSON_FORMATS.has(wanted)) return 'fhir-json';
    if (offers.csv && CSV_FORMATS.has(wanted)) return 'csv';
    throw notAcceptable(`_format=${format}`, offers);
  }
  if (accept === undefined || accept === '' || accept === 'application/fhir+json' || accept === 'application/json' || accept === '*/*') return 'fhir-json';
  if (offers.csv) {
    const ranges = mediaRanges(accept);
    const json = quality(ranges, JSON_FORMATS, 'application/*');
    const csv = quality(ranges, CSV_FORMATS, 'text/*');
    if (csv.q > json.q || (csv.q > 0 && csv.q === json.q && csv.named && !json.named)) return 'csv';
    if (json.q > 0) return 'fhir-json';
  } else if (acceptsJson(accept)) return 'fhir-json';
  throw notAcceptable(`Accept: ${accept}`, offers);
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

function mediaRanges(accept: string): { type: string; q: number }[] {
  return accept.split(',').map((part) => {
    const [range, ...params] = part.split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = q === undefined ? 1 : Number(q.slice(2));
    return { type: range.trim().toLowerCase(), q: Number.isFinite(value) ? value : 0 };
  });
}

/** The quality the client gives a representation: its most specific matching range decides (RFC 9110 §12.5.1). */
function quality(ranges: readonly { type: string; q: number }[], names: ReadonlySet<string>, family: string): { q: number; named: boolean } {
  const named = ranges.filter((r) => names.has(r.type));
  if (named.length > 0) return { q: Math.max(...named.map((r) => r.q)), named: true };
  const wildcard = ranges.find((r) => r.type === family) ?? ranges.find((r) => r.type === '*/*');
  return { q: wildcard?.q ?? 0, named: false };
}

function notAcceptable(what: string, offers: { csv?: boolean }): FhirError {
  const csv = offers.csv ? ' or CSV (text/csv)' : '';
  return new FhirError('not-acceptable', `Heron returns FHIR JSON (application/fhir+json)${csv} here; cannot satisfy ${what}`);
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
