/**
 * The SMART / OAuth 2.0 authorization endpoint (authorization code flow with PKCE):
 *
 * 1. `GET|POST /oauth2/authorize` checks the request; when the client or redirect URI is wrong it
 *    shows an error page (redirecting would hand the answer to an unregistered address), other
 *    errors go back to the app as `?error=` (RFC 6749 §4.1.2.1). A valid request is stored
 *    (`oauth_requests`) and bound to this browser by a cookie; the sign-in form is shown.
 * 2. `POST /oauth2/authorize/sign-in` checks email and password (lockout, `domain/users/sign-in`),
 *    then `/oauth2/authorize/mfa` the second factor when the user has one or the practice requires it.
 *    A staff member who asked for `launch/patient` without an EHR launch then picks the patient
 *    (`/oauth2/authorize/patient`, a search by name within the practice); in an EHR launch
 *    (`launch=`, see `ehr-launch.ts`) the patient comes from the launch, whose user must be the
 *    one who signed in.
 * 3. `POST /oauth2/authorize/consent` records what the user allowed (a grant) and redirects to the
 *    app with a single-use code, valid 10 minutes and stored hashed.
 *
 * Every form carries a CSRF token that changes at each step and must match the stored request,
 * and the request must come from the browser that started it (the cookie).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Principal, Role } from '../../domain/access/principal.ts';
import { resourceScopeProblem } from '../../domain/access/scope-query.ts';
import type { AuditSink } from '../../domain/audit/audit-sink.ts';
import { ADMIN_SCOPE, appScopeCovered, describeScope, parseAppScope, parseAppScopes, type AppScope } from '../../domain/clients/app-scopes.ts';
import { splitScopes } from '../../domain/clients/system-scopes.ts';
import { checkPassword, completeSignIn, SIGN_IN_FAILED } from '../../domain/users/sign-in.ts';
import type { AuthorizationRequestRecord } from '../../store/oauth-grants.ts';
import type { FhirStore, OAuthClient } from '../../store/store.ts';
import type { UserRecord } from '../../store/user-accounts.ts';
import type { Ctx } from '../../domain/context.ts';
import { FhirError } from '../../fhir/outcome.ts';
import { dispatch } from '../fhir/dispatch.ts';
import { fhirBaseFor } from './access-token.ts';
import type { FailureLimiter } from './failure-limiter.ts';
import type { MfaStep } from './mfa-step.ts';
import { hashOpaque, newOpaqueToken, sameSecret } from './opaque-token.ts';
import type { OAuthErrorCode } from './oauth-request.ts';
import { consentPage, errorPage, patientPickerPage, sendPage, signInPage, type ConsentScope, type FormContext, type PatientChoice } from './sign-in-pages.ts';
import { GRANT_MAX_AGE_MS } from './user-tokens.ts';
import type { Clock } from '../../domain/clock.ts';

/** How long the sign-in and consent pages may take, from the app's redirect to the consent. */
const REQUEST_TTL_MS = 15 * 60_000;
/** RFC 6749 §4.1.2 recommends at most 10 minutes. */
export const CODE_TTL_MS = 10 * 60_000;
const COOKIE = 'heron_authz';
const CODE_CHALLENGE = /^[A-Za-z0-9\-_]{43}$/;

export interface AuthorizationDeps {
  store: FhirStore;
  audit: AuditSink;
  serverRoot: (request: FastifyRequest) => string;
  /** Throttles sign-in failures per address, on top of the per-account lockout. */
  signInLimiter: FailureLimiter;
  /** The second-factor step; undefined when MFA is not configured (no secret key). */
  mfa?: MfaStep;
  now?: Clock;
}

/** What the authorization request asked for, after checking. */
export interface PendingAuthorization {
  redirectUri: string;
  /** The requested scopes this app is registered for, in the order asked. */
  scope: string;
  state: string;
  codeChallenge: string;
  nonce?: string;
  /** SHA-256 of the EHR launch token, in an EHR launch. */
  launch?: string;
  /** The patient a staff member picked (standalone launch with `launch/patient`). */
  patient?: string;
}

