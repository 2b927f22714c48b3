/**
 * User accounts through the admin API: what `heron user create|invite|disable|enable` and `heron
 * practice require-mfa` do, for a practice administrator over HTTP, always within the
 * administrator's own practice. The rules (roles, email, password policy, patients) are the
 * domain's (`domain/users/`); this file reads the request and shapes the answer.
 */
import { ROLES } from '../../domain/access/principal.ts';
import { createAccountLink, inviteUser } from '../../domain/users/account-links.ts';
import { checkRoleChange } from '../../domain/users/change-role.ts';
import { createUser } from '../../domain/users/create-user.ts';
import { errors } from '../../fhir/outcome.ts';
import type { UserRecord, UserStatus } from '../../store/user-accounts.ts';
import { accountLinkUrl } from '../auth/account-links.ts';
import { ADMIN_BASE_PATH, type AdminCall, type AdminDeps, type AdminHandler, type AdminResult } from './admin-call.ts';
import { bodyFields, nextPageUrl, noBody, optionalBoolean, optionalString, optionalStrings, pageSize, queryParams, readCursor, requiredString, withFieldNames } from './input.ts';
import { userView } from './views.ts';

const STATUSES: readonly UserStatus[] = ['active', 'disabled', 'invited'];
/** The domain's names for what the API calls `fhir_user` and `patients`. */
const FIELD_NAMES = { fhirUser: 'fhir_user', patient: 'patients', limitedPatient: 'limited_patients' };

/** The user `:id` of the administrator's practice; 404 alike for unknown ids and other practices' users. */
async function userOf(call: AdminCall, deps: AdminDeps): Promise<UserRecord> {
  const id = (call.request.params as { id: string }).id;
  const user = id.length <= 128 ? await deps.store.admin.users.get(id) : undefined;
  if (!user || user.tenant !== call.tenant) throw errors.notFound(`No user ${id} in this practice`);
  return user;
}

const userRef = (user: UserRecord) => `User/${user.id}`;
const patientsOf = (user: UserRecord) => (user.patients ?? []).map((p) => `Patient/${p}`);

/** The answer for one user after a change, with the entry's subject. */
function changed(user: UserRecord, at: number, detail: Record<string, unknown>, status = 200, extra: Record<string, unknown> = {}): AdminResult {
  return { status, body: { ...userView(user, at), ...extra }, entities: [userRef(user)], patients: patientsOf(user), detail };
}

async function reload(deps: AdminDeps, user: UserRecord): Promise<UserRecord> {
  return (await deps.store.admin.users.get(user.id)) ?? user;
}

/** `POST /users`: `email`, `role`, and either `password` or `invite: true`; `fhir_user`, `patients`, `limited_patients` (a proxy's, with limited access). */
export const createUserHandler: AdminHandler = async (call, deps) => {
  const fields = bodyFields(call.request, ['email', 'role', 'password', 'invite', 'fhir_user', 'patients', 'limited_patients']);
  const email = requiredString(fields, 'email');
  const role = requiredString(fields, 'role', 100);
  const password = optionalString(fields, 'password');
  const invite = optionalBoolean(fields, 'invite') === true;
  if (invite === (password !== undefined)) throw errors.invalid('Give either "password" or "invite": true (the person then sets their own password)', 'password');
  const fhirUser = optionalString(fields, 'fhir_user', 200);
  const patients = optionalStrings(fields, 'patients', 100, 100);
  const limitedPatients = optionalStrings(fields, 'limited_patients', 100, 100);
  const account = {
    practiceId: call.tenant,
    role,
    email,
    ...(fhirUser !== undefined ? { fhirUser } : {}),
    ...(patients !== undefined ? { patients } : {}),
    ...(limitedPatients !== undefined ? { limitedPatients } : {}),
  };

  let id: string;
  let invitation: { link: string; expires_at: string } | undefined;
  if (invite) {
    const invited = await withFieldNames(FIELD_NAMES, () => inviteUser(deps.store, account, call.at));
    id = invited.id;
    invitation = { link: accountLinkUrl(call.serverRoot, invited.token), expires_at: new Date(invited.expiresAt).toISOString() };
  } else {
    ({ id } = await withFieldNames(FIELD_NAMES, () => createUser(deps.store, { ...account, password: password! })));
  }
  const user = await deps.store.admin.users.get(id);
  if (!user) throw new Error(`The user ${id} just created cannot be read back`);
  const detail = { role: user.role, status: user.status, ...(user.fhirUser !== undefined ? { fhir_user: user.fhirUser } : {}), ...(user.patients !== undefined ? { patients: user.patients } : {}), ...(user.limitedPatients !== undefined ? { limited_patients: user.limitedPatients } : {}) };
  return {
    ...changed(user, call.at, detail, 201, invitation ? { invitation } : {}),
    headers: { location: `${call.serverRoot}${ADMIN_BASE_PATH}/users/${user.id}` },
  };
};

