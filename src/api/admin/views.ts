/**
 * What the admin API shows of an account or a client. Built field by field from an allow-list,
 * never by copying the record, so that a password hash, a TOTP seed, a client-secret hash or a
 * field added to the store later cannot leak through it.
 */
import type { OAuthClient } from '../../store/store.ts';
import type { UserRecord } from '../../store/user-accounts.ts';

export interface UserView {
  id: string;
  email: string;
  role: string;
  status: UserRecord['status'];
  fhir_user?: string;
  patients?: string[];
  /** Of `patients`, those a proxy acts for with limited access (docs/access.md). */
  limited_patients?: string[];
  /**
   * Whether the account has a second-factor key: from the first sign-in that asked for one, even
   * before the person confirmed it; from then on every sign-in asks for a code. The key itself
   * never leaves the store.
   */
  mfa_configured: boolean;
  /** While sign-in is locked after repeated failures. */
  locked_until?: string;
  created_at: string;
  /** The last completed sign-in (absent before the first). */
  last_sign_in_at?: string;
}

export function userView(user: UserRecord, now: number): UserView {
  const view: UserView = { id: user.id, email: user.email, role: user.role, status: user.status, mfa_configured: user.mfaSecret !== undefined, created_at: user.createdAt };
  if (user.fhirUser !== undefined) view.fhir_user = user.fhirUser;
  if (user.patients !== undefined) view.patients = [...user.patients];
  if (user.limitedPatients !== undefined) view.limited_patients = [...user.limitedPatients];
  if (user.lockedUntil !== undefined && user.lockedUntil > now) view.locked_until = new Date(user.lockedUntil).toISOString();
  if (user.lastSignInAt !== undefined) view.last_sign_in_at = new Date(user.lastSignInAt).toISOString();
  return view;
}

export interface AppView {
  client_id: string;
  name: string;
  /** `app`: people sign in to it (authorization code flow); `service`: a backend service (client credentials). */
  kind: 'app' | 'service';
  status: 'active' | 'disabled';
  scope: string;
  redirect_uris?: string[];
  /** How it authenticates at the token endpoint. */
  token_endpoint_auth_method: 'none' | 'client_secret_basic' | 'private_key_jwt';
  jwks_url?: string;
  /** Its registered public keys (public by nature). */
  jwks?: unknown;
  created_at: string;
  disabled_at?: string;
  /** When a token was last issued to it, to the minute (absent before the first). */
  last_used_at?: string;
}

export function appView(client: OAuthClient): AppView {
  const kind = client.redirectUris !== undefined ? 'app' : 'service';
  const method = client.public ? 'none' : client.jwks !== undefined || client.jwksUrl !== undefined ? 'private_key_jwt' : 'client_secret_basic';
  const view: AppView = {
    client_id: client.clientId,
    name: client.name,
    kind,
    status: client.disabledAt === undefined ? 'active' : 'disabled',
    scope: client.scopes,
    token_endpoint_auth_method: method,
    created_at: client.createdAt,
  };
  if (client.redirectUris !== undefined) view.redirect_uris = [...client.redirectUris];
  if (client.jwksUrl !== undefined) view.jwks_url = client.jwksUrl;
  if (client.jwks !== undefined) view.jwks = JSON.parse(client.jwks) as unknown;
  if (client.disabledAt !== undefined) view.disabled_at = new Date(client.disabledAt).toISOString();
  if (client.lastUsedAt !== undefined) view.last_used_at = new Date(client.lastUsedAt).toISOString();
  return view;
}