/** A stored request, loaded and checked for the current form post. */
export interface LoadedRequest {
  row: AuthorizationRequestRecord;
  pending: PendingAuthorization;
  client: OAuthClient;
  practiceName: string;
  form: FormContext;
}

class RedirectError extends Error {
  constructor(
    readonly code: OAuthErrorCode | 'login_required',
    readonly description: string,
  ) {
    super(description);
  }
}

const now = (deps: AuthorizationDeps) => deps.now?.() ?? Date.now();

/** `GET /oauth2/authorize` (query) and `POST /oauth2/authorize` (form, SMART "authorize-post"). */
export function startAuthorization(deps: AuthorizationDeps) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const params = request.method === 'POST' ? request.body : request.query;
    const read = paramReader(params);
    if (read === undefined) return sendPage(reply, 400, errorPage('Sign-in cannot start', 'The request parameters are malformed (each may appear once).'));

    const clientId = read('client_id');
    const client = clientId ? await deps.store.admin.getClient(clientId) : undefined;
    const practice = client ? await deps.store.admin.getPractice(client.practiceId) : undefined;
    if (!client || !practice || client.redirectUris === undefined) {
      return sendPage(reply, 400, errorPage('Unknown app', 'The app that sent you here is not registered with this practice.'));
    }
    const redirectUri = read('redirect_uri');
    if (!redirectUri || !client.redirectUris.includes(redirectUri)) {
      return sendPage(reply, 400, errorPage('Unknown return address', `The app asked to return you to an address it did not register, so Heron will not send you there.`));
    }
    const state = read('state');
    try {
      const pending = await checkRequest(deps, request, client, read, redirectUri);
      const browserSecret = newOpaqueToken();
      const csrf = newOpaqueToken();
      const id = newOpaqueToken();
      const at = now(deps);
      await deps.store.admin.grants.putRequest(
        { id, tenant: client.practiceId, clientId: client.clientId, params: JSON.stringify(pending), stage: 'sign-in', browserHash: hashOpaque(browserSecret), csrf, expiresAt: at + REQUEST_TTL_MS },
        at,
      );
      reply.header('set-cookie', cookie(deps.serverRoot(request), browserSecret, REQUEST_TTL_MS / 1000));
      return sendPage(reply, 200, signInPage({ requestId: id, csrf, appName: client.name, practiceName: practice.name }));
    } catch (error) {
      if (error instanceof RedirectError) return redirectWithError(reply, redirectUri, error.code, error.description, state);
      throw error;
    }
  };
}

