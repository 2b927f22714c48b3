/**
 * Registering an app: software a person signs in to through the SMART authorization code flow.
 * Unlike a backend service it has exact redirect URIs, and it is either confidential (keeps a
 * secret on a server) or public (a browser or mobile app, which proves itself with PKCE only).
 */
import { randomBytes } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import { errors } from '../../fhir/outcome.ts';
import type { FhirStore } from '../../store/store.ts';
import { parseAppScopes } from './app-scopes.ts';

const MAX_NAME_LENGTH = 200;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface NewApp {
  practiceId: string;
  name: string;
  redirectUris: readonly string[];
  public: boolean;
  scopes: string;
}

/**
 * @returns the client id, and the secret for a confidential app (shown once; only its hash is kept).
 * @throws FhirError `invalid` for an unknown practice, a bad redirect URI or scope.
 */
export async function registerApp(store: FhirStore, app: NewApp): Promise<{ clientId: string; clientSecret?: string }> {
  const scopes = parseAppScopes(app.scopes).map((s) => s.text);
  const name = app.name.trim();
  if (!name || name.length > MAX_NAME_LENGTH) throw errors.invalid(`An app needs a name of at most ${MAX_NAME_LENGTH} characters`, 'name');
  if (app.redirectUris.length === 0) throw errors.invalid('An app needs at least one redirect URI', 'redirectUri');
  const redirectUris = [...new Set(app.redirectUris)];
  for (const uri of redirectUris) checkRedirectUri(uri);
  const practice = await store.admin.getPractice(app.practiceId);
  if (!practice) throw errors.invalid(`Unknown practice "${app.practiceId}"`, 'practiceId');

  const clientId = randomBytes(16).toString('base64url');
  const clientSecret = app.public ? undefined : randomBytes(32).toString('base64url');
  await store.admin.createClient({
    clientId,
    practiceId: practice.id,
    secretHash: clientSecret === undefined ? '' : await hash(clientSecret),
    scopes: scopes.join(' '),
    name,
    createdAt: new Date().toISOString(),
    redirectUris,
    ...(app.public ? { public: true } : {}),
  });
  return clientSecret === undefined ? { clientId } : { clientId, clientSecret };
}

/**
 * An absolute URI without a fragment (RFC 6749 §3.1.2); plain http only to the loopback
 * interface (native apps, development), anything else must be https or an app's own scheme.
 */
function checkRedirectUri(uri: string): void {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw errors.invalid(`Redirect URI "${uri}" is not an absolute URI`, 'redirectUri');
  }
  if (url.hash || uri.includes('#')) throw errors.invalid(`Redirect URI "${uri}" must not have a fragment`, 'redirectUri');
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) throw errors.invalid(`Redirect URI "${uri}" must use https (http is allowed for localhost only)`, 'redirectUri');
  if (['javascript:', 'data:', 'file:', 'vbscript:'].includes(url.protocol)) throw errors.invalid(`Redirect URI "${uri}" has a forbidden scheme`, 'redirectUri');
}
