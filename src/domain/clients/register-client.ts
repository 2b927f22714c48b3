/**
 * Registering an OAuth client (a backend service) for a practice. The client authenticates with
 * its id and secret at the token endpoint (client_credentials grant) and receives tokens limited
 * to the scopes registered here.
 */
import { randomBytes } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import { errors } from '../../fhir/outcome.ts';
import type { FhirStore } from '../../store/store.ts';
import { parseSystemScopes } from './system-scopes.ts';

const MAX_NAME_LENGTH = 200;

/**
 * Registers a client and returns its credentials. The secret is returned exactly once: only an
 * argon2id hash is stored, so a database leak does not leak usable credentials.
 * Scopes are checked now so that a typo fails at registration rather than at first use.
 * @throws FhirError `invalid` for an unknown practice, a bad scope or an over-long name.
 */
export async function registerClient(
  store: FhirStore,
  o: { practiceId: string; scopes: string; name?: string },
): Promise<{ clientId: string; clientSecret: string }> {
  const scopes = parseSystemScopes(o.scopes ?? '', 'scopes').map((s) => s.text);
  const name = (o.name ?? '').trim() || 'client';
  if (name.length > MAX_NAME_LENGTH) throw errors.invalid(`A client name is at most ${MAX_NAME_LENGTH} characters`, 'name');
  const practice = await store.admin.getPractice(o.practiceId);
  if (!practice) throw errors.invalid(`Unknown practice "${o.practiceId}"`, 'practiceId');
  const clientId = randomBytes(16).toString('base64url');
  const clientSecret = randomBytes(32).toString('base64url');
  // @node-rs/argon2 defaults to argon2id with the OWASP-recommended cost (19 MiB, 2 passes).
  const secretHash = await hash(clientSecret);
  await store.admin.createClient({
    clientId,
    practiceId: practice.id,
    secretHash,
    scopes: scopes.join(' '),
    name,
    createdAt: new Date().toISOString(),
  });
  return { clientId, clientSecret };
}
