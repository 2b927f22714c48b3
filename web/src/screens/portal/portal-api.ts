/**
 * The portal's FHIR operations that the generic client has no method for (instance-level GETs
 * such as `Patient/[id]/$summary`, and operations on the FHIR base such as `$connected-apps`),
 * with the signed-in person's token: the same public API any SMART app uses.
 */
import type { Resource } from '@medplum/fhirtypes';
import { useMemo } from 'react';
import { useAuth } from '../../auth/auth-context.tsx';
import { fhirBase } from '../../auth/server-config.ts';
import { apiRequest } from '../../fhir/fhir-client.ts';

export interface PortalApi {
  get<T extends Resource>(path: string): Promise<T>;
  /** A full URL the server gave (a Bundle's `next` link). */
  getUrl<T extends Resource>(url: string): Promise<T>;
  post<T extends Resource>(path: string, body: Resource): Promise<T>;
}

export function usePortalApi(): PortalApi {
  const { config, session } = useAuth();
  return useMemo(() => {
    const base = fhirBase(config);
    const caller = { accessToken: () => session.accessToken(), onRefused: () => session.tokenRefused() };
    const headers = { accept: 'application/fhir+json' };
    return {
      get: (path) => apiRequest(caller, 'GET', `${base}/${path}`, { headers }),
      getUrl: (url) => apiRequest(caller, 'GET', url, { headers }),
      post: (path, body) => apiRequest(caller, 'POST', `${base}/${path}`, { headers: { ...headers, 'content-type': 'application/fhir+json' }, body: JSON.stringify(body) }),
    };
  }, [config, session]);
}
