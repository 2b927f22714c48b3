/**
 * The one place every FHIR interaction is authorised. Every interaction handler calls
 * `authorize` before touching the store; issue #4 fills in roles, patient compartments,
 * consent and SMART scopes here, so no route can forget them.
 */
import type { Ctx } from '../context.ts';
import { errors } from '../../fhir/outcome.ts';

export type Interaction =
  | 'read'
  | 'vread'
  | 'update'
  | 'patch'
  | 'delete'
  | 'history-instance'
  | 'history-type'
  | 'history-system'
  | 'create'
  | 'search-type'
  | 'search-system'
  | 'batch'
  | 'transaction'
  | 'operation';

export interface AccessRequest {
  interaction: Interaction;
  resourceType?: string;
  id?: string;
}

const READS: ReadonlySet<Interaction> = new Set(['read', 'vread', 'history-instance', 'history-type', 'history-system', 'search-type', 'search-system']);

/**
 * Throws `forbidden` unless the principal may perform the interaction. Today: the principal's
 * practice must be the ctx's practice, and a client's scopes must allow reads or writes of the
 * type (`system/*.*`, `system/Patient.read`, `system/*.rs`, …).
 */
export function authorize(ctx: Ctx, request: AccessRequest): void {
  if (ctx.principal.tenant !== ctx.tenant) throw errors.forbidden('Access to this practice is not allowed');
  if (request.interaction === 'batch' || request.interaction === 'transaction') return; // each entry is authorised itself
  if (!isAllowed(ctx, request)) throw errors.forbidden(`The granted scopes do not allow ${request.interaction}${request.resourceType ? ' on ' + request.resourceType : ''}`);
}

/** The same decision as `authorize`, as a value: for filtering what a search returns. */
export function isAllowed(ctx: Ctx, request: AccessRequest): boolean {
  if (ctx.principal.tenant !== ctx.tenant) return false;
  const isRead = READS.has(request.interaction);
  const type = request.resourceType ?? '*';
  return ctx.principal.scopes.some((scope) => scopeAllows(scope, type, isRead));
}

/** SMART v1 (`read`/`write`/`*`) and v2 (`cruds` letters) system/user scopes. */
export function scopeAllows(scope: string, resourceType: string, isRead: boolean): boolean {
  const match = /^(system|user)\/([A-Za-z*]+)\.([a-z*]+)(\?.*)?$/.exec(scope);
  if (!match) return false;
  const [, , scopeType, permissions] = match;
  if (scopeType !== '*' && scopeType !== resourceType) return false;
  if (permissions === '*') return true;
  if (permissions === 'read') return isRead;
  if (permissions === 'write') return !isRead;
  return isRead ? /[rs]/.test(permissions) : /[cud]/.test(permissions);
}
