/**
 * The apps a signed-in user has let into their record, and taking that back (the portal's
 * "Connected apps"; any user may see and revoke their own):
 * - `GET [base]/$connected-apps`: each live grant — the app's name and client id, the scopes
 *   allowed, the patient it is bound to, when it was allowed and last used, when it ends;
 * - `POST [base]/$connected-app-revoke` (Parameters: `grant`): every token of that grant stops
 *   working at once on this server (it forgets them) and within the authenticator's recheck
 *   interval on the others; its refresh tokens no longer refresh.
 * docs/portal.md
 */
import type { Parameters } from '@medplum/fhirtypes';
import { type Ctx, nowOf, outsideTransaction } from '../../../domain/context.ts';
import { errors } from '../../../fhir/outcome.ts';
import type { FhirRequest, FhirResponse } from '../fhir-request.ts';

function userOf(ctx: Ctx): { id: string } {
  if (ctx.principal.kind !== 'user') throw errors.forbidden('Connected apps are a signed-in person’s own; an app acting for itself has none');
  return { id: ctx.principal.id };
}

export async function connectedApps(ctx: Ctx, req: FhirRequest): Promise<FhirResponse> {
  const user = userOf(ctx);
  if ([...req.query.keys()].some((k) => k !== '_format')) throw errors.invalid('$connected-apps takes no parameters', [...req.query.keys()][0]);
  const grants = await ctx.store.admin.grants.listUserGrants(ctx.tenant, user.id, nowOf(ctx));
  const names = new Map<string, string>();
  for (const g of grants) if (!names.has(g.clientId)) names.set(g.clientId, (await ctx.store.admin.getClient(g.clientId, { includeDisabled: true }))?.name ?? g.clientId);
  const body: Parameters = {
    resourceType: 'Parameters',
    parameter: grants.map((g) => ({
      name: 'app',
      part: [
        { name: 'grant', valueString: g.id },
        { name: 'client', valueString: g.clientId },
        { name: 'name', valueString: names.get(g.clientId)! },
        { name: 'scope', valueString: g.scope },
        ...(g.patient !== undefined ? [{ name: 'patient', valueReference: { reference: `Patient/${g.patient}` } }] : []),
        { name: 'granted', valueInstant: new Date(g.createdAt).toISOString() },
        { name: 'lastUsed', valueInstant: new Date(g.lastUsedAt).toISOString() },
        { name: 'expires', valueInstant: new Date(g.expiresAt).toISOString() },
      ],
    })),
  };
  return { status: 200, body };
}

export async function revokeConnectedApp(ctx: Ctx, req: FhirRequest): Promise<FhirResponse> {
  const user = userOf(ctx);
  outsideTransaction(ctx, '$connected-app-revoke');
  const body = req.body as Parameters | undefined;
  if (body?.resourceType !== 'Parameters') throw errors.invalid('Send a Parameters resource with the grant to revoke', 'Parameters');
  const grantId = body.parameter?.find((p) => p.name === 'grant')?.valueString;
  if (!grantId) throw errors.invalid('grant is required: the id $connected-apps gave', 'grant');
  const grant = await ctx.store.admin.grants.getGrant(grantId);
  if (!(await ctx.store.admin.grants.revokeUserGrant(ctx.tenant, user.id, grantId, nowOf(ctx)))) throw errors.notFound('You have no live grant with that id');
  // Tokens this server verified stay cached until rechecked: forget them now.
  ctx.forgetTokens?.((p) => p.kind === 'user' && p.id === user.id && p.clientId === grant?.clientId);
  return { status: 200, body: { resourceType: 'Parameters', parameter: [{ name: 'grant', valueString: grantId }, { name: 'status', valueCode: 'revoked' }] } satisfies Parameters };
}