async function checkRequest(
  deps: AuthorizationDeps,
  request: FastifyRequest,
  client: OAuthClient,
  read: (name: string) => string | undefined,
  redirectUri: string,
): Promise<PendingAuthorization> {
  if (read('response_type') !== 'code') throw new RedirectError('unsupported_response_type', 'Only response_type=code is supported');
  const state = read('state');
  if (!state) throw new RedirectError('invalid_request', 'state is required');
  const challenge = read('code_challenge');
  if (!challenge) throw new RedirectError('invalid_request', 'PKCE is required: send code_challenge and code_challenge_method=S256');
  if (read('code_challenge_method') !== 'S256') throw new RedirectError('invalid_request', 'code_challenge_method must be S256 (plain is not accepted)');
  if (!CODE_CHALLENGE.test(challenge)) throw new RedirectError('invalid_request', 'code_challenge must be the base64url SHA-256 of the code_verifier');
  const aud = read('aud');
  const expectedAud = fhirBaseFor(deps.serverRoot(request));
  if (aud === undefined || aud.replace(/\/+$/, '') !== expectedAud) throw new RedirectError('invalid_request', `aud must be this server's FHIR base URL, ${expectedAud}`);
  const launchToken = read('launch');
  let launch: string | undefined;
  if (launchToken !== undefined) {
    launch = hashOpaque(launchToken);
    const stored = launchToken.length <= 256 ? await deps.store.admin.grants.getLaunch(launch) : undefined;
    if (!stored || stored.usedAt !== undefined || stored.expiresAt <= now(deps) || stored.clientId !== client.clientId) {
      throw new RedirectError('invalid_request', 'The launch is unknown, expired, already used or for another app');
    }
  }
  if (read('prompt') === 'none') throw new RedirectError('login_required', 'Heron always asks the user to sign in');
  const nonce = read('nonce');
  if (nonce !== undefined && nonce.length > 512) throw new RedirectError('invalid_request', 'nonce is too long');

  // A granular scope whose query Heron cannot enforce is refused rather than left out: the app
  // asked for a precise subset and would otherwise not learn why it got nothing.
  for (const word of splitScopes(read('scope') ?? '')) {
    const problem = word.includes('?') ? resourceScopeProblem(word) : undefined;
    if (problem !== undefined) throw new RedirectError('invalid_scope', `Unsupported scope ${problem}`);
  }
  // Scopes the app is not registered for, or Heron does not know, are left out (RFC 6749 §3.3
  // lets the server grant less); the consent page shows what remains.
  const registered = parseAppScopes(client.scopes);
  // The launch scope means something only with a launch to go with it.
  const words = splitScopes(read('scope') ?? '').filter((word) => {
    const parsed = parseAppScope(word);
    return parsed !== undefined && appScopeCovered(parsed, registered) && (word !== 'launch' || launch !== undefined);
  });
  if (launch !== undefined && !words.includes('launch')) throw new RedirectError('invalid_scope', 'An EHR launch needs the launch scope');
  const scope = words.join(' ');
  if (!scope) throw new RedirectError('invalid_scope', 'None of the requested scopes is available to this app');
  return { redirectUri, scope, state, codeChallenge: challenge, ...(nonce !== undefined ? { nonce } : {}), ...(launch !== undefined ? { launch } : {}) };
}

/** `POST /oauth2/authorize/sign-in`. */
export function signInStep(deps: AuthorizationDeps) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const form = formOf(request.body);
    const loaded = await loadRequest(deps, request, form, 'sign-in');
    if (typeof loaded === 'string') return sendPage(reply, 400, errorPage('Sign-in expired', loaded));
    const email = form.get('email') ?? '';
    const password = form.get('password') ?? '';

    const ipKey = [`sign-in-ip:${request.ip}`];
    const retryAfter = await deps.signInLimiter.blockedFor(ipKey);
    if (retryAfter !== undefined) {
      reply.header('retry-after', String(retryAfter));
      return sendPage(reply, 429, signInPage({ ...loaded.form, email, error: 'Too many failed sign-ins from this address. Wait a few minutes and try again.' }));
    }
    const result = await checkPassword(deps.store, loaded.row.tenant, email, password, now(deps));
    if (!result.ok) {
      await deps.signInLimiter.recordFailure(ipKey);
      await audit(deps, request, loaded, 'sign-in', 'failure', result.user);
      return sendPage(reply, 401, signInPage({ ...loaded.form, email, error: SIGN_IN_FAILED }));
    }
    const user = result.user;
    if (deps.mfa && (await deps.mfa.required(user))) {
      const csrf = newOpaqueToken();
      if (!(await deps.store.admin.grants.advanceRequest(loaded.row.id, 'sign-in', { stage: 'mfa', csrf, userId: user.id }))) {
        return sendPage(reply, 400, errorPage('Sign-in expired', 'This sign-in was already used. Return to the app and start again.'));
      }
      return deps.mfa.show(reply, { ...loaded.form, csrf }, user);
    }
    await completeSignIn(deps.store, user, now(deps));
    await audit(deps, request, loaded, 'sign-in', 'success', user);
    return showConsent(deps, request, reply, loaded, user, 'sign-in');
  };
}

/**
 * Moves the request to the consent stage and shows the consent page; `fromStage` guards against
 * a second submit of the same form.
 */
