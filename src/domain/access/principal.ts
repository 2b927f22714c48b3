/**
 * Who is acting. Issue #4 adds users (practitioners, staff, patients, proxies) with roles;
 * today there are OAuth clients (client_credentials) and the system itself (CLI, jobs).
 */
export type Principal =
  | { kind: 'client'; id: string; tenant: string; scopes: string[] }
  | { kind: 'system'; id: string; tenant: string; scopes: string[] };
