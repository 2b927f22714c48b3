/**
 * The practice-admin API (`/admin/v1`, docs/auth.md "Admin API") with the signed-in
 * administrator's token: the same public API a practice's own console or scripts use. JSON in and
 * out; errors are OperationOutcomes, thrown as `FhirApiError` like the FHIR client's.
 */
import { apiRequest, searchQuery, type ApiCaller, type SearchParams } from '../fhir/fhir-client.ts';

export interface AdminClient {
  get<T>(path: string, params?: SearchParams, signal?: AbortSignal): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  put<T>(path: string, body: unknown): Promise<T>;
}

export interface AdminClientDeps extends ApiCaller {
  /** e.g. `https://ehr.example.org/admin/v1` */
  base: string;
}

export function createAdminClient(deps: AdminClientDeps): AdminClient {
  const send = <T>(method: string, path: string, body?: unknown, signal?: AbortSignal) =>
    apiRequest<T>(deps, method, `${deps.base}${path}`, {
      headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...(signal ? { signal } : {}),
    });
  return {
    get: (path, params, signal) => send('GET', `${path}${searchQuery(params)}`, undefined, signal),
    post: (path, body) => send('POST', path, body),
    put: (path, body) => send('PUT', path, body),
  };
}