export async function showConsent(deps: AuthorizationDeps, request: FastifyRequest, reply: FastifyReply, loaded: LoadedRequest, user: UserRecord, fromStage: string): Promise<void> {
  const csrf = newOpaqueToken();
  const { pending } = loaded;
  let contextPatient = pending.patient;
  if (pending.launch !== undefined) {
    const launch = await deps.store.admin.grants.getLaunch(pending.launch);
    contextPatient = launch?.patient;
    // The launch was made by a signed-in user for this app; another person signing in must not inherit its patient.
    if (!launch || launch.userId !== user.id || launch.usedAt !== undefined || launch.expiresAt <= now(deps)) {
      await deps.store.admin.grants.deleteRequest(loaded.row.id);
      return sendPage(reply, 400, errorPage('Launch not valid', 'This launch was started by another user, has expired or was already used. Open the app from the chart again.'));
    }
  } else if (!isPatientFacing(user) && pending.patient === undefined && splitScopes(pending.scope).includes('launch/patient')) {
    if (!(await deps.store.admin.grants.advanceRequest(loaded.row.id, fromStage, { stage: 'pick-patient', csrf, userId: user.id }))) {
      return sendPage(reply, 400, errorPage('Sign-in expired', 'This sign-in was already used. Return to the app and start again.'));
    }
    return sendPage(reply, 200, patientPickerPage({ ...loaded.form, csrf }));
  }
  const params = fromStage === 'pick-patient' ? JSON.stringify(pending) : undefined;
  if (!(await deps.store.admin.grants.advanceRequest(loaded.row.id, fromStage, { stage: 'consent', csrf, userId: user.id, ...(params !== undefined ? { params } : {}) }))) {
    return sendPage(reply, 400, errorPage('Sign-in expired', 'This sign-in was already used. Return to the app and start again.'));
  }
  const offered = offeredScopes(loaded.pending.scope, user, hasPatientContext(loaded.pending));
  const patientFacing = isPatientFacing(user);
  const describe = (s: AppScope): ConsentScope => ({ scope: s.text, words: describeScope(s, patientFacing) });
  const patientNote = !patientFacing && contextPatient !== undefined ? { patientNote: `Patient/${contextPatient}` } : {};
  const offline = offered.find((s) => s.text === 'offline_access');
  return sendPage(
    reply,
    200,
    consentPage({
      ...loaded.form,
      csrf,
      userEmail: user.email,
      scopes: offered.filter((s) => s.text !== 'offline_access').map(describe),
      ...(offline ? { offline: describe(offline) } : {}),
      ...(user.role === 'proxy' ? { patients: await proxyChoices(deps, request, loaded, user) } : {}),
      ...patientNote,
      redirectUri: loaded.pending.redirectUri,
    }),
    loaded.pending.redirectUri,
  );
}

