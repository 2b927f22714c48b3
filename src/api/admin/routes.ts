/**
 * The practice-admin API as one Fastify plugin, mounted at `/admin/v1` by `src/api/app.ts`: user
 * accounts, apps and backend services, and the practice's sign-in policy, for a practice
 * administrator signed in through an app with the `heron/admin` scope (docs/auth.md, "Admin
 * API"). JSON in and out; every error is an OperationOutcome (`api/errors.ts`); every call is
 * audited (`admin-call.ts`).
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { AuditSink } from '../../domain/audit/audit-sink.ts';
import { loggingLinkSender, type AccountLinkSender } from '../../domain/users/link-sender.ts';
import type { FhirStore } from '../../store/store.ts';
import type { Authenticate } from '../auth/authenticate.ts';
import { bearerFailureRecorder, type BearerFailureBudget } from '../auth/bearer-failures.ts';
import type { SigningKeys } from '../auth/keys.ts';
import { adminRoute, type AdminAction, type AdminDeps, type AdminHandler } from './admin-call.ts';
import { disableAppHandler, listAppsHandler, readAppHandler, registerAppHandler } from './apps.ts';
import { ADMIN_BODY_BYTES, registerAdminBodyParser } from './input.ts';
import {
  changeRoleHandler,
  createUserHandler,
  disableUserHandler,
  enableUserHandler,
  inviteUserHandler,
  listUsersHandler,
  passwordResetHandler,
  putMfaPolicyHandler,
  readMfaPolicyHandler,
  readUserHandler,
  resetMfaHandler,
  signOutEverywhereHandler,
} from './users.ts';
import type { Clock } from '../../domain/clock.ts';

export { ADMIN_BASE_PATH } from './admin-call.ts';

export interface AdminRoutesOptions {
  store: FhirStore;
  audit: AuditSink;
  /** The FHIR API's authenticator, so that disabling a user or app clears its token cache. */
  authenticate: Authenticate;
  /** The signing key loader, to attribute refused tokens. */
  keys: () => Promise<SigningKeys>;
  /** Refused tokens audited per address and overall, shared with the FHIR API's budget. */
  bearerFailureBudget?: BearerFailureBudget;
  /** The public server root; taken from the request (protocol and Host) when absent. */
  publicBaseUrl?: string;
  /** Sends password-reset links; the development sender logs them. */
  linkSender?: AccountLinkSender;
  /** Whether a second factor can be checked on this server (a secret key is configured). */
  mfaAvailable: boolean;
  now?: Clock;
}

type Method = 'GET' | 'POST' | 'PUT';

/** Every route: method, path, what is audited, and the handler. */
const ROUTES: [Method, string, AdminAction, AdminHandler][] = [
  ['POST', '/users', { action: 'admin-user-create', changes: true }, createUserHandler],
  ['GET', '/users', { action: 'admin-user-list', changes: false }, listUsersHandler],
  ['GET', '/users/:id', { action: 'admin-user-read', changes: false, target: 'User' }, readUserHandler],
  ['POST', '/users/:id/disable', { action: 'admin-user-disable', changes: true, target: 'User' }, disableUserHandler],
  ['POST', '/users/:id/enable', { action: 'admin-user-enable', changes: true, target: 'User' }, enableUserHandler],
  ['POST', '/users/:id/invite', { action: 'admin-user-invite', changes: true, target: 'User' }, inviteUserHandler],
  ['POST', '/users/:id/password-reset', { action: 'admin-user-password-reset', changes: true, target: 'User' }, passwordResetHandler],
  ['POST', '/users/:id/sign-out-everywhere', { action: 'admin-user-sign-out-everywhere', changes: true, target: 'User' }, signOutEverywhereHandler],
  ['POST', '/users/:id/role', { action: 'admin-user-role', changes: true, target: 'User' }, changeRoleHandler],
  ['POST', '/users/:id/mfa-reset', { action: 'admin-user-mfa-reset', changes: true, target: 'User' }, resetMfaHandler],
  ['GET', '/practice/mfa-policy', { action: 'admin-mfa-policy-read', changes: false }, readMfaPolicyHandler],
  ['PUT', '/practice/mfa-policy', { action: 'admin-mfa-policy', changes: true }, putMfaPolicyHandler],
  ['POST', '/apps', { action: 'admin-app-register', changes: true }, registerAppHandler],
  ['GET', '/apps', { action: 'admin-app-list', changes: false }, listAppsHandler],
  ['GET', '/apps/:id', { action: 'admin-app-read', changes: false, target: 'Client' }, readAppHandler],
  ['POST', '/apps/:id/disable', { action: 'admin-app-disable', changes: true, target: 'Client' }, disableAppHandler],
];

/** Registers the admin API; register with `{ prefix: ADMIN_BASE_PATH }`. */
export const adminRoutes: FastifyPluginAsync<AdminRoutesOptions> = async (app, options) => {
  registerAdminBodyParser(app);
  const configuredRoot = options.publicBaseUrl?.replace(/\/+$/, '');
  const deps: AdminDeps = {
    store: options.store,
    audit: options.audit,
    authenticate: options.authenticate,
    recordAuthFailure: bearerFailureRecorder({
      store: options.store,
      audit: options.audit,
      keys: options.keys,
      warn: (obj, msg) => app.log.warn(obj, msg),
      ...(options.now ? { now: options.now } : {}),
      ...(options.bearerFailureBudget ? { budget: options.bearerFailureBudget } : {}),
    }),
    serverRoot: (request: FastifyRequest) => configuredRoot ?? `${request.protocol}://${request.host}`,
    linkSender: options.linkSender ?? loggingLinkSender((obj, msg) => app.log.warn(obj, msg)),
    mfaAvailable: options.mfaAvailable,
    now: options.now ?? Date.now,
  };
  for (const [method, url, action, handler] of ROUTES) app.route({ method, url, bodyLimit: ADMIN_BODY_BYTES, handler: adminRoute(deps, action, handler) });
};
