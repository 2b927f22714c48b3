/**
 * Checks of one primitive value against its FHIR type: the JSON type, the R4 format regexes
 * (medplum's, which follow the spec), real calendar dates (the regexes accept 2021-02-30),
 * numeric ranges, and the string rules (some non-whitespace content, at most 1 MB).
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

const MAX_STRING = 1024 * 1024;
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
  if (text.trim() === '') {
    issues.push(issue('value', 'String must contain non-whitespace content', path));
    return;
  }
  if (text.length > MAX_STRING) {
    issues.push(issue('value', 'String cannot be larger than 1 MB', path));
    return;
  }
  const regex = validationRegexes[type];
  if (regex && !regex.test(text)) {
    issues.push(issue('value', `Invalid ${type} format`, path));
    return;
  }
  if ((type === 'date' || type === 'dateTime' || type === 'instant') && !dateRange(text)) {
    issues.push(issue('value', `Invalid ${type}: "${text}" is not a calendar date`, path));
  }
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
