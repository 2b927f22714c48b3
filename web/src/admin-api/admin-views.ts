/**
 * What the admin API answers (docs/auth.md, "Admin API"), as the screens read it, and the few
 * pure readings of it the screens share: a page's cursor, a failure's fields.
 */
import type { OperationOutcome } from '@medplum/fhirtypes';
import { FhirApiError } from '../fhir/fhir-client.ts';

export type AccountStatus = 'active' | 'disabled' | 'invited';

export interface AdminUser {
  id: string;
  email: string;
  role: string;
  status: AccountStatus;
  fhir_user?: string;
  patients?: string[];
  limited_patients?: string[];
  mfa_configured: boolean;
  locked_until?: string;
  created_at: string;
  last_sign_in_at?: string;
}

export interface UserPage {
  users: AdminUser[];
  next?: string;
}

/** A one-time link for the person to set their password; shown once. */
export interface Invitation {
  link: string;
  expires_at: string;
}

export interface MfaPolicy {
  mfa_required: boolean;
  /** Whether this server can check a second factor at all. */
  mfa_available: boolean;
}

export interface AdminApp {
  client_id: string;
  name: string;
  kind: 'app' | 'service';
  status: 'active' | 'disabled';
  scope: string;
  redirect_uris?: string[];
  token_endpoint_auth_method: 'none' | 'client_secret_basic' | 'private_key_jwt';
  jwks_url?: string;
  created_at: string;
  disabled_at?: string;
  last_used_at?: string;
}

export interface AppPage {
  apps: AdminApp[];
  next?: string;
}

/** The `_cursor` of a page's `next` link, to ask for the page after it. */
export function cursorOf(next: string | undefined): string | undefined {
  if (next === undefined) return undefined;
  return new URL(next).searchParams.get('_cursor') ?? undefined;
}

/**
 * A refused request's messages by the field they name (the OperationOutcome's `expression`,
 * `redirect_uris[1]` counting as `redirect_uris`), so a form shows each at its field; messages
 * naming no field are under `''`.
 */
export function fieldErrors(error: unknown): Record<string, string> {
  const outcome: OperationOutcome | undefined = error instanceof FhirApiError ? error.outcome : undefined;
  const out: Record<string, string> = {};
  for (const issue of outcome?.issue ?? []) {
    const text = issue.details?.text ?? issue.diagnostics;
    if (!text) continue;
    const fields = (issue.expression ?? ['']).map((e) => e.replace(/\[\d+\]$/, ''));
    for (const field of fields) out[field] = out[field] ? `${out[field]} ${text}` : text;
  }
  return out;
}
