/**
 * `heron client create --practice P --scopes S`: registers an OAuth client (client_credentials)
 * for a practice and prints its id and secret. The secret is shown only here: the store keeps a
 * hash of it. With `--jwks-url` or `--jwks-file` the client authenticates with signed assertions
 * (`private_key_jwt`) instead and gets no secret.
 */
import { registerClient, registerKeyClient } from '../../domain/clients/register-client.ts';
import { clientKeysFromOptions, type ClientKeyOptions } from '../client-keys-option.ts';
import type { FhirStore } from '../../store/store.ts';
import { resolvePractice } from '../practice-ref.ts';
import type { Terminal } from '../terminal.ts';
import { recordCliChange } from '../audit-change.ts';

export interface ClientCreateDeps {
  store: FhirStore;
  terminal: Terminal;
}

export interface ClientCreateOptions extends ClientKeyOptions {
  /** Practice id or name. */
  practice: string;
  /** Space-separated SMART scopes, e.g. `system/*.*`. */
  scopes: string;
  name?: string;
  /** Print `{"client_id": …, "client_secret": …}` for scripts instead of sentences. */
  json?: boolean;
}

export async function clientCreateCommand(deps: ClientCreateDeps, options: ClientCreateOptions): Promise<number> {
  const practice = await resolvePractice(deps.store, options.practice);
  const keys = await clientKeysFromOptions(options);
  if (keys !== undefined) return createKeyClient(deps, options, practice, keys);
  const registration: { practiceId: string; scopes: string; name?: string } = { practiceId: practice.id, scopes: options.scopes };
  if (options.name !== undefined) registration.name = options.name;
  const { clientId, clientSecret } = await registerClient(deps.store, registration);
  await recordCliChange(deps.store, { tenant: practice.id, action: 'admin-client-create', entities: [`Client/${clientId}`], detail: { scopes: options.scopes, authentication: 'client_secret' } });
  if (options.json) {
    deps.terminal.out(JSON.stringify({ client_id: clientId, client_secret: clientSecret }));
  } else {
    deps.terminal.out(`Registered client for practice "${practice.name}" (${practice.id}) with scopes ${options.scopes}`);
    deps.terminal.out(`client_id:     ${clientId}`);
    deps.terminal.out(`client_secret: ${clientSecret}`);
    deps.terminal.out('Keep the secret now: Heron stores only its hash and cannot show it again.');
  }
  return 0;
}

async function createKeyClient(deps: ClientCreateDeps, options: ClientCreateOptions, practice: { id: string; name: string }, keys: { jwks: string } | { jwksUrl: string }): Promise<number> {
  const { clientId } = await registerKeyClient(deps.store, {
    practiceId: practice.id,
    scopes: options.scopes,
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...keys,
  });
  await recordCliChange(deps.store, {
    tenant: practice.id,
    action: 'admin-client-create',
    entities: [`Client/${clientId}`],
    detail: { scopes: options.scopes, authentication: 'private_key_jwt', ...(options.jwksUrl !== undefined ? { jwksUrl: options.jwksUrl } : {}) },
  });
  if (options.json) {
    deps.terminal.out(JSON.stringify({ client_id: clientId }));
  } else {
    deps.terminal.out(`Registered client for practice "${practice.name}" (${practice.id}) with scopes ${options.scopes}`);
    deps.terminal.out(`client_id:     ${clientId}`);
    deps.terminal.out('It authenticates with signed assertions (private_key_jwt) against its registered public keys; it has no secret.');
  }
  return 0;
}
