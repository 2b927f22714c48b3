/**
 * The audit of failed bearer-token authentication on the FHIR API: a missing, malformed, expired,
 * wrongly signed or revoked token answers 401 (`authenticate.ts`), and this records that as a
 * failure with the address and user agent — without letting a flood of bad tokens turn into a
 * flood of audit writes.
 *
 * Where the entry goes (docs/audit.md): audit chains are per practice, so an entry is attributed
 * to a practice only when the token carries *this server's valid signature* (expired, revoked,
 * user disabled, client removed…) and names a practice that exists; then the agent is the user or
 * client the token was issued to. Claims of a token whose signature does not verify are the
 * sender's invention — writing them into a practice's trail would let anyone put entries in any
 * practice's record under any user's name — so such failures, and requests with no token at all,
 * go to the server-level chain (`SYSTEM_AUDIT_CHAIN`) as `system/anonymous`.
 *
 * Budget: each address may have `perAddress` failures audited per window, and the whole deployment
 * `overall` (both shared by every app server, `failure-limiter.ts`); entries are group-committed
 * by the audit sink. Beyond the budget a failure costs no database write (the limiter answers a
 * known-blocked key from memory) and is only counted; one server-log line per window says how many
 * went unaudited.
 */
import type { FastifyRequest } from 'fastify';
import { compactVerify } from 'jose';
import { ROLES, type Principal, type Role } from '../../domain/access/principal.ts';
import type { AuditSink } from '../../domain/audit/audit-sink.ts';
import { SYSTEM_AUDIT_CHAIN } from '../../store/audit-log.ts';
import type { FhirStore } from '../../store/store.ts';
import type { FhirError } from '../../fhir/outcome.ts';
import { createFailureLimiter } from './failure-limiter.ts';
import { SIGNING_ALG, type SigningKeys } from './keys.ts';
import type { Clock } from '../../domain/clock.ts';

export interface BearerFailureBudget {
  /** Failures audited per address per window; 60 by default. */
  perAddress?: number;
  /** Failures audited per window across the deployment; 1,000 by default. */
  overall?: number;
  windowMs?: number;
}

export interface BearerFailureDeps {
  store: FhirStore;
  audit: AuditSink;
  keys: () => Promise<SigningKeys>;
  budget?: BearerFailureBudget;
  /** Where the count of unaudited failures is reported (the server log). */
  warn?: (obj: object, msg: string) => void;
  now?: Clock;
}

/** Records one failed authentication; resolves once its entry is committed (or it was over budget). */
export type BearerFailureRecorder = (request: FastifyRequest, authorization: string | undefined, error: FhirError) => Promise<void>;

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;
const ANONYMOUS = (tenant: string): Principal => ({ kind: 'system', id: 'anonymous', tenant, scopes: [] });

export function bearerFailureRecorder(deps: BearerFailureDeps): BearerFailureRecorder {
  const windowMs = deps.budget?.windowMs ?? 60_000;
  const now = deps.now ?? Date.now;
  const common = { windowMs, ...(deps.now ? { now: deps.now } : {}) };
  const perAddress = createFailureLimiter(deps.store.admin.rateLimits, 'bearer-failure-address', { ...common, maxFailures: deps.budget?.perAddress ?? 60 });
  const overall = createFailureLimiter(deps.store.admin.rateLimits, 'bearer-failure-overall', { ...common, maxFailures: deps.budget?.overall ?? 1_000 });
  let unaudited = 0;
  let reportAt = 0;

  return async (request, authorization, error) => {
    const address = [`ip:${request.ip}`];
    const everyone = ['all'];
    if ((await perAddress.blockedFor(address)) !== undefined || (await overall.blockedFor(everyone)) !== undefined) {
      unaudited++;
      const at = now();
      if (at >= reportAt) {
        reportAt = at + windowMs;
        deps.warn?.({ unaudited, ip: request.ip }, 'failed bearer authentications over the audit budget were not audited individually');
        unaudited = 0;
      }
      return;
    }
    const [principal] = await Promise.all([attribute(deps, authorization), perAddress.recordFailure(address), overall.recordFailure(everyone)]);
    await deps.audit.record({
      tenant: principal.tenant,
      principal,
      action: 'authenticate',
      outcome: 'failure',
      origin: { ip: request.ip, userAgent: request.headers['user-agent'] },
      at: new Date(now()).toISOString(),
      reason: error.message,
    });
  };
}

/** Who the failed token was issued to, when this server signed it for a practice that exists. */
async function attribute(deps: BearerFailureDeps, authorization: string | undefined): Promise<Principal> {
  const token = authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
  if (token === undefined) return ANONYMOUS(SYSTEM_AUDIT_CHAIN);
  let claims: Record<string, unknown>;
  try {
    const { payload } = await compactVerify(token, (await deps.keys()).publicKey, { algorithms: [SIGNING_ALG] });
    claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
  } catch {
    return ANONYMOUS(SYSTEM_AUDIT_CHAIN);
  }
  const tenant = claims.tenant;
  if (typeof tenant !== 'string' || tenant === '' || !(await deps.store.admin.getPractice(tenant))) return ANONYMOUS(SYSTEM_AUDIT_CHAIN);
  const { sub, client_id: clientId, role } = claims;
  if (typeof sub === 'string' && typeof role === 'string' && (ROLES as readonly string[]).includes(role)) {
    return { kind: 'user', id: sub, tenant, scopes: [], role: role as Role, ...(typeof clientId === 'string' ? { clientId } : {}) };
  }
  if (typeof clientId === 'string') return { kind: 'client', id: clientId, tenant, scopes: [] };
  return ANONYMOUS(tenant);
}
