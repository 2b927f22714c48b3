import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { useAuth } from '../auth/auth-context.tsx';
import { adminBase } from '../auth/server-config.ts';
import { createAdminClient, type AdminClient } from './admin-client.ts';

const AdminContext = createContext<AdminClient | undefined>(undefined);

/** The admin API client of the signed-in session (only a practice administrator's token is accepted). */
export function AdminProvider({ children }: { children: ReactNode }) {
  const { config, session } = useAuth();
  const client = useMemo(() => createAdminClient({ base: adminBase(config), accessToken: () => session.accessToken(), onRefused: () => session.tokenRefused() }), [config, session]);
  return <AdminContext.Provider value={client}>{children}</AdminContext.Provider>;
}

export function useAdmin(): AdminClient {
  const client = useContext(AdminContext);
  if (!client) throw new Error('useAdmin outside AdminProvider');
  return client;
}
