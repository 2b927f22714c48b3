/**
 * Errors as values with meaning: every failure Heron reports is a `FhirError` carrying one
 * category (which fixes the HTTP status) and OperationOutcome issues (which say what and where).
 * `src/api/errors.ts` is the only place that turns a category into an HTTP status.
 * @see https://hl7.org/fhir/R4/operationoutcome.html
 * @see https://hl7.org/fhir/R4/http.html#Status-Codes
 */
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';

/** The closed set of failure categories. Each maps to exactly one HTTP status. */
export type ErrorCategory =
  | 'invalid' // 400: malformed request, bad parameter, unparseable body
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'not-found' // 404
  | 'not-allowed' // 405: interaction not supported on this URL
  | 'not-acceptable' // 406: requested format not supported
  | 'conflict' // 409: version conflict without If-Match, duplicate id
  | 'gone' // 410: resource deleted
  | 'precondition-failed' // 412: If-Match mismatch, conditional matched several
  | 'too-large' // 413
  | 'unsupported-media-type' // 415
  | 'unprocessable' // 422: well-formed but violates FHIR rules (validation)
  | 'too-many-requests' // 429
  | 'unavailable' // 503: database down or busy
  | 'internal'; // 500: a bug; details are logged, never sent

export type IssueSeverity = OperationOutcomeIssue['severity'];
export type IssueCode = OperationOutcomeIssue['code'];

/** One issue inside an error. `expression` says where (FHIRPath), `diagnostics` says what. */
export interface Issue {
  severity: IssueSeverity;
  code: IssueCode;
  diagnostics: string;
  expression?: string[];
}

/** The error Heron raises at the edge where bad input enters. */
export class FhirError extends Error {
  readonly category: ErrorCategory;
  readonly issues: Issue[];
  /** Extra response headers (e.g. Retry-After on 429). */
  readonly headers: Record<string, string>;

  constructor(category: ErrorCategory, issues: Issue[] | string, headers: Record<string, string> = {}) {
    const list = typeof issues === 'string' ? [issue(defaultCode(category), issues)] : issues;
    super(list.map((i) => i.diagnostics).join('; '));
    this.name = 'FhirError';
    this.category = category;
    this.issues = list;
    this.headers = headers;
  }

  toOperationOutcome(): OperationOutcome {
    return operationOutcome(this.issues);
  }
}

/** Builds an error issue; severity defaults to `error`. */
export function issue(code: IssueCode, diagnostics: string, expression?: string | string[], severity: IssueSeverity = 'error'): Issue {
  const result: Issue = { severity, code, diagnostics };
  if (expression !== undefined) result.expression = Array.isArray(expression) ? expression : [expression];
  return result;
}

export function operationOutcome(issues: Issue[]): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: issues.map((i) => {
      const out: OperationOutcomeIssue = { severity: i.severity, code: i.code, diagnostics: i.diagnostics };
      if (i.expression) out.expression = i.expression;
      return out;
    }),
  };
}

/** An informational outcome, e.g. for `Prefer: return=OperationOutcome` on success. */
export function informationOutcome(diagnostics: string): OperationOutcome {
  return operationOutcome([issue('informational', diagnostics, undefined, 'information')]);
}

export function defaultCode(category: ErrorCategory): IssueCode {
  switch (category) {
    case 'invalid':
      return 'invalid';
    case 'unauthenticated':
      return 'login';
    case 'forbidden':
      return 'forbidden';
    case 'not-found':
      return 'not-found';
    case 'not-allowed':
      return 'not-supported';
    case 'not-acceptable':
      return 'not-supported';
    case 'conflict':
      return 'conflict';
    case 'gone':
      return 'deleted';
    case 'precondition-failed':
      return 'conflict';
    case 'too-large':
      return 'too-long';
    case 'unsupported-media-type':
      return 'not-supported';
    case 'unprocessable':
      return 'processing';
    case 'too-many-requests':
      return 'throttled';
    case 'unavailable':
      return 'transient';
    case 'internal':
      return 'exception';
  }
}

/** Shorthands for the errors raised most often. */
export const errors = {
  invalid: (msg: string, expression?: string) => new FhirError('invalid', [issue('invalid', msg, expression)]),
  notFound: (msg: string) => new FhirError('not-found', [issue('not-found', msg)]),
  gone: (msg: string) => new FhirError('gone', [issue('deleted', msg)]),
  conflict: (msg: string) => new FhirError('conflict', [issue('conflict', msg)]),
  preconditionFailed: (msg: string) => new FhirError('precondition-failed', [issue('conflict', msg)]),
  notAllowed: (msg: string) => new FhirError('not-allowed', [issue('not-supported', msg)]),
  unprocessable: (issues: Issue[]) => new FhirError('unprocessable', issues),
  /** A valid resource that a rule of the practice's record refuses (422). */
  businessRule: (msg: string, expression?: string) => new FhirError('unprocessable', [issue('business-rule', msg, expression)]),
  forbidden: (msg: string) => new FhirError('forbidden', [issue('forbidden', msg)]),
  unauthenticated: (msg: string) => new FhirError('unauthenticated', [issue('login', msg)]),
};
