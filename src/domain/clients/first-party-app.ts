/**
 * Heron's own web app is a SMART app like any other: a public client per practice (an app belongs
 * to one practice, so sign-in knows where to look), registered for staff scopes and redirect URIs
 * on the server's own origin. `heron serve` makes sure every practice has one, with a client id
 * derived from the practice and the redirect URIs, so the page can be told its client id and a
 * server moved to another address gets a new client instead of redirecting to the old one.
 * docs/decisions/0003-first-party-web-client.md
 */
import { createHash } from 'node:crypto';
import type { FhirStore, Practice } from '../../store/store.ts';
import { registerApp } from './register-app.ts';

export const FIRST_PARTY_APP_NAME = 'Heron';
/**
 * Staff scopes (the user's role and the practice's rules still limit every request), a session
 * that ends when idle (`online_access`), not a long-lived refresh token, and the admin API for the
 * practice's administrators (`heron/admin` is offered to no other role, docs/auth.md).
 */
export const FIRST_PARTY_APP_SCOPES = 'openid fhirUser online_access user/*.cruds heron/admin';
/** The app's sign-in callback route (web/src/app/routes.tsx). */
export const WEB_CALLBACK_PATH = '/auth/callback';

/**
 * The practice's first-party client id for these redirect URIs and scopes: `heron-web-` and 22
 * hash characters. The scopes are part of it because a registration's scopes are fixed: when a
 * release widens them, the app gets a new client and the old one stays until an administrator
 * disables it (decision 0003).
 */
export function firstPartyClientId(practiceId: string, redirectUris: readonly string[]): string {
  const digest = createHash('sha256').update(`heron-web\n${practiceId}\n${[...redirectUris].sort().join('\n')}\n${FIRST_PARTY_APP_SCOPES}`).digest('base64url');
  return `heron-web-${digest.slice(0, 22)}`;
}

/**
 * The practice's first-party client id, registering the app when it is missing. Undefined when a
 * practice administrator disabled it: their choice stands (the practice is then not offered).
 */
export async function ensureFirstPartyApp(store: FhirStore, practice: Practice, redirectUris: readonly string[]): Promise<string | undefined> {
  const clientId = firstPartyClientId(practice.id, redirectUris);
  const existing = await store.admin.getClient(clientId, { includeDisabled: true });
  if (existing) return existing.disabledAt === undefined ? clientId : undefined;
  try {
    await registerApp(store, { practiceId: practice.id, name: FIRST_PARTY_APP_NAME, redirectUris, public: true, scopes: FIRST_PARTY_APP_SCOPES, clientId });
  } catch (error) {
    // Another server registered the same client at the same moment: the id is the same, so that is success.
    if (!(await store.admin.getClient(clientId))) throw error;
  }
  return clientId;
}

/** Each practice with its first-party client id (practices whose app was disabled left out), by name. */
export async function firstPartyApps(store: FhirStore, redirectUris: readonly string[]): Promise<Array<{ practice: Practice; clientId: string }>> {
  const practices = await store.admin.listPractices();
  const apps: Array<{ practice: Practice; clientId: string }> = [];
  for (const practice of practices) {
    const clientId = await ensureFirstPartyApp(store, practice, redirectUris);
    if (clientId !== undefined) apps.push({ practice, clientId });
  }
  return apps.sort((a, b) => a.practice.name.localeCompare(b.practice.name));
}