/** `POST /oauth2/authorize/consent`. */
export function consentStep(deps: AuthorizationDeps) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const form = formOf(request.body);
    const loaded = await loadRequest(deps, request, form, 'consent');
    if (typeof loaded === 'string') return sendPage(reply, 400, errorPage('Sign-in expired', loaded));
    // Single use: a second submit of the same consent (or a replay) finds nothing.
    if (!(await deps.store.admin.grants.deleteRequest(loaded.row.id))) return sendPage(reply, 400, errorPage('Sign-in expired', 'This sign-in was already used.'));
    reply.header('set-cookie', cookie(deps.serverRoot(request), '', 0));
    const { pending } = loaded;
    const user = loaded.row.userId === undefined ? undefined : await deps.store.admin.users.get(loaded.row.userId);
    if (!user || user.status !== 'active') return redirectWithError(reply, pending.redirectUri, 'access_denied', 'The user cannot sign in', pending.state);
    if (form.get('decision') !== 'allow') {
      await audit(deps, request, loaded, 'consent', 'failure', user);
      return redirectWithError(reply, pending.redirectUri, 'access_denied', 'The user denied access', pending.state);
    }

    const ticked = new Set(form.getAll('scope'));
    const granted = offeredScopes(pending.scope, user, hasPatientContext(pending)).filter((s) => ticked.has(s.text));
    if (granted.length === 0) return redirectWithError(reply, pending.redirectUri, 'access_denied', 'The user allowed no scope', pending.state);
    let patient: string | undefined;
    let encounter: string | undefined;
    if (pending.launch !== undefined) {
      const launch = await deps.store.admin.grants.getLaunch(pending.launch);
      if (!launch || launch.userId !== user.id || launch.expiresAt <= now(deps) || !(await deps.store.admin.grants.useLaunch(pending.launch, now(deps)))) {
        return redirectWithError(reply, pending.redirectUri, 'access_denied', 'The launch has expired or was already used', pending.state);
      }
      patient = launch.patient;
      encounter = launch.encounter;
    } else if (!isPatientFacing(user)) patient = pending.patient;
    else if (user.role === 'patient') patient = user.patients?.[0];
    else if (user.role === 'proxy') {
      const chosen = form.get('patient') ?? (user.patients?.length === 1 ? user.patients[0] : undefined);
      if (chosen === undefined || !(user.patients ?? []).includes(chosen)) return redirectWithError(reply, pending.redirectUri, 'access_denied', 'No patient was chosen', pending.state);
      patient = chosen;
    }

    const at = now(deps);
    const grantId = randomUUID();
    await deps.store.admin.grants.createGrant({
      id: grantId,
      tenant: loaded.row.tenant,
      clientId: loaded.client.clientId,
      userId: user.id,
      scope: granted.map((s) => s.text).join(' '),
      ...(patient !== undefined ? { patient } : {}),
      ...(encounter !== undefined ? { encounter } : {}),
      createdAt: at,
      expiresAt: at + GRANT_MAX_AGE_MS,
    });
    const code = newOpaqueToken();
    await deps.store.admin.grants.createCode({
      codeHash: hashOpaque(code),
      tenant: loaded.row.tenant,
      grantId,
      clientId: loaded.client.clientId,
      redirectUri: pending.redirectUri,
      codeChallenge: pending.codeChallenge,
      ...(pending.nonce !== undefined ? { nonce: pending.nonce } : {}),
      expiresAt: at + CODE_TTL_MS,
    });
    await audit(deps, request, loaded, 'consent', 'success', user);
    const target = new URL(pending.redirectUri);
    target.searchParams.set('code', code);
    target.searchParams.set('state', pending.state);
    await reply.code(303).headers({ location: target.toString(), 'cache-control': 'no-store' }).send();
  };
}

/**
 * The scopes the consent page offers this user: a staff member without a patient context (no
 * EHR launch, no picked patient) is offered no `patient/` scopes and no launch scopes, which
 * would have no record to apply to; only a practice administrator is offered `heron/admin`.
 */
export function offeredScopes(scope: string, user: UserRecord, patientContext: boolean): AppScope[] {
  const withPatient = isPatientFacing(user) || patientContext;
  return splitScopes(scope)
    .map((w) => parseAppScope(w))
    .filter((s): s is AppScope => s !== undefined)
    .filter((s) => withPatient || !(s.text === 'launch/patient' || s.text === 'launch' || (s.kind === 'resource' && s.context === 'patient')))
    .filter((s) => s.text !== ADMIN_SCOPE || user.role === 'practice-admin');
}

function hasPatientContext(pending: PendingAuthorization): boolean {
  return pending.launch !== undefined || pending.patient !== undefined;
}

const PICKER_RESULTS = 20;
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/**
 * `POST /oauth2/authorize/patient`: the patient picker of a staff member's standalone launch.
 * A search (`q`) lists patients of the practice by name; a choice (`patient`) moves on to
 * consent. Both go through the FHIR API as the signed-in user (their role decides, the search is
 * audited), never further than Patient demographics.
 */
