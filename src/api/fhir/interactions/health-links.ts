/**
 * The patient's SMART Health Links over the FHIR API (the portal's "Share"):
 * - `POST Patient/[id]/$health-link` (Parameters: `label`, `expires`, optional `passcode`): makes a
 *   link to the patient's summary as they may see it now; answers the `shlink:/…` text and a viewer
 *   URL once (the server keeps neither the link nor its key).
 * - `GET Patient/[id]/$health-links`: every link with its state and every opening (when, who said
 *   they were, from which address, the outcome).
 * - `POST Patient/[id]/$health-link-revoke` (Parameters: `id`): the link stops working at once.
 * Only the patient and their proxies make and manage links: sharing is the patient's decision.
 * docs/patient-summary.md
 */
import type { Bundle, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { boundPatients } from '../../../domain/access/compartment-access.ts';
import { type Ctx, nowOf, outsideTransaction } from '../../../domain/context.ts';
import { linkStatus, makeHealthLink } from '../../../domain/health-links/health-links.ts';
import { dateRange } from '../../../fhir/date-time.ts';
import { errors } from '../../../fhir/outcome.ts';
import type { FhirRequest, FhirResponse } from '../fhir-request.ts';
import { summary } from './patient-summary.ts';

/** Where the web app opens a link for a recipient (web/src/app/routes.tsx). */
export const HEALTH_LINK_VIEWER_PATH = '/health-link';
/** Where manifests are served (`api/health-links/manifest-routes.ts`). */
export const MANIFEST_PATH = '/shl/';

function serverRoot(req: FhirRequest): string {
  return req.baseUrl.replace(/\/fhir\/R4\/?$/, '');
}

/**
 * The caller must act for this patient (a patient or a proxy); staff are told who makes links.
 * `onlyOwn`: a proxy with limited access (an adolescent's parent) manages only the links it made
 * itself — whom the patient shares with, and who opened it, is not among what limited access sees.
 */
function requireOwner(ctx: Ctx, patientId: string): { userId: string; onlyOwn: boolean } {
  const bound = boundPatients(ctx);
  if (ctx.principal.kind !== 'user' || bound === undefined) throw errors.forbidden('Health links are made and managed by the patient (or their proxy) in the portal');
  if (!bound.includes(patientId)) throw errors.notFound(`Patient/${patientId} is not known`);
  return { userId: ctx.principal.id, onlyOwn: ctx.principal.limitedPatients?.includes(patientId) === true };
}

function parameter(body: unknown, name: string): ParametersParameter | undefined {
  if ((body as Parameters | undefined)?.resourceType !== 'Parameters') throw errors.invalid('Send a Parameters resource', 'Parameters');
  return (body as Parameters).parameter?.find((p) => p.name === name);
}

export async function createHealthLink(ctx: Ctx, req: FhirRequest, patientId: string): Promise<FhirResponse> {
  const { userId } = requireOwner(ctx, patientId);
  outsideTransaction(ctx, '$health-link');
  const label = parameter(req.body, 'label')?.valueString ?? '';
  const expiresText = parameter(req.body, 'expires');
  const expires = expiresText?.valueDateTime ?? expiresText?.valueInstant ?? expiresText?.valueDate;
  const range = expires === undefined ? undefined : dateRange(expires);
  if (range === undefined) throw errors.invalid('expires is required: a date or date and time, e.g. 2027-01-31', 'expires');
  const passcode = parameter(req.body, 'passcode')?.valueString;
  // The summary as this caller may see it now: a link never shares more than its maker could read.
  const document = (await summary(ctx, { ...req, query: new URLSearchParams(), body: undefined }, patientId)).body as Bundle;
  const root = serverRoot(req);
  const made = await makeHealthLink(ctx.store, {
    tenant: ctx.tenant,
    patient: patientId,
    createdBy: userId,
    label,
    expiresAt: range.end,
    ...(passcode !== undefined && passcode !== '' ? { passcode } : {}),
    content: JSON.stringify(document),
    now: nowOf(ctx),
    manifestBase: `${root}${MANIFEST_PATH}`,
  });
  const result: Parameters = {
    resourceType: 'Parameters',
    parameter: [
      { name: 'id', valueString: made.link.id },
      { name: 'link', valueString: made.shlink },
      { name: 'viewer', valueUrl: `${root}${HEALTH_LINK_VIEWER_PATH}#${made.shlink}` },
      { name: 'label', valueString: made.link.label },
      { name: 'expires', valueInstant: new Date(made.link.expiresAt).toISOString() },
      { name: 'passcode', valueBoolean: made.link.passcodeHash !== undefined },
    ],
  };
  return { status: 201, body: result };
}

export async function listHealthLinks(ctx: Ctx, req: FhirRequest, patientId: string): Promise<FhirResponse> {
  const { userId, onlyOwn } = requireOwner(ctx, patientId);
  if ([...req.query.keys()].some((k) => k !== '_format')) throw errors.invalid('Patient/$health-links takes no parameters', [...req.query.keys()][0]);
  const now = nowOf(ctx);
  const links = (await ctx.store.healthLinks.list(ctx.tenant, patientId)).filter((link) => !onlyOwn || link.createdBy === userId);
  const parts: ParametersParameter[] = [];
  for (const link of links) {
    const accesses = await ctx.store.healthLinks.accesses(ctx.tenant, link.id);
    parts.push({
      name: 'link',
      part: [
        { name: 'id', valueString: link.id },
        { name: 'label', valueString: link.label },
        { name: 'created', valueInstant: new Date(link.createdAt).toISOString() },
        { name: 'expires', valueInstant: new Date(link.expiresAt).toISOString() },
        { name: 'status', valueCode: linkStatus(link, now) },
        { name: 'passcode', valueBoolean: link.passcodeHash !== undefined },
        ...(link.revokedAt !== undefined ? [{ name: 'revoked', valueInstant: new Date(link.revokedAt).toISOString() }] : []),
        ...accesses.map((a) => ({
          name: 'opened',
          part: [
            { name: 'at', valueInstant: new Date(a.at).toISOString() },
            { name: 'recipient', valueString: a.recipient },
            ...(a.ip ? [{ name: 'address', valueString: a.ip }] : []),
            { name: 'outcome', valueCode: a.outcome },
          ],
        })),
      ],
    });
  }
  return { status: 200, body: { resourceType: 'Parameters', parameter: parts } satisfies Parameters };
}

export async function revokeHealthLink(ctx: Ctx, req: FhirRequest, patientId: string): Promise<FhirResponse> {
  const { userId, onlyOwn } = requireOwner(ctx, patientId);
  outsideTransaction(ctx, '$health-link-revoke');
  const id = parameter(req.body, 'id')?.valueString;
  if (!id) throw errors.invalid('id is required: the link to revoke', 'id');
  const notOwn = onlyOwn && !(await ctx.store.healthLinks.list(ctx.tenant, patientId)).some((link) => link.id === id && link.createdBy === userId);
  if (notOwn || !(await ctx.store.healthLinks.revoke(ctx.tenant, patientId, id, nowOf(ctx)))) throw errors.notFound('No active health link of this patient has that id');
  return { status: 200, body: { resourceType: 'Parameters', parameter: [{ name: 'id', valueString: id }, { name: 'status', valueCode: 'revoked' }] } satisfies Parameters };
}
