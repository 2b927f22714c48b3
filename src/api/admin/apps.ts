/**
 * Apps and backend services through the admin API: what `heron app register` and `heron client
 * create` do, and disabling one, for a practice administrator over HTTP, always within the
 * administrator's own practice. Registration rules (redirect URIs, scopes, keys) are the domain's
 * (`domain/clients/`). A client secret is in the registration's answer only: the store keeps a
 * hash.
 */
import { registerApp } from '../../domain/clients/register-app.ts';
import { registerClient, registerKeyClient } from '../../domain/clients/register-client.ts';
import { errors } from '../../fhir/outcome.ts';
import type { OAuthClient } from '../../store/store.ts';
import { ADMIN_BASE_PATH, type AdminCall, type AdminDeps, type AdminHandler } from './admin-call.ts';
import { bodyFields, nextPageUrl, noBody, optionalBoolean, optionalString, optionalStrings, pageSize, queryParams, readCursor, requiredString, withFieldNames } from './input.ts';
import { appView } from './views.ts';

/** The domain's names for the API's fields. */
const FIELD_NAMES = { redirectUri: 'redirect_uris', scopes: 'scope', jwksUrl: 'jwks_url' };

async function clientOf(call: AdminCall, deps: AdminDeps): Promise<OAuthClient> {
  const id = (call.request.params as { id: string }).id;
  const client = id.length <= 128 ? await deps.store.admin.getClient(id, { includeDisabled: true }) : undefined;
  if (!client || client.practiceId !== call.tenant) throw errors.notFound(`No app ${id} in this practice`);
  return client;
}

const clientRef = (client: OAuthClient) => `Client/${client.clientId}`;

/**
 * `POST /apps`. An app people sign in to (`kind: "app"`, the default): `name`, `redirect_uris`,
 * `scope`, and `public`, or `jwks` (a JWK Set) or `jwks_url` for a confidential app that
 * authenticates with `private_key_jwt`, or neither for a secret. A backend service
 * (`kind: "service"`): `name`, `scope` (`system/…`), and `jwks` or `jwks_url`, or neither for a
 * secret.
 */
export const registerAppHandler: AdminHandler = async (call, deps) => {
  const fields = bodyFields(call.request, ['kind', 'name', 'scope', 'redirect_uris', 'public', 'jwks', 'jwks_url']);
  const kind = optionalString(fields, 'kind', 20) ?? 'app';
  if (kind !== 'app' && kind !== 'service') throw errors.invalid('"kind" is "app" (people sign in to it) or "service" (a backend service)', 'kind');
  const name = requiredString(fields, 'name');
  const scope = requiredString(fields, 'scope', 4000);
  const keys = keyFields(fields);

  let registered: { clientId: string; clientSecret?: string };
  if (kind === 'app') {
    const redirectUris = optionalStrings(fields, 'redirect_uris', 20, 2000) ?? [];
    const isPublic = optionalBoolean(fields, 'public') ?? false;
    registered = await withFieldNames(FIELD_NAMES, () => registerApp(deps.store, { practiceId: call.tenant, name, redirectUris, public: isPublic, scopes: scope, ...keys }));
  } else {
    for (const field of ['redirect_uris', 'public']) if (fields[field] !== undefined) throw errors.invalid(`"${field}" is for apps people sign in to ("kind": "app")`, field);
    registered = await withFieldNames(FIELD_NAMES, () =>
      keys !== undefined ? registerKeyClient(deps.store, { practiceId: call.tenant, scopes: scope, name, ...keys }) : registerClient(deps.store, { practiceId: call.tenant, scopes: scope, name }),
    );
  }
  const client = await deps.store.admin.getClient(registered.clientId, { includeDisabled: true });
  if (!client) throw new Error(`The client ${registered.clientId} just registered cannot be read back`);
  const view = appView(client);
  const detail = { kind: view.kind, name: view.name, scope: view.scope, token_endpoint_auth_method: view.token_endpoint_auth_method, ...(view.redirect_uris ? { redirect_uris: view.redirect_uris } : {}), ...(view.jwks_url ? { jwks_url: view.jwks_url } : {}) };
  return {
    status: 201,
    body: { ...view, ...(registered.clientSecret !== undefined ? { client_secret: registered.clientSecret } : {}) },
    headers: { location: `${call.serverRoot}${ADMIN_BASE_PATH}/apps/${client.clientId}` },
    entities: [clientRef(client)],
    detail,
  };
};

/** The `jwks` (a JWK Set object) and `jwks_url` fields, as the domain takes them; undefined when neither is given. */
function keyFields(fields: Record<string, unknown>): { jwks?: string; jwksUrl?: string } | undefined {
  const jwks = fields.jwks;
  if (jwks !== undefined && (jwks === null || typeof jwks !== 'object' || Array.isArray(jwks))) throw errors.invalid('"jwks" must be a JWK Set: {"keys": [...]}', 'jwks');
  const jwksUrl = optionalString(fields, 'jwks_url', 2000);
  if (jwks === undefined && jwksUrl === undefined) return undefined;
  return { ...(jwks !== undefined ? { jwks: JSON.stringify(jwks) } : {}), ...(jwksUrl !== undefined ? { jwksUrl } : {}) };
}

/** `GET /apps?_count=&_cursor=`: the practice's apps and backend services, disabled ones too. */
export const listAppsHandler: AdminHandler = async (call, deps) => {
  const params = queryParams(call.request, ['_count', '_cursor']);
  const count = pageSize(params);
  const afterClientId = readCursor(params);
  const rows = await deps.store.admin.listClients(call.tenant, { count: count + 1, ...(afterClientId !== undefined ? { afterClientId } : {}) });
  const page = rows.slice(0, count);
  const body: { apps: unknown[]; next?: string } = { apps: page.map(appView) };
  if (rows.length > count) body.next = nextPageUrl(call.serverRoot, `${ADMIN_BASE_PATH}/apps`, params, page[page.length - 1].clientId);
  return { status: 200, body, entities: page.map(clientRef) };
};

/** `GET /apps/:id`. */
export const readAppHandler: AdminHandler = async (call, deps) => {
  queryParams(call.request, []);
  const client = await clientOf(call, deps);
  return { status: 200, body: appView(client), entities: [clientRef(client)] };
};

/**
 * `POST /apps/:id/disable`: the client can no longer get tokens, and the tokens it has (its own,
 * and every user's signed in through it) stop working. Final: there is no enable, since tokens
 * issued before would come back to life; register the app again instead.
 */
export const disableAppHandler: AdminHandler = async (call, deps) => {
  noBody(call.request);
  const client = await clientOf(call, deps);
  if (call.principal.clientId === client.clientId) throw errors.conflict('You are signed in through this app: disabling it would end your own session and every administrator’s who uses it. Disable it from another app, or with the command line');
  const changed = await deps.store.admin.disableClient(client.clientId, call.at);
  deps.authenticate.forget((p) => (p.kind === 'client' && p.id === client.clientId) || (p.kind === 'user' && p.clientId === client.clientId));
  const after = (await deps.store.admin.getClient(client.clientId, { includeDisabled: true })) ?? client;
  return { status: 200, body: appView(after), entities: [clientRef(client)], detail: { status: 'disabled', ...(changed ? {} : { already_disabled: true }) } };
};
