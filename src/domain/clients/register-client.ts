/**
 * Registering an OAuth client (a backend service) for a practice. The client authenticates at the
 * token endpoint (client_credentials grant) with its id and secret, or — registered with public
 * keys — with a signed assertion (`private_key_jwt`), and receives tokens limited to the scopes
 * registered here.
 */
import { randomBytes } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import { errors } from '../../fhir/outcome.ts';
import type { FhirStore } from '../../store/store.ts';
import { registeredKeys, type RegisteredKeys } from './client-keys.ts';
import { parseSystemScopes } from './system-scopes.ts';

const MAX_NAME_LENGTH = 200;

/**
 * Registers a client and returns its credentials. The secret is returned exactly once: only an
 * argon2id hash is stored, so a database leak does not leak usable credentials.
 * Scopes are checked now so that a typo fails at registration rather than at first use.
 * @throws FhirError `invalid` for an unknown practice, a bad scope or an over-long name.
 */
export async function registerClient(store: FhirStore, o: { practiceId: string; scopes: string; name?: string }): Promise<{ clientId: string; clientSecret: string }> {
  const { clientId, clientSecret } = await register(store, o);
  return { clientId, clientSecret: clientSecret! };
}

/**
 * Registers a client that authenticates with a signed assertion (`private_key_jwt`): its public
 * keys inline (`jwks`, a JWK Set as JSON) or the URL it publishes them at (`jwksUrl`). It has no
 * secret.
 * @throws FhirError `invalid` as `registerClient`, and for a bad key set or URL, or neither or both.
 */
export async function registerKeyClient(store: FhirStore, o: { practiceId: string; scopes: string; name?: string; jwks?: string; jwksUrl?: string }): Promise<{ clientId: string }> {
  const { clientId } = await register(store, o, registeredKeys(o));
  return { clientId };
}

async function register(
  store: FhirStore,
  o: { practiceId: string; scopes: string; name?: string },
  keys?: RegisteredKeys,
): Promise<{ clientId: string; clientSecret?: string }> {
  const scopes = parseSystemScopes(o.scopes ?? '', 'scopes').map((s) => s.text);
  const name = (o.name ?? '').trim() || 'client';
  if (name.length > MAX_NAME_LENGTH) throw errors.invalid(`A client name is at most ${MAX_NAME_LENGTH} characters`, 'name');
  const practice = await store.admin.getPractice(o.practiceId);
  if (!practice) throw errors.invalid(`Unknown practice "${o.practiceId}"`, 'practiceId');
  const clientId = randomBytes(16).toString('base64url');
  const clientSecret = keys ? undefined : randomBytes(32).toString('base64url');
  // @node-rs/argon2 defaults to argon2id with the OWASP-recommended cost (19 MiB, 2 passes).
  // A key client gets no secret: an empty hash never verifies (authenticate-client.ts).
  const secretHash = clientSecret === undefined ? '' : await hash(clientSecret);
  await store.admin.createClient({
    clientId,
    practiceId: practice.id,
    secretHash,
    scopes: scopes.join(' '),
    name,
    createdAt: new Date().toISOString(),
    ...keys,
  });
  return clientSecret === undefined ? { clientId } : { clientId, clientSecret };
}
