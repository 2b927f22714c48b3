import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { useAuth } from '../auth/auth-context.tsx';
import { fhirBase } from '../auth/server-config.ts';
import { createFhirClient, type FhirClient } from './fhir-client.ts';

const FhirContext = createContext<FhirClient | undefined>(undefined);

/** The FHIR client of the signed-in session. */
export function FhirProvider({ children }: { children: ReactNode }) {
  const { config, session } = useAuth();
  const client = useMemo(() => createFhirClient({ base: fhirBase(config), accessToken: () => session.accessToken(), onRefused: () => session.tokenRefused() }), [config, session]);
  return <FhirContext.Provider value={client}>{children}</FhirContext.Provider>;
}

export function useFhir(): FhirClient {
  const client = useContext(FhirContext);
  if (!client) throw new Error('useFhir outside FhirProvider');
  return client;
}