export function pickPatientStep(deps: AuthorizationDeps) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const form = formOf(request.body);
    const loaded = await loadRequest(deps, request, form, 'pick-patient');
    if (typeof loaded === 'string') return sendPage(reply, 400, errorPage('Sign-in expired', loaded));
    const user = loaded.row.userId === undefined ? undefined : await deps.store.admin.users.get(loaded.row.userId);
    if (!user || user.status !== 'active' || isPatientFacing(user)) return sendPage(reply, 400, errorPage('Sign-in expired', 'Return to the app and start again.'));
    const ctx: Ctx = {
      tenant: user.tenant,
      principal: { kind: 'user', id: user.id, tenant: user.tenant, role: user.role as Role, scopes: ['user/Patient.rs'], clientId: loaded.client.clientId, ...(user.fhirUser ? { fhirUser: user.fhirUser } : {}) },
      store: deps.store,
      audit: deps.audit,
      origin: { ip: request.ip, userAgent: request.headers['user-agent'] },
    };
    const base = fhirBaseFor(deps.serverRoot(request));
    const chosen = form.get('patient');
    if (chosen) {
      const found = FHIR_ID.test(chosen) ? await fhirGet(ctx, base, `Patient/${chosen}`) : undefined;
      if (found?.status === 200) return showConsent(deps, request, reply, { ...loaded, pending: { ...loaded.pending, patient: chosen } }, user, 'pick-patient');
    }
    const q = (form.get('q') ?? '').trim().slice(0, 100);
    let results: PatientChoice[] = [];
    if (q) {
      const bundle = (await fhirGet(ctx, base, 'Patient', new URLSearchParams({ name: q, _count: String(PICKER_RESULTS) })))?.body as
        | { entry?: { resource?: ChoiceResource }[] }
        | undefined;
      results = (bundle?.entry ?? []).flatMap((e) => (e.resource?.id ? [patientChoice(e.resource as ChoiceResource & { id: string })] : []));
    }
    const csrf = newOpaqueToken();
    if (!(await deps.store.admin.grants.advanceRequest(loaded.row.id, 'pick-patient', { stage: 'pick-patient', csrf }))) {
      return sendPage(reply, 400, errorPage('Sign-in expired', 'This sign-in was already used. Return to the app and start again.'));
    }
    return sendPage(reply, 200, patientPickerPage({ ...loaded.form, csrf, q, results, ...(chosen ? { error: 'That patient was not found.' } : {}) }));
  };
}

/**
 * The people a proxy acts for, by name and date of birth, for the consent page's "Whose record":
 * read as the proxy itself (its own access rules, audited), an id when a record cannot be read.
 */
async function proxyChoices(deps: AuthorizationDeps, request: FastifyRequest, loaded: LoadedRequest, user: UserRecord): Promise<PatientChoice[]> {
  const patients = user.patients ?? [];
  const ctx: Ctx = {
    tenant: user.tenant,
    principal: {
      kind: 'user',
      id: user.id,
      tenant: user.tenant,
      role: 'proxy',
      scopes: ['user/Patient.rs'],
      clientId: loaded.client.clientId,
      patients: [...patients],
      ...(user.limitedPatients ? { limitedPatients: [...user.limitedPatients] } : {}),
      ...(user.fhirUser ? { fhirUser: user.fhirUser } : {}),
    },
    store: deps.store,
    audit: deps.audit,
    origin: { ip: request.ip, userAgent: request.headers['user-agent'] },
  };
  const base = fhirBaseFor(deps.serverRoot(request));
  return Promise.all(
    patients.map(async (id) => {
      const found = await fhirGet(ctx, base, `Patient/${id}`);
      return found?.status === 200 ? patientChoice({ ...(found.body as ChoiceResource), id }) : { id, label: `Patient/${id}` };
    }),
  );
}

type ChoiceResource = { id?: string; name?: { text?: string; family?: string; given?: string[] }[]; birthDate?: string };

function patientChoice(r: ChoiceResource & { id: string }): PatientChoice {
  const name = r.name?.[0];
  const label = name?.text ?? [...(name?.given ?? []), name?.family ?? ''].join(' ').trim();
  return { id: r.id, label: label || `Patient/${r.id}`, ...(r.birthDate ? { birthDate: r.birthDate } : {}) };
}

