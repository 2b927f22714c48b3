/** The Apps screen's reads and changes through the admin API (`/apps`); every change refetches the list. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useAdmin } from '../../../admin-api/admin-context.tsx';
import type { AdminApp, AppPage } from '../../../admin-api/admin-views.ts';

export const APP_PAGE_SIZE = 50;

export function useAppPage(cursor: string | undefined) {
  const admin = useAdmin();
  const params = { _count: APP_PAGE_SIZE, ...(cursor ? { _cursor: cursor } : {}) };
  return useQuery({ queryKey: ['admin', 'apps', params], queryFn: ({ signal }) => admin.get<AppPage>('/apps', params, signal) });
}

/** The registration's answer: the app, with its secret this once when it has one. */
export type Registered = AdminApp & { client_secret?: string };

export function useRegisterApp() {
  const admin = useAdmin();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Record<string, unknown>) => admin.post<Registered>('/apps', body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin', 'apps'] }),
  });
}

export function useDisableApp() {
  const admin = useAdmin();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (clientId: string) => admin.post<AdminApp>(`/apps/${encodeURIComponent(clientId)}/disable`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin', 'apps'] }),
  });
}
