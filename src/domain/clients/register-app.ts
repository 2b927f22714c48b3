/**
 * Registering an app: software a person signs in to through the SMART authorization code flow.
 * Unlike a backend service it has exact redirect URIs, and it is confidential — it keeps a secret
 * on a server, or (SMART "client-confidential-asymmetric") a private key whose public half it
 * registers here, inline or as a JWKS URL — or public (a browser or mobile app, which proves
 * itself with PKCE only). Each has exactly one way to authenticate at the token endpoint.
 */
import { randomBytes } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import { errors } from '../../fhir/outcome.ts';
import type { FhirStore } from '../../store/store.ts';
import { parseAppScopes } from './app-scopes.ts';
import { registeredKeys } from './client-keys.ts';

const MAX_NAME_LENGTH = 200;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface NewApp {
  practiceId: string;
  name: string;
  redirectUris: readonly string[];
  public: boolean;
  scopes: string;
  /** The app's public keys (a JWK Set as JSON): it authenticates with `private_key_jwt`, has no secret. */
  jwks?: string;
  /** Or the URL where it publishes them. */
  jwksUrl?: string;
  /** A chosen client id (Heron's own web app has a stable one, first-party-app.ts); random otherwise. */
  clientId?: string;
}

/**
 * @returns the client id, and the secret for a confidential app registered without keys (shown
 *   once; only its hash is kept).
 * @throws FhirError `invalid` for an unknown practice, a bad redirect URI, scope, key set or JWKS
 *   URL, or keys for a public app.
 */
export async function registerApp(store: FhirStore, app: NewApp): Promise<{ clientId: string; clientSecret?: string }> {
  const scopes = parseAppScopes(app.scopes).map((s) => s.text);
  const name = app.name.trim();
  if (!name || name.length > MAX_NAME_LENGTH) throw errors.invalid(`An app needs a name of at most ${MAX_NAME_LENGTH} characters`, 'name');
  if (app.redirectUris.length === 0) throw errors.invalid('An app needs at least one redirect URI', 'redirectUri');
  const redirectUris = [...new Set(app.redirectUris)];
  for (const uri of redirectUris) checkRedirectUri(uri);
  const keyed = app.jwks !== undefined || app.jwksUrl !== undefined;
  // A public app runs where anyone can read it: a private key there is no more secret than a secret.
  if (keyed && app.public) throw errors.invalid('A public app has no credentials; register keys for a confidential app', app.jwks !== undefined ? 'jwks' : 'jwksUrl');
  const keys = keyed ? registeredKeys(app) : undefined;
  const practice = await store.admin.getPractice(app.practiceId);
  if (!practice) throw errors.invalid(`Unknown practice "${app.practiceId}"`, 'practiceId');

  const clientId = app.clientId ?? randomBytes(16).toString('base64url');
  const clientSecret = app.public || keys ? undefined : randomBytes(32).toString('base64url');
  await store.admin.createClient({
    clientId,
    practiceId: practice.id,
    secretHash: clientSecret === undefined ? '' : await hash(clientSecret),
    scopes: scopes.join(' '),
    name,
    createdAt: new Date().toISOString(),
    redirectUris,
    ...(app.public ? { public: true } : {}),
    // An empty secretHash never verifies (authenticate-client.ts): a key app has no secret to send.
    ...keys,
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