/** `GET /users?role=&status=&_count=&_cursor=`: the practice's users by email, a page at a time. */
export const listUsersHandler: AdminHandler = async (call, deps) => {
  const params = queryParams(call.request, ['role', 'status', '_count', '_cursor']);
  const role = params.get('role');
  if (role !== undefined && !(ROLES as readonly string[]).includes(role)) throw errors.invalid(`Unknown role "${role}"; one of ${ROLES.join(', ')}`, 'role');
  const status = params.get('status');
  if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) throw errors.invalid(`Unknown status "${status}"; one of ${STATUSES.join(', ')}`, 'status');
  const count = pageSize(params);
  const afterEmail = readCursor(params);
  const rows = await deps.store.admin.users.list(call.tenant, {
    count: count + 1,
    ...(role !== undefined ? { role } : {}),
    ...(status !== undefined ? { status: status as UserStatus } : {}),
    ...(afterEmail !== undefined ? { afterEmail } : {}),
  });
  const page = rows.slice(0, count);
  const body: { users: unknown[]; next?: string } = { users: page.map((u) => userView(u, call.at)) };
  if (rows.length > count) body.next = nextPageUrl(call.serverRoot, `${ADMIN_BASE_PATH}/users`, params, page[page.length - 1].email);
  return { status: 200, body, entities: page.map(userRef), detail: { ...(role !== undefined ? { role } : {}), ...(status !== undefined ? { status } : {}) } };
};

/** `GET /users/:id`. */
export const readUserHandler: AdminHandler = async (call, deps) => {
  queryParams(call.request, []);
  const user = await userOf(call, deps);
  return { status: 200, body: userView(user, call.at), entities: [userRef(user)] };
};

/**
 * `POST /users/:id/disable`: no sign-in, and every token and grant the user holds stops working
 * (as `heron user disable`). Administrators cannot disable themselves: the practice could be
 * left with nobody to undo it but the command line.
 */
export const disableUserHandler: AdminHandler = (call, deps) =>
  setStatus(call, deps, 'disabled', (user) => {
    if (user.id === call.principal.id) throw errors.conflict('You cannot disable your own account; ask another practice administrator');
  });

/** `POST /users/:id/enable`: sign-in again; tokens from before stay dead (as `heron user enable`). */
export const enableUserHandler: AdminHandler = (call, deps) =>
  setStatus(call, deps, 'active', (user) => {
    if (user.status === 'invited') throw errors.conflict('This account is waiting for its invitation to be accepted, not disabled; send a new invitation instead');
  });

/** Either direction ends the user's tokens, here and in this server's token cache at once. */
async function setStatus(call: AdminCall, deps: AdminDeps, status: 'active' | 'disabled', refuse: (user: UserRecord) => void): Promise<AdminResult> {
  noBody(call.request);
  const user = await userOf(call, deps);
  refuse(user);
  await deps.store.admin.users.setStatus(user.id, status, call.at);
  deps.authenticate.forget((p) => p.kind === 'user' && p.id === user.id);
  return changed(await reload(deps, user), call.at, { status, previous_status: user.status });
}

/** `POST /users/:id/invite`: a new invitation link (7 days) for an account not yet accepted. */
export const inviteUserHandler: AdminHandler = async (call, deps) => {
  noBody(call.request);
  const user = await userOf(call, deps);
  if (user.status !== 'invited') throw errors.conflict(`This account is ${user.status}, not waiting for an invitation; ${user.status === 'active' ? 'send a password reset instead' : 'enable it first'}`);
  const { token, expiresAt } = await createAccountLink(deps.store, user, 'invite', call.at);
  const expires = new Date(expiresAt).toISOString();
  return changed(user, call.at, { link: 'invite', expires_at: expires }, 200, { invitation: { link: accountLinkUrl(call.serverRoot, token), expires_at: expires } });
};

/**
 * `POST /users/:id/password-reset`: sends the person a link (1 hour) to set a new password,
 * through the deployment's link sender — to them, not to the administrator, who never sees it:
 * an administrator who could set someone's password could sign in as them unnoticed.
 */
