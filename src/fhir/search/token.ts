/**
 * Token search: index and query normalisation in one place so they agree.
 * A token is `system|code` plus a display text for `:text`. Codes are kept as written (tokens are
 * case-sensitive); texts are normalised like strings.
 * @see https://hl7.org/fhir/R4/search.html#token
 */
import { FhirError, issue } from '../outcome.ts';
import type { TypedValue } from '../fhirpath.ts';
import { splitUnescaped, unescapeSearch } from './escape.ts';
import { capLength } from './index-limits.ts';
import { normaliseString } from './string.ts';
import type { IndexRow, SearchValue } from './types.ts';

type Emit = (row: IndexRow) => void;

/**
 * Emits the token rows of a value. `implicitSystem` is the code system a bare `code` element is
 * bound to (e.g. administrative-gender), so `gender=http://hl7.org/fhir/administrative-gender|male`
 * matches as well as `gender=male`.
 */
export function indexToken(param: string, value: TypedValue, emit: Emit, implicitSystem?: string): void {
  const v = value.value;
  switch (typeof v) {
    case 'string':
      if (v.length > 0) emit(row(param, implicitSystem ?? null, v, null));
      return;
    case 'boolean':
      emit(row(param, null, String(v), null));
      return;
    case 'number':
      emit(row(param, null, String(v), null));
      return;
    case 'object':
      if (v) indexObject(param, value.type, v as Record<string, unknown>, emit);
      return;
  }
}

function indexObject(param: string, type: string, o: Record<string, unknown>, emit: Emit): void {
  switch (type) {
    case 'Coding':
      indexCoding(param, o, emit);
      return;
    case 'CodeableConcept': {
      const codings = Array.isArray(o.coding) ? o.coding : [];
      const displays = new Set<string>();
      for (const c of codings) {
        if (c && typeof c === 'object') {
          const display = indexCoding(param, c as Record<string, unknown>, emit);
          if (display) displays.add(display);
        }
      }
      const text = str(o.text);
      // A separate text row only when it says something the codings' displays do not.
      if (text && !displays.has(normaliseString(text))) emit({ kind: 'token', param, system: null, code: null, text: normaliseString(text) });
      return;
    }
    case 'Identifier': {
      const typeText = o.type && typeof o.type === 'object' ? str((o.type as Record<string, unknown>).text) : undefined;
      const value = str(o.value);
      if (value || typeText) emit(row(param, str(o.system) ?? null, value ?? null, typeText ? normaliseString(typeText) : null));
      return;
    }
    case 'ContactPoint': {
      const value = str(o.value);
      if (value) emit(row(param, str(o.system) ?? null, value, null));
      return;
    }
  }
}

/** Emits a Coding's row and returns its normalised display (for de-duplicating the text row). */
function indexCoding(param: string, c: Record<string, unknown>, emit: Emit): string | undefined {
  const system = str(c.system) ?? null;
  const code = str(c.code) ?? null;
  const display = str(c.display);
  const text = display ? normaliseString(display) : null;
  if (system || code || text) emit(row(param, system, code, text));
  return text ?? undefined;
}

function row(param: string, system: string | null, code: string | null, text: string | null): IndexRow {
  return {
    kind: 'token',
    param,
    system: system === null ? null : capLength(system),
    code: code === null ? null : capLength(code),
    text,
  };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/**
 * Parses one query value: `code`, `system|code`, `|code` (no system) or `system|` (any code).
 * `:text` yields a normalised string (matched against the indexed texts).
 */
export function parseTokenQuery(raw: string, modifier: string | undefined, param: string): SearchValue {
  if (modifier === 'text') {
    if (raw.length === 0) throw invalid(`Empty :text value for parameter "${param}"`);
    return { kind: 'string', value: normaliseString(unescapeSearch(raw)) };
  }
  const parts = splitUnescaped(raw, '|');
  if (parts.length > 2) throw invalid(`Invalid token "${raw}" for parameter "${param}": expected [system|]code`);
  if (parts.length === 1) {
    if (parts[0].length === 0) throw invalid(`Empty token value for parameter "${param}"`);
    return { kind: 'token', code: capLength(unescapeSearch(parts[0])) };
  }
  const [system, code] = parts.map(unescapeSearch);
  if (system.length === 0 && code.length === 0) throw invalid(`Invalid token "|" for parameter "${param}"`);
  const value: SearchValue = { kind: 'token', system: system.length === 0 ? null : capLength(system) };
  if (code.length > 0) value.code = capLength(code);
  return value;
}

function invalid(message: string): FhirError {
  return new FhirError('invalid', [issue('invalid', message)]);
}
