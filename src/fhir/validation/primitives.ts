/**
 * Checks of one primitive value against its FHIR type: the JSON type, the R4 format regexes
 * (medplum's, except where they differ from the spec, below), real calendar dates (the regexes
 * accept 2021-02-30), numeric ranges, and the string rules (some non-whitespace content, at
 * most 1 MB for `string` and its specialisations).
 *
 * Whitespace is XML Schema's (space, tab, CR, LF), as in the spec's regexes: JavaScript's `\s`
 * also matches U+00A0 and other Unicode spaces, which made codes such as the R4 examples'
 * `CHEST\u00a0` fail a regex they meet.
 * @see https://hl7.org/fhir/R4/datatypes.html#primitive
 */
import { validationRegexes } from '@medplum/core';
import { dateRange } from '../date-time.ts';
import { issue } from '../outcome.ts';
import type { Issue } from '../outcome.ts';

const JS_TYPE: Record<string, 'string' | 'number' | 'boolean'> = {
  base64Binary: 'string',
  boolean: 'boolean',
  canonical: 'string',
  code: 'string',
  date: 'string',
  dateTime: 'string',
  decimal: 'number',
  id: 'string',
  instant: 'string',
  integer: 'number',
  markdown: 'string',
  oid: 'string',
  positiveInt: 'number',
  string: 'string',
  time: 'string',
  unsignedInt: 'number',
  uri: 'string',
  url: 'string',
  uuid: 'string',
  xhtml: 'string',
  // Element.id, Extension.url and a few others are typed with the FHIRPath system type.
  'http://hl7.org/fhirpath/System.String': 'string',
};

/** `string`'s maxLength in R4, inherited by its specialisations; base64Binary and xhtml have none. */
const MAX_STRING = 1024 * 1024;
const LIMITED = new Set(['string', 'code', 'id', 'markdown', 'http://hl7.org/fhirpath/System.String']);
/** Has a character that is not XML whitespace. */
const CONTENT = /[^ \t\r\n]/;
/** Where medplum's regexes differ from R4's (`[^\s]+(\s[^\s]+)*` for code, `\S*` for uri...). */
const REGEX: Record<string, RegExp> = {
  ...validationRegexes,
  code: /^[^ \t\r\n]+([ \t\r\n][^ \t\r\n]+)*$/,
  uri: /^[^ \t\r\n]*$/,
  url: /^[^ \t\r\n]*$/,
  canonical: /^[^ \t\r\n]*$/,
};
/** XML whitespace anywhere in base64Binary (MIME and PEM wrap lines at 76 or 64 characters). */
const BASE64_WHITESPACE = /[ \t\r\n]/g;
const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;

/** Appends an issue if `value` is not a valid `type`. `value` is never null or undefined here. */
export function checkPrimitive(value: unknown, type: string, path: string, issues: Issue[]): void {
  const expected = JS_TYPE[type];
  if (expected === undefined) {
    issues.push(issue('structure', `Invalid JSON type: ${type} is not a valid FHIR type`, path));
    return;
  }
  if (typeof value !== expected) {
    issues.push(issue('structure', `Invalid JSON type: expected ${expected}, but got ${Array.isArray(value) ? 'array' : typeof value}`, path));
    return;
  }
  if (expected === 'string') checkString(value as string, type, path, issues);
  else if (expected === 'number') checkNumber(value as number, type, path, issues);
}

function checkString(text: string, type: string, path: string, issues: Issue[]): void {
  if (!CONTENT.test(text)) {
    issues.push(issue('value', 'String must contain non-whitespace content', path));
    return;
  }
  if (text.length > MAX_STRING && LIMITED.has(type)) {
    issues.push(issue('value', 'String cannot be larger than 1 MB', path));
    return;
  }
  if (!matchesFormat(text, type)) {
    issues.push(issue('value', `Invalid ${type} format`, path));
    return;
  }
  if ((type === 'date' || type === 'dateTime' || type === 'instant') && !dateRange(text)) {
    issues.push(issue('value', `Invalid ${type}: "${text}" is not a calendar date`, path));
  }
}

/**
 * The R4 regex for base64Binary, `(\s*([0-9a-zA-Z\+/=]){4}\s*)+`, allows whitespace; the value
 * is checked as RFC 4648 base64 once whitespace is taken out (and stored as sent).
 */
function matchesFormat(text: string, type: string): boolean {
  const regex = REGEX[type];
  if (!regex || regex.test(text)) return true;
  return type === 'base64Binary' && regex.test(text.replace(BASE64_WHITESPACE, ''));
}

function checkNumber(n: number, type: string, path: string, issues: Issue[]): void {
  if (!Number.isFinite(n)) {
    issues.push(issue('value', 'Invalid numeric value', path));
  } else if (type === 'integer' || type === 'positiveInt' || type === 'unsignedInt') {
    if (!Number.isInteger(n)) issues.push(issue('value', 'Expected number to be an integer', path));
    else if (n < INT32_MIN || n > INT32_MAX) issues.push(issue('value', 'Integer out of the 32-bit range', path));
    else if (type === 'positiveInt' && n <= 0) issues.push(issue('value', 'Expected number to be positive', path));
    else if (type === 'unsignedInt' && n < 0) issues.push(issue('value', 'Expected number to be non-negative', path));
  }
}