export const passwordResetHandler: AdminHandler = async (call, deps) => {
  noBody(call.request);
  const user = await userOf(call, deps);
  if (user.status !== 'active') throw errors.conflict(`This account is ${user.status}; ${user.status === 'invited' ? 'send a new invitation instead' : 'enable it first'}`);
  const { token, expiresAt } = await createAccountLink(deps.store, user, 'reset', call.at);
  await deps.linkSender.send({ tenant: user.tenant, email: user.email, purpose: 'reset', link: accountLinkUrl(call.serverRoot, token), expiresAt });
  const expires = new Date(expiresAt).toISOString();
  return { status: 202, body: { status: 'sent', email: user.email, expires_at: expires }, entities: [userRef(user)], patients: patientsOf(user), detail: { link: 'reset', expires_at: expires } };
};

/** `POST /users/:id/sign-out-everywhere`: every token of the user, in every app, ends; every grant is revoked. */
export const signOutEverywhereHandler: AdminHandler = async (call, deps) => {
  noBody(call.request);
  const user = await userOf(call, deps);
  await deps.store.admin.users.setTokensValidAfter(user.id, call.at);
  const revoked = await deps.store.admin.grants.revokeUserGrants(call.tenant, user.id, call.at);
  deps.authenticate.forget((p) => p.kind === 'user' && p.id === user.id);
  return { status: 200, body: { revoked_grants: revoked }, entities: [userRef(user)], patients: patientsOf(user), detail: { revoked_grants: revoked } };
};

/**
 * `POST /users/:id/role` with `{"role": …}`: the new role takes effect at once — every token and
 * grant the person holds ends (their next request is refused and they sign in again with the new
 * role's access), here and in this server's token cache. The rules are `domain/users/change-role.ts`.
 */
export const changeRoleHandler: AdminHandler = async (call, deps) => {
  const fields = bodyFields(call.request, ['role']);
  const wanted = requiredString(fields, 'role', 100);
  const user = await userOf(call, deps);
  const role = checkRoleChange(user, wanted, call.principal.id);
  if (role === user.role) return changed(user, call.at, { role, previous_role: user.role, unchanged: true });
  await deps.store.admin.users.setRole(user.id, role, call.at);
  const revoked = await deps.store.admin.grants.revokeUserGrants(call.tenant, user.id, call.at);
  deps.authenticate.forget((p) => p.kind === 'user' && p.id === user.id);
  return changed(await reload(deps, user), call.at, { role, previous_role: user.role, revoked_grants: revoked });
};

/**
 * `POST /users/:id/mfa-reset`: removes the second factor (its key and recovery codes), for
 * someone who lost their authenticator; the next sign-in enrols a new one (when the practice
 * requires it, before anything else). Their tokens end too, so that next sign-in is now, and
 * whoever holds the lost device's sessions loses them.
 */
export const resetMfaHandler: AdminHandler = async (call, deps) => {
  noBody(call.request);
  const user = await userOf(call, deps);
  if (user.mfaSecret === undefined) throw errors.conflict('This account has no second factor to reset');
  await deps.store.admin.users.resetMfa(user.id, call.at);
  const revoked = await deps.store.admin.grants.revokeUserGrants(call.tenant, user.id, call.at);
  deps.authenticate.forget((p) => p.kind === 'user' && p.id === user.id);
  return changed(await reload(deps, user), call.at, { mfa_configured: false, revoked_grants: revoked });
};

/** `GET /practice/mfa-policy`. */
export const readMfaPolicyHandler: AdminHandler = async (call, deps) => {
  queryParams(call.request, []);
  const required = await deps.store.admin.users.practiceRequiresMfa(call.tenant);
  return { status: 200, body: { mfa_required: required, mfa_available: deps.mfaAvailable }, entities: [`Practice/${call.tenant}`] };
};

/**
 * `PUT /practice/mfa-policy` with `{"mfa_required": true|false}` (as `heron practice
 * require-mfa`). Requiring it on a server that cannot check a second factor (no secret key)
 * would stop every user of the practice from signing in, the administrator too, so that is refused.
 */
export const putMfaPolicyHandler: AdminHandler = async (call, deps) => {
  const fields = bodyFields(call.request, ['mfa_required']);
  const required = optionalBoolean(fields, 'mfa_required');
  if (required === undefined) throw errors.invalid('"mfa_required" (true or false) is required', 'mfa_required');
  if (required && !deps.mfaAvailable) {
    throw errors.conflict('This server cannot check a second factor (HERON_SECRET_KEY is not set), so requiring one would stop every user of the practice from signing in');
  }
  const before = await deps.store.admin.users.practiceRequiresMfa(call.tenant);
  await deps.store.admin.users.setPracticeRequiresMfa(call.tenant, required);
  return { status: 200, body: { mfa_required: required, mfa_available: deps.mfaAvailable }, entities: [`Practice/${call.tenant}`], detail: { mfa_required: required, previous: before } };
};
