/**
 * `heron client create --practice P --scopes S`: registers an OAuth client (client_credentials)
 * for a practice and prints its id and secret. The secret is shown only here: the store keeps a
 * hash of it.
 */
import { registerClient } from '../../domain/clients/register-client.ts';
import type { FhirStore } from '../../store/store.ts';
import { resolvePractice } from '../practice-ref.ts';
import type { Terminal } from '../terminal.ts';

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
  /** Print `{"client_id": …, "client_secret": …}` for scripts instead of sentences. */
  json?: boolean;
}

export async function clientCreateCommand(deps: ClientCreateDeps, options: ClientCreateOptions): Promise<number> {
  const practice = await resolvePractice(deps.store, options.practice);
  const registration: { practiceId: string; scopes: string; name?: string } = { practiceId: practice.id, scopes: options.scopes };
  if (options.name !== undefined) registration.name = options.name;
  const { clientId, clientSecret } = await registerClient(deps.store, registration);
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
