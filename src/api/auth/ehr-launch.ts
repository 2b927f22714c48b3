/**
 * `POST /oauth2/launch`: the EHR side of a SMART EHR launch. A signed-in staff member (the web
 * app calls this with the user's access token) opens an app for a patient, and optionally an
 * encounter; the answer is a launch token the EHR passes to the app's launch URL
 * (`?iss=<FHIR base>&launch=<token>`). The app then sends it to `/oauth2/authorize` with the
 * `launch` scope; the user still signs in and consents there, must be the same user, and the
 * grant carries the patient (and encounter) context. The token is random, stored hashed, valid
 * five minutes and used once.
 * @see https://hl7.org/fhir/smart-app-launch/app-launch.html#launch-app-ehr-launch
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../domain/access/principal.ts';
import type { AuditSink } from '../../domain/audit/audit-sink.ts';
import { splitScopes } from '../../domain/clients/system-scopes.ts';
import type { Ctx } from '../../domain/context.ts';
import { FhirError } from '../../fhir/outcome.ts';
import type { FhirStore } from '../../store/store.ts';
import { dispatch } from '../fhir/dispatch.ts';
import { fhirBaseFor } from './access-token.ts';
import { checkAccessToken } from './authenticate.ts';
import type { SigningKeys } from './keys.ts';
import { hashOpaque, newOpaqueToken } from './opaque-token.ts';
import { formParams, OAuthError, sendOAuth, single } from './oauth-request.ts';
import type { Clock } from '../../domain/clock.ts';

export const LAUNCH_TTL_MS = 5 * 60_000;
const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

export interface LaunchDeps {
  store: FhirStore;
  audit: AuditSink;
  keys: () => Promise<SigningKeys>;
  serverRoot: (request: FastifyRequest) => string;
  now?: Clock;
}

/** The signed-in user behind a bearer token, as the FHIR API would see them; 401 otherwise. */
export async function bearerUser(deps: Pick<LaunchDeps, 'store' | 'keys' | 'serverRoot' | 'now'>, request: FastifyRequest): Promise<Extract<Principal, { kind: 'user' }>> {
  const challenge = { 'www-authenticate': 'Bearer realm="heron"' };
  const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
  if (token === undefined) throw new OAuthError(401, 'invalid_token', 'A user access token is required (Authorization: Bearer …)', challenge);
  let principal: Principal;
  try {
    ({ principal } = await checkAccessToken(deps.store, await deps.keys(), token, fhirBaseFor(deps.serverRoot(request)), deps.now?.()));
  } catch (error) {
    if (error instanceof FhirError) throw new OAuthError(401, 'invalid_token', 'The access token is invalid, expired or revoked', challenge);
    throw error;
  }
  if (principal.kind !== 'user') throw new OAuthError(403, 'access_denied', 'Only a signed-in user can do this');
  return principal;
}

export function launchHandler(deps: LaunchDeps) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> =>
    sendOAuth(reply, async () => {
      const user = await bearerUser(deps, request);
      if (user.role === 'patient' || user.role === 'proxy' || user.patients !== undefined) throw new OAuthError(403, 'access_denied', 'Only staff launch apps for a patient');
      const params = formParams(request.body);
      const clientId = single(params, 'client_id');
      const patient = single(params, 'patient');
      const encounter = single(params, 'encounter');
      if (!clientId || !patient) throw new OAuthError(400, 'invalid_request', 'client_id and patient are required');
      if (!FHIR_ID.test(patient) || (encounter !== undefined && !FHIR_ID.test(encounter))) throw new OAuthError(400, 'invalid_request', 'patient and encounter are FHIR ids');
      const client = await deps.store.admin.getClient(clientId);
      if (!client || client.practiceId !== user.tenant || client.redirectUris === undefined || !splitScopes(client.scopes).includes('launch')) {
        throw new OAuthError(400, 'invalid_request', 'No app of this practice with that client_id is registered for the launch scope');
      }
      // Read through the FHIR API as this user: a launch exists only for records they may open,
      // and the read is audited like any other.
      const ctx: Ctx = { tenant: user.tenant, principal: user, store: deps.store, audit: deps.audit, origin: { ip: request.ip, userAgent: request.headers['user-agent'] } };
      const base = fhirBaseFor(deps.serverRoot(request));
      const read = async (path: string) => {
        try {
          return await dispatch(ctx, { method: 'GET', path, query: new URLSearchParams(), headers: {}, baseUrl: base });
        } catch (error) {
          if (error instanceof FhirError) return undefined;
          throw error;
        }
      };
      if ((await read(`Patient/${patient}`))?.status !== 200) throw new OAuthError(400, 'invalid_request', 'No such patient, or you may not open their record');
      if (encounter !== undefined) {
        const found = await read(`Encounter/${encounter}`);
        const subject = (found?.body as { subject?: { reference?: string } } | undefined)?.subject?.reference;
        if (found?.status !== 200 || subject !== `Patient/${patient}`) throw new OAuthError(400, 'invalid_request', "No such encounter in this patient's record");
      }
      const at = deps.now?.() ?? Date.now();
      const launch = newOpaqueToken();
      await deps.store.admin.grants.createLaunch(
        { launchHash: hashOpaque(launch), tenant: user.tenant, clientId, userId: user.id, patient, ...(encounter !== undefined ? { encounter } : {}), expiresAt: at + LAUNCH_TTL_MS },
        at,
      );
      await deps.audit.record({
        tenant: user.tenant,
        principal: user,
        action: 'ehr-launch',
        outcome: 'success',
        patients: [`Patient/${patient}`],
        origin: ctx.origin,
        at: new Date(at).toISOString(),
      });
      return { launch, expires_in: LAUNCH_TTL_MS / 1000, iss: base };
    });
}
