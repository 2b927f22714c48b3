/**
 * The app's only way to the server's data: the public FHIR API, with the signed-in user's token.
 * Everything the app does, another SMART app with the same scopes can do (issue 10).
 * Errors become `FhirApiError` with the server's OperationOutcome text, so screens show why.
 */
import type { Binary, Bundle, OperationOutcome, Resource, ResourceType } from '@medplum/fhirtypes';

/** A repeated parameter (`name=smi&name=jo`, AND) is an array. */
export type SearchParams = Record<string, string | number | readonly string[] | undefined>;

export class FhirApiError extends Error {
  constructor(
    message: string,
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    readonly outcome?: OperationOutcome,
  ) {
    super(message);
  }
}

export interface FhirClient {
  read<T extends Resource>(type: T['resourceType'], id: string, signal?: AbortSignal): Promise<T>;
  search<T extends Resource>(type: T['resourceType'], params?: SearchParams | URLSearchParams, signal?: AbortSignal): Promise<Bundle<T>>;
  /** With `ifNoneExist` (a search query), the server creates only when nothing matches it (conditional create). */
  create<T extends Resource>(resource: T, options?: { ifNoneExist?: string }): Promise<T>;
  /**
   * With `ifMatch` (the version the user started from), the server refuses with 412 when someone
   * else saved a newer version meanwhile, instead of silently overwriting their change.
   */
  update<T extends Resource>(resource: T & { id: string }, options?: { ifMatch?: string }): Promise<T>;
  /** A type-level operation read with GET, e.g. `operation('ValueSet', 'expand', { url, filter })`. */
  operation<T extends Resource>(type: ResourceType, name: string, params?: SearchParams, signal?: AbortSignal): Promise<T>;
  /** A transaction Bundle: all its entries are saved, or none (the server answers with the outcome). */
  transaction(bundle: Bundle): Promise<Bundle>;
  /** `GET [type]/[id]/_history`: every version of one resource, newest first. */
  history<T extends Resource>(type: T['resourceType'], id: string, signal?: AbortSignal): Promise<Bundle<T>>;
  /** A search answered as a file in another format (`exportSearch('AuditEvent', params, 'text/csv')`: the audit report as CSV). */
  exportSearch(type: ResourceType, params: SearchParams | URLSearchParams, mediaType: string, signal?: AbortSignal): Promise<Blob>;
  /** A type-level operation sent with POST and a body, e.g. `invoke('Patient', 'match', parameters)`. */
  invoke<T extends Resource>(type: ResourceType, name: string, body: Resource, signal?: AbortSignal): Promise<T>;
  /** An operation on one resource sent with POST, e.g. `invokeOn('Patient', id, 'meta-add', parameters)`. */
  invokeOn<T extends Resource>(type: ResourceType, id: string, name: string, body: Resource): Promise<T>;
  /**
   * A document's file as a Binary, sent as itself (its own Content-Type, the bytes as they are:
   * a third smaller than base64 in FHIR JSON) and tied to `securityContext` (e.g. `Patient/123`).
   */
  uploadBinary(file: Blob, contentType: string, securityContext: string): Promise<Binary>;
}

export interface FhirClientDeps extends ApiCaller {
  /** e.g. `https://ehr.example.org/fhir/R4` */
  base: string;
}

/** Who calls: the user's token, and the fetch to use (tests pass their own). */
export interface ApiCaller {
  accessToken: () => Promise<string>;
  fetch?: typeof fetch;
  /**
   * The server refused the token (401): it was ended there (the account disabled, its role
   * changed, signed out everywhere), so the session ends here too instead of failing screen by screen.
   */
  onRefused?: () => void;
}

/**
 * One request to one of Heron's public APIs (FHIR, admin) with the user's token: the JSON answer,
 * or a `FhirApiError` with the server's OperationOutcome (both APIs answer errors with one).
 */
