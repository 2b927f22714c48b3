/**
 * The frame of every admin API call, so no handler can forget a step: authenticate the bearer
 * token (the FHIR API's authenticator and cache), check the caller is a practice administrator
 * with the `heron/admin` scope (`domain/access/admin-access.ts`), run the handler, and audit the
 * call — success or failure — before anything is answered.
 *
 * The account and client tables are written in their own short transactions (`AdminStore`), which
 * the audit entry cannot join. So a change is committed first and its entry is then committed in
 * a transaction of its own, flushed to disk like a FHIR write; only then is the answer (which may
 * hold a client secret or an invitation link) sent. If the entry cannot be written the caller gets
 * a 500 and nothing of the result (fail-closed), and the server log has the error. Reads (lists)
 * and refusals are group-committed and awaited, as the FHIR API does for reads and failures.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { adminRefusal, type AdminPrincipal } from '../../domain/access/admin-access.ts';
import type { Principal } from '../../domain/access/principal.ts';
import { ADMIN_ENTITY_ID } from '../../domain/audit/audit-event.ts';
import type { AuditRecord, AuditSink } from '../../domain/audit/audit-sink.ts';
import type { AccountLinkSender } from '../../domain/users/link-sender.ts';
import { errors, FhirError } from '../../fhir/outcome.ts';
import type { FhirStore } from '../../store/store.ts';
import { fhirBaseFor } from '../auth/access-token.ts';
import type { Authenticate } from '../auth/authenticate.ts';
import type { BearerFailureRecorder } from '../auth/bearer-failures.ts';
import type { Clock } from '../../domain/clock.ts';

/** Where the admin API is mounted below the server root; the version is in the path so it can change. */
export const ADMIN_BASE_PATH = '/admin/v1';

export interface AdminDeps {
  store: FhirStore;
  audit: AuditSink;
  /** The FHIR API's authenticator: admin calls take the same tokens, and ending tokens clears its cache. */
  authenticate: Authenticate;
  /** Audits a refused token (401) as the FHIR API does: attributed only when this server signed it. */
  recordAuthFailure: BearerFailureRecorder;
  /** The public server root (links, paging URLs, the token audience). */
  serverRoot: (request: FastifyRequest) => string;
  /** Sends password-reset links to the person (never to the administrator). */
  linkSender: AccountLinkSender;
  /** Whether TOTP can be enrolled and checked on this server (a secret key is configured). */
  mfaAvailable: boolean;
  now: Clock;
}

/** One authorised call: who, in which practice, from where, when. */
export interface AdminCall {
  readonly tenant: string;
  readonly principal: AdminPrincipal;
  readonly origin: { ip?: string; userAgent?: string };
  /** Epoch ms at which the call started; every time it records is this one. */
  readonly at: number;
  readonly request: FastifyRequest;
  readonly serverRoot: string;
}

/** What a handler did: the answer, and what the audit entry says about it. */
export interface AdminResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** What was touched, as `User/…`, `Client/…` or `Practice/…`. */
  entities?: string[];
  /** `Patient/…` whose record the change concerns (a patient's or proxy's account). */
  patients?: string[];
  /** What changed, kept in the entry as JSON. */
  detail?: Record<string, unknown>;
}

export type AdminHandler = (call: AdminCall, deps: AdminDeps) => Promise<AdminResult>;

export interface AdminAction {
  /** The audit action, e.g. `admin-user-disable`. */
  action: string;
  /** The call changes accounts or configuration: its success entry is committed durably on its own. */
  changes: boolean;
  /** What the route's `:id` names, so that a refused or failed call still says what was attempted. */
  target?: 'User' | 'Client';
}

/** A route handler that frames `handler` (see the module comment). */
export function adminRoute(deps: AdminDeps, { action, changes, target }: AdminAction, handler: AdminHandler) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const serverRoot = deps.serverRoot(request);
    const authorization = request.headers.authorization;
    let principal: Principal;
    try {
      principal = await deps.authenticate(authorization, fhirBaseFor(serverRoot));
    } catch (err) {
      if (err instanceof FhirError && err.category === 'unauthenticated') await deps.recordAuthFailure(request, authorization, err);
      throw err;
    }
    const origin = { ip: request.ip, userAgent: request.headers['user-agent'] };
    const at = deps.now();
    const entry = (outcome: AuditRecord['outcome']): AuditRecord => ({ tenant: principal.tenant, principal, action, outcome, origin, at: new Date(at).toISOString() });

    let result: AdminResult;
    try {
      const call: AdminCall = { tenant: principal.tenant, principal: await requireAdmin(deps, principal), origin, at, request, serverRoot };
      result = await handler(call, deps);
    } catch (err) {
      await deps.audit.record({ ...entry('failure'), reason: err instanceof FhirError ? err.category : 'internal error', ...targetOf(request, target) });
      throw err;
    }

    const record: AuditRecord = { ...entry('success') };
    if (result.entities !== undefined) record.ids = result.entities;
    if (result.patients !== undefined && result.patients.length > 0) record.patients = result.patients;
    if (result.detail !== undefined) record.detail = JSON.stringify(result.detail);
    if (changes) await deps.store.transaction(principal.tenant, async (tx) => deps.audit.record(record, tx));
    else await deps.audit.record(record);

    await reply
      .code(result.status)
      .headers({ 'cache-control': 'no-store', pragma: 'no-cache', ...result.headers })
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(result.body));
  };
}

async function requireAdmin(deps: AdminDeps, principal: Principal): Promise<AdminPrincipal> {
  const account = principal.kind === 'user' ? await deps.store.admin.users.get(principal.id) : undefined;
  const refusal = adminRefusal(principal, account);
  if (refusal !== undefined) throw errors.forbidden(refusal);
  return principal as AdminPrincipal;
}

/** The `User/…` or `Client/…` a call addressed, when its id is one Heron could have issued. */
function targetOf(request: FastifyRequest, target: AdminAction['target']): { ids?: string[] } {
  const id = (request.params as { id?: unknown } | undefined)?.id;
  return target !== undefined && typeof id === 'string' && ADMIN_ENTITY_ID.test(id) ? { ids: [`${target}/${id}`] } : {};
}