async function fhirGet(ctx: Ctx, baseUrl: string, path: string, query = new URLSearchParams()) {
  try {
    return await dispatch(ctx, { method: 'GET', path, query, headers: {}, baseUrl });
  } catch (error) {
    if (error instanceof FhirError) return undefined;
    throw error;
  }
}

function isPatientFacing(user: UserRecord): boolean {
  return user.role === 'patient' || user.role === 'proxy';
}

/**
 * Finds the stored request a form post continues and checks it: not expired, at `stage`, from
 * the browser that started it, with the current CSRF token. A string is the reason to refuse.
 */
export async function loadRequest(deps: AuthorizationDeps, request: FastifyRequest, form: URLSearchParams, stage: string): Promise<LoadedRequest | string> {
  const expired = 'This sign-in has expired or was already used. Return to the app and start again.';
  const id = form.get('request');
  const row = id ? await deps.store.admin.grants.getRequest(id) : undefined;
  if (!row || row.expiresAt <= now(deps) || row.stage !== stage) return expired;
  const browserSecret = readCookie(request.headers.cookie, COOKIE);
  if (browserSecret === undefined || !sameSecret(hashOpaque(browserSecret), row.browserHash)) return 'This sign-in was started in another browser. Return to the app and start again.';
  if (!sameSecret(form.get('csrf') ?? '', row.csrf)) return expired;
  const client = await deps.store.admin.getClient(row.clientId);
  const practice = client ? await deps.store.admin.getPractice(client.practiceId) : undefined;
  if (!client || !practice) return 'The app is no longer registered.';
  const pending = JSON.parse(row.params) as PendingAuthorization;
  return { row, pending, client, practiceName: practice.name, form: { requestId: row.id, csrf: row.csrf, appName: client.name, practiceName: practice.name } };
}

export async function audit(
  deps: AuthorizationDeps,
  request: FastifyRequest,
  loaded: LoadedRequest,
  action: string,
  outcome: 'success' | 'failure',
  user: UserRecord | undefined,
): Promise<void> {
  const principal: Principal = user
    ? { kind: 'user', id: user.id, tenant: user.tenant, scopes: [], role: user.role as Role, clientId: loaded.client.clientId, ...(user.fhirUser ? { fhirUser: user.fhirUser } : {}) }
    : { kind: 'system', id: 'anonymous', tenant: loaded.row.tenant, scopes: [] };
  await deps.audit.record({
    tenant: loaded.row.tenant,
    principal,
    action,
    outcome,
    origin: { ip: request.ip, userAgent: request.headers['user-agent'] },
    at: new Date(now(deps)).toISOString(),
  });
}

async function redirectWithError(reply: FastifyReply, redirectUri: string, error: string, description: string, state: string | undefined): Promise<void> {
  const target = new URL(redirectUri);
  target.searchParams.set('error', error);
  target.searchParams.set('error_description', description);
  if (state !== undefined) target.searchParams.set('state', state);
  await reply.code(303).headers({ location: target.toString(), 'cache-control': 'no-store' }).send();
}

/** Reads single-valued parameters; undefined when any parameter is repeated or not a string. */
function paramReader(params: unknown): ((name: string) => string | undefined) | undefined {
  const map = new Map<string, string>();
  if (params instanceof URLSearchParams) {
    for (const [k, v] of params) {
      if (map.has(k)) return undefined;
      map.set(k, v);
    }
  } else if (params && typeof params === 'object') {
    for (const [k, v] of Object.entries(params)) {
      if (typeof v !== 'string') return undefined;
      map.set(k, v);
    }
  }
  return (name) => {
    const v = map.get(name);
    return v === '' ? undefined : v;
  };
}

export function formOf(body: unknown): URLSearchParams {
  return body instanceof URLSearchParams ? body : new URLSearchParams();
}

function cookie(serverRoot: string, value: string, maxAgeSeconds: number): string {
  const secure = serverRoot.startsWith('https:') ? '; Secure' : '';
  return `${COOKIE}=${value}; Path=/oauth2/authorize; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure}`;
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...rest] = part.trim().split('=');
    if (k === name) return rest.join('=');
  }
  return undefined;
}
