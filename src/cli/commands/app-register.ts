/**
 * `heron app register --practice P --name N --redirect-uri U [--public | --jwks-url U | --jwks-file F]
 * --scopes S`: registers an app for the SMART authorization code flow and prints its client id,
 * and its secret when it is confidential without keys (shown only here: the store keeps a hash).
 * With `--jwks-…` it is a confidential asymmetric app: it authenticates with signed assertions
 * (`private_key_jwt`) and gets no secret.
 */
import { registerApp } from '../../domain/clients/register-app.ts';
import type { FhirStore } from '../../store/store.ts';
import { clientKeysFromOptions, type ClientKeyOptions } from '../client-keys-option.ts';
import { resolvePractice } from '../practice-ref.ts';
import type { Terminal } from '../terminal.ts';
import { recordCliChange } from '../audit-change.ts';

export interface AppRegisterOptions extends ClientKeyOptions {
  practice: string;
  name: string;
  redirectUris: string[];
  public?: boolean;
  scopes: string;
  json?: boolean;
}

export async function appRegisterCommand(deps: { store: FhirStore; terminal: Terminal }, o: AppRegisterOptions): Promise<number> {
  const practice = await resolvePractice(deps.store, o.practice);
  const keys = await clientKeysFromOptions(o);
  const { clientId, clientSecret } = await registerApp(deps.store, {
    practiceId: practice.id,
    name: o.name,
    redirectUris: o.redirectUris,
    public: o.public === true,
    scopes: o.scopes,
    ...keys,
  });
  const authentication = o.public ? 'none' : keys ? 'private_key_jwt' : 'client_secret';
  await recordCliChange(deps.store, {
    tenant: practice.id,
    action: 'admin-app-register',
    entities: [`Client/${clientId}`],
    detail: { name: o.name, public: o.public === true, scopes: o.scopes, redirectUris: o.redirectUris, authentication, ...(o.jwksUrl !== undefined ? { jwksUrl: o.jwksUrl } : {}) },
  });
  if (o.json) {
    deps.terminal.out(JSON.stringify(clientSecret === undefined ? { client_id: clientId } : { client_id: clientId, client_secret: clientSecret }));
    return 0;
  }
  deps.terminal.out(`Registered ${o.public ? 'public' : 'confidential'} app "${o.name}" for practice "${practice.name}" with scopes ${o.scopes}`);
  deps.terminal.out(`client_id:     ${clientId}`);
  if (keys) deps.terminal.out('It authenticates with signed assertions (private_key_jwt) against its registered public keys; it has no secret.');
  if (clientSecret !== undefined) {
    deps.terminal.out(`client_secret: ${clientSecret}`);
    deps.terminal.out('Keep the secret now: Heron stores only its hash and cannot show it again.');
  }
  return 0;
}
