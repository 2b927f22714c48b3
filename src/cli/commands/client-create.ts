/**
 * `heron client create --practice P --scopes S`: registers an OAuth client (client_credentials)
 * for a practice and prints its id and secret. The secret is shown only here: the store keeps a
 * hash of it. With `--jwks-url` or `--jwks-file` the client authenticates with signed assertions
 * (`private_key_jwt`) instead and gets no secret.
 */
import { readFile } from 'node:fs/promises';
import { registerClient, registerKeyClient } from '../../domain/clients/register-client.ts';
import { UsageError } from '../config.ts';
import type { FhirStore } from '../../store/store.ts';
import { resolvePractice } from '../practice-ref.ts';
import type { Terminal } from '../terminal.ts';
import { recordCliChange } from '../audit-change.ts';

export interface ClientCreateDeps {
  store: FhirStore;
  terminal: Terminal;
}

export interface ClientCreateOptions {
  /** Practice id or name. */
  practice: string;
  /** Space-separated SMART scopes, e.g. `system/*.*`. */
  scopes: string;
  name?: string;
  /** The client's JWK Set URL (private_key_jwt). */
  jwksUrl?: string;
  /** A file holding the client's public JWK Set (private_key_jwt). */
  jwksFile?: string;
  /** Print `{"client_id": …, "client_secret": …}` for scripts instead of sentences. */
  json?: boolean;
}

export async function clientCreateCommand(deps: ClientCreateDeps, options: ClientCreateOptions): Promise<number> {
  const practice = await resolvePractice(deps.store, options.practice);
  if (options.jwksUrl !== undefined || options.jwksFile !== undefined) return createKeyClient(deps, options, practice);
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

async function createKeyClient(deps: ClientCreateDeps, options: ClientCreateOptions, practice: { id: string; name: string }): Promise<number> {
  if (options.jwksUrl !== undefined && options.jwksFile !== undefined) throw new UsageError('Give --jwks-url or --jwks-file, not both');
  let jwks: string | undefined;
  if (options.jwksFile !== undefined) {
    try {
      jwks = await readFile(options.jwksFile, 'utf8');
    } catch (error) {
      throw new UsageError(`Cannot read ${options.jwksFile}: ${(error as Error).message}`);
    }
  }
  const { clientId } = await registerKeyClient(deps.store, {
    practiceId: practice.id,
    scopes: options.scopes,
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(jwks !== undefined ? { jwks } : { jwksUrl: options.jwksUrl! }),
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
