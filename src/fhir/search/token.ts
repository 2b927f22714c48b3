/**
 * Token search: index and query normalisation in one place so they agree.
 * A token is `system|code` plus a display text for `:text`. Codes are kept as written (tokens are
 * case-sensitive); texts are normalised like strings. An Identifier with a `type` also gets rows
 * under `param` + `:of-type` for `identifier:of-type=typeSystem|typeCode|value`: the type's system
 * as system and `typeCode|value` as code, so the lookup is as selective as for the value itself.
 * @see https://hl7.org/fhir/R4/search.html#token
 */
import { FhirError, issue } from '../outcome.ts';
import type { TypedValue } from '../fhirpath.ts';
import { splitUnescaped, unescapeSearch } from './escape.ts';
import { capLength } from './index-limits.ts';
import { normaliseString } from './string.ts';
import { OF_TYPE_SUFFIX } from './types.ts';
import type { IndexRow, TokenSearch, ValueSearch } from './types.ts';

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
      const type = o.type && typeof o.type === 'object' ? (o.type as Record<string, unknown>) : undefined;
      const typeText = type ? str(type.text) : undefined;
      const value = str(o.value);
      if (value || typeText) emit(row(param, str(o.system) ?? null, value ?? null, typeText ? normaliseString(typeText) : null));
      if (value && type && Array.isArray(type.coding)) {
        for (const c of type.coding as unknown[]) {
          const coding = c && typeof c === 'object' ? (c as Record<string, unknown>) : undefined;
          const code = coding && str(coding.code);
          if (code) emit(row(param + OF_TYPE_SUFFIX, str(coding.system) ?? null, ofTypeCode(code, value), null));
        }
      }
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

/** The indexed code of an `:of-type` row; a `|` in the type code is escaped so the pair stays unambiguous. */
function ofTypeCode(typeCode: string, value: string): string {
  return typeCode.replace(/[\\|]/g, (c) => '\\' + c) + '|' + value;
}

/**
 * Parses one query value: `code`, `system|code`, `|code` (no system) or `system|` (any code).
 * `:text` yields a normalised string (matched against the indexed texts); `:of-type` takes
 * `typeSystem|typeCode|value`.
 */
export function parseTokenQuery(raw: string, modifier: string | undefined, param: string): ValueSearch {
  if (modifier === 'of-type') return parseOfTypeQuery(raw, param);
  if (modifier === 'text') {
    if (raw.length === 0) throw invalid(`Empty :text value for parameter "${param}"`);
    return { kind: 'string', value: normaliseString(unescapeSearch(raw)) };
  }
  return parseTokenValue(raw, param);
}

/** Parses `[system|]code` (also `|code` and `system|`), without modifiers. */
export function parseTokenValue(raw: string, param: string): TokenSearch {
  const parts = splitUnescaped(raw, '|');
  if (parts.length > 2) throw invalid(`Invalid token "${raw}" for parameter "${param}": expected [system|]code`);
  if (parts.length === 1) {
    if (parts[0].length === 0) throw invalid(`Empty token value for parameter "${param}"`);
    return { kind: 'token', code: capLength(unescapeSearch(parts[0])) };
  }
  const [system, code] = parts.map(unescapeSearch);
  if (system.length === 0 && code.length === 0) throw invalid(`Invalid token "|" for parameter "${param}"`);
  const value: TokenSearch = { kind: 'token', system: system.length === 0 ? null : capLength(system) };
  if (code.length > 0) value.code = capLength(code);
  return value;
}

function parseOfTypeQuery(raw: string, param: string): TokenSearch {
  const parts = splitUnescaped(raw, '|').map(unescapeSearch);
  if (parts.length !== 3 || parts.some((p) => p.length === 0)) {
    throw invalid(
      `Invalid :of-type value "${raw}" for parameter "${param}": expected typeSystem|typeCode|value ` +
        '(e.g. http://terminology.hl7.org/CodeSystem/v2-0203|MR|12345)',
    );
  }
  const [system, typeCode, value] = parts;
  return { kind: 'token', system: capLength(system), code: capLength(ofTypeCode(typeCode, value)) };
}

function invalid(message: string): FhirError {
  return new FhirError('invalid', [issue('invalid', message)]);
}
