/**
 * The People screens' reads and changes through the admin API, and each person's history from
 * the audit trail (FHIR `AuditEvent`). Query keys start with 'admin' and 'users', so every change
 * refetches the lists and the person, and the history (`['fhir', 'AuditEvent']`).
 */
import type { AuditEvent } from '@medplum/fhirtypes';
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useAdmin } from '../../../admin-api/admin-context.tsx';
import type { AccountStatus, AdminUser, MfaPolicy, UserPage } from '../../../admin-api/admin-views.ts';
import { useSearch } from '../../../fhir/queries.ts';

export const PAGE_SIZE = 25;

export function useUserPage(filter: { role?: string; status?: AccountStatus }, cursor: string | undefined) {
  const admin = useAdmin();
  const params = { _count: PAGE_SIZE, ...(filter.role ? { role: filter.role } : {}), ...(filter.status ? { status: filter.status } : {}), ...(cursor ? { _cursor: cursor } : {}) };
  return useQuery({ queryKey: ['admin', 'users', 'page', params], queryFn: ({ signal }) => admin.get<UserPage>('/users', params, signal) });
}

export function useAccount(id: string | undefined) {
  const admin = useAdmin();
  return useQuery({ queryKey: ['admin', 'users', 'one', id], queryFn: ({ signal }) => admin.get<AdminUser>(`/users/${encodeURIComponent(id!)}`, undefined, signal), enabled: id !== undefined });
}

/** The accounts behind audit entries' agents, by id (an administrator's email beside their change). */
export function useAccountsById(ids: readonly string[]): Map<string, AdminUser> {
  const admin = useAdmin();
  const results = useQueries({
    queries: ids.map((id) => ({ queryKey: ['admin', 'users', 'one', id], queryFn: ({ signal }: { signal: AbortSignal }) => admin.get<AdminUser>(`/users/${encodeURIComponent(id)}`, undefined, signal), retry: false })),
  });
  return new Map(results.flatMap((r) => (r.data ? [[r.data.id, r.data] as const] : [])));
}

export function useMfaPolicy() {
  const admin = useAdmin();
  return useQuery({ queryKey: ['admin', 'mfa-policy'], queryFn: ({ signal }) => admin.get<MfaPolicy>('/practice/mfa-policy', undefined, signal) });
}

/** The admin API's changes to an account (docs/auth.md); reads and lists are left out. */
export const ACCOUNT_CHANGES: Record<string, string> = {
  'admin-user-create': 'Account created',
  'admin-user-invite': 'Invitation sent',
  'admin-user-role': 'Role changed',
  'admin-user-disable': 'Disabled',
  'admin-user-enable': 'Enabled',
  'admin-user-password-reset': 'Password reset link sent',
  'admin-user-mfa-reset': 'Second factor reset',
  'admin-user-sign-out-everywhere': 'Signed out everywhere',
};

/** Who changed the account and when: its admin entries in the audit trail, newest first. */
export function useAccountHistory(id: string) {
  return useSearch<AuditEvent>('AuditEvent', { entity: `User/${id}`, subtype: Object.keys(ACCOUNT_CHANGES).join(','), outcome: '0', _sort: '-date', _count: 50 });
}

/** A change through the admin API; on success the accounts and the history are read again. */
export function useAccountChange<A, R>(send: (admin: ReturnType<typeof useAdmin>, args: A) => Promise<R>) {
  const admin = useAdmin();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (args: A) => send(admin, args),
    onSuccess: async () => {
      await Promise.all([queryClient.invalidateQueries({ queryKey: ['admin', 'users'] }), queryClient.invalidateQueries({ queryKey: ['admin', 'mfa-policy'] }), queryClient.invalidateQueries({ queryKey: ['fhir', 'AuditEvent'] })]);
    },
  });
}
