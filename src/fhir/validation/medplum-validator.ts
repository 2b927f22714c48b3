/**
 * medplum's resource validator, wrapped to give Heron's issue list. Heron validates writes with
 * its own walk (`validate.ts`, same checks, several times faster); this one is the reference it
 * is compared against in tests, and a second opinion for tools.
 *
 * Why wrap: medplum signals failure by throwing its own error type with its own issue shape;
 * Heron wants a plain list of issues (`expression` = where, `diagnostics` = what) and more
 * precise issue codes (`required`, `value`) than medplum's blanket `structure`. Warnings are
 * dropped except references to a resource type the element does not allow, which R4 makes an
 * error. medplum does not check required bindings or calendar dates.
 */
import { OperationOutcomeError, validateResource as medplumValidate } from '@medplum/core';
import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { ensureDefinitions, isResourceType } from '../definitions.ts';
import { issue } from '../outcome.ts';
import type { Issue, IssueCode } from '../outcome.ts';
import { checkResourceType } from './validate.ts';

/** Validates with medplum's validator. Empty result = valid; only errors are returned. */
export function validateWithMedplum(resource: unknown): Issue[] {
  const refused = checkResourceType(resource);
  if (refused) return refused;
  const object = resource as Record<string, unknown>;
  ensureDefinitions();
  const issues: Issue[] = [];
  let medplumIssues: OperationOutcomeIssue[];
  try {
    medplumIssues = medplumValidate(object as unknown as Resource);
  } catch (err) {
    if (!(err instanceof OperationOutcomeError)) throw err;
    medplumIssues = err.outcome.issue ?? [];
  }
  for (const mi of medplumIssues) {
    const converted = convert(mi);
    if (converted) issues.push(converted);
  }
  return issues;
}

/** Turns a medplum issue into ours; warnings are dropped except wrong reference target types. */
function convert(mi: OperationOutcomeIssue): Issue | undefined {
  const text = mi.details?.text ?? mi.diagnostics ?? 'Invalid resource';
  const expression = mi.expression?.length ? mi.expression : undefined;
  if (mi.severity !== 'error' && mi.severity !== 'fatal') {
    // medplum reports `Patient/1` in an element that only allows Practitioner as a warning;
    // R4 makes it an error. urn:uuid and absolute URLs also land here and stay accepted.
    const wrongTarget = /^Invalid reference: got "([A-Za-z]+)"/.exec(text);
    if (wrongTarget && isResourceType(wrongTarget[1])) return issue('structure', text, expression);
    return undefined;
  }
  let diagnostics = text;
  if (mi.code === 'invariant' && mi.diagnostics) {
    const fhirpath = parseFhirpath(mi.diagnostics);
    if (fhirpath) diagnostics += ` (${fhirpath})`;
  }
  return issue(codeFor(mi.code, text), diagnostics, expression);
}

/** More precise codes than medplum's `structure` for the common cases. */
function codeFor(code: IssueCode, text: string): IssueCode {
  if (code !== 'structure') return code;
  if (text.startsWith('Missing required property')) return 'required';
  if (
    /^Invalid \S+ format$/.test(text) ||
    text.startsWith('Invalid numeric value') ||
    text.startsWith('Expected number to be') ||
    text.startsWith('String must contain') ||
    text.startsWith('String cannot be larger')
  ) {
    return 'value';
  }
  return 'structure';
}

function parseFhirpath(diagnostics: string): string | undefined {
  try {
    const data = JSON.parse(diagnostics) as { fhirpath?: unknown };
    return typeof data.fhirpath === 'string' ? data.fhirpath : undefined;
  } catch {
    return undefined; // diagnostics that are not medplum's JSON are shown as they are (text already has them)
  }
}