export async function apiRequest<T>(caller: ApiCaller, method: string, url: string, init: { body?: BodyInit; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<T> {
  const text = await (await apiResponse(caller, method, url, init)).text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** The same request, answering the checked Response: for answers that are not JSON (a CSV export). */
export async function apiResponse(caller: ApiCaller, method: string, url: string, init: { body?: BodyInit; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Response> {
  const doFetch = caller.fetch ?? ((input, request) => fetch(input, request));
  const token = await caller.accessToken();
  let response: Response;
  try {
    response = await doFetch(url, {
      method,
      headers: { authorization: `Bearer ${token}`, ...init.headers },
      ...(init.body !== undefined ? { body: init.body } : {}),
      ...(init.signal ? { signal: init.signal } : {}),
    });
  } catch (error) {
    if (init.signal?.aborted) throw error;
    throw new FhirApiError('The server could not be reached.', 0);
  }
  if (!response.ok) {
    if (response.status === 401) caller.onRefused?.();
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    const outcome = (json as Resource | undefined)?.resourceType === 'OperationOutcome' ? (json as OperationOutcome) : undefined;
    throw new FhirApiError(outcomeMessage(outcome) ?? `The server answered ${response.status} ${response.statusText}.`, response.status, outcome);
  }
  return response;
}

export function createFhirClient(deps: FhirClientDeps): FhirClient {
  function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal, extraHeaders: Record<string, string> = {}): Promise<T> {
    // A Blob goes as it is, with the content type the caller names; anything else is FHIR JSON.
    const raw = body instanceof Blob;
    return apiRequest<T>(deps, method, path ? `${deps.base}/${path}` : deps.base, {
      headers: {
        accept: 'application/fhir+json',
        ...(body !== undefined && !raw ? { 'content-type': 'application/fhir+json' } : {}),
        ...extraHeaders,
      },
      ...(body !== undefined ? { body: raw ? body : JSON.stringify(body) } : {}),
      ...(signal ? { signal } : {}),
    });
  }
  return {
    read: (type, id, signal) => request('GET', `${type}/${encodeURIComponent(id)}`, undefined, signal),
    search: (type, params, signal) => request('GET', `${type as ResourceType}${searchQuery(params)}`, undefined, signal),
    create: (resource, options) => request('POST', resource.resourceType, resource, undefined, options?.ifNoneExist ? { 'if-none-exist': options.ifNoneExist } : {}),
    update: (resource, options = {}) =>
      request('PUT', `${resource.resourceType}/${encodeURIComponent(resource.id)}`, resource, undefined, options.ifMatch !== undefined ? { 'if-match': `W/"${options.ifMatch}"` } : {}),
    operation: (type, name, params, signal) => request('GET', `${type}/$${name}${searchQuery(params)}`, undefined, signal),
    transaction: (bundle) => request('POST', '', bundle),
    history: (type, id, signal) => request('GET', `${type}/${encodeURIComponent(id)}/_history`, undefined, signal),
    exportSearch: async (type, params, mediaType, signal) =>
      (await apiResponse(deps, 'GET', `${deps.base}/${type}${searchQuery(params)}`, { headers: { accept: mediaType }, ...(signal ? { signal } : {}) })).blob(),
    invoke: (type, name, body, signal) => request('POST', `${type}/$${name}`, body, signal),
    invokeOn: (type, id, name, body) => request('POST', `${type}/${encodeURIComponent(id)}/$${name}`, body),
    uploadBinary: (file, contentType, securityContext) => request('POST', 'Binary', file, undefined, { 'content-type': contentType, 'x-security-context': securityContext }),
  };
}

/** The readable part of an OperationOutcome: each error issue's text, joined. */
export function outcomeMessage(outcome: OperationOutcome | undefined): string | undefined {
  const issues = outcome?.issue ?? [];
  const serious = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
  const texts = (serious.length > 0 ? serious : issues).map((i) => i.details?.text ?? i.diagnostics).filter((t): t is string => Boolean(t));
  return texts.length > 0 ? [...new Set(texts)].join(' ') : undefined;
}

/** What the user can do about a failed request, by kind of failure. */
export function errorAdvice(error: unknown): string {
  const status = error instanceof FhirApiError ? error.status : -1;
  if (status === 0) return 'Check your network connection, then try again.';
  if (status === 401) return 'Your session has ended. Sign in again; anything you typed is kept as a draft.';
  if (status === 403) return 'Your account does not allow this. Ask your practice administrator if you need it.';
  if (status === 404 || status === 410) return 'It may have been removed or merged. Search for it again.';
  if (status === 409 || status === 412) return 'Someone else changed it at the same time. Reload to see their change, then try again.';
  if (status >= 400 && status < 500) return 'Correct what the message names, then try again.';
  return 'Try again in a moment. If it keeps happening, tell your practice’s IT contact what you were doing and when.';
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}

/** `?a=1&b=2` (empty when there is nothing); a repeated parameter is an array. */
export function searchQuery(params: SearchParams | URLSearchParams = {}): string {
  if (params instanceof URLSearchParams) return params.size > 0 ? `?${params.toString()}` : '';
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    for (const one of typeof v === 'object' ? v : [v]) search.append(k, String(one));
  }
  const s = search.toString();
  return s ? `?${s}` : '';
}
