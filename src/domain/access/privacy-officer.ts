/**
 * The practice's privacy work over FHIR — reviewing emergency accesses, seeing and changing which
 * records are restricted — belongs to its practice administrator, as the admin API does
 * (`admin-access.ts`): a signed-in `practice-admin` whose app they allowed `heron/admin`. Other
 * roles, backend services and apps without that scope are refused, whatever their other scopes.
 * These operations answer names and labels, never clinical content, so the role table (a practice
 * administrator sees no clinical data) stays true.
 */
import { ADMIN_SCOPE } from '../clients/app-scopes.ts';
import type { Ctx } from '../context.ts';
import { errors } from '../../fhir/outcome.ts';
import type { AdminPrincipal } from './admin-access.ts';

/** Why this caller may not do the practice's privacy work, or undefined when it may. */
export function privacyOfficerRefusal(ctx: Ctx): string | undefined {
  const p = ctx.principal;
  if (p.tenant !== ctx.tenant) return 'Access to this practice is not allowed';
  if (p.kind !== 'user' || p.role !== 'practice-admin' || p.patients !== undefined) return 'Only a practice administrator may do this';
  if (!p.scopes.includes(ADMIN_SCOPE)) return `The access token lacks the ${ADMIN_SCOPE} scope; sign in through an app registered for it and allow it`;
  return undefined;
}

/** Throws 403 unless the caller is the practice's administrator acting with `heron/admin`. */
export function requirePrivacyOfficer(ctx: Ctx): AdminPrincipal {
  const refusal = privacyOfficerRefusal(ctx);
  if (refusal !== undefined) throw errors.forbidden(refusal);
  return ctx.principal as AdminPrincipal;
}
