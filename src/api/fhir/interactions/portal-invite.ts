/**
 * `POST [base]/Patient/[id]/$portal-invite`: the practice invites a patient to the portal from
 * their chart. It creates the patient's account (role `patient`, bound to this Patient) as invited,
 * or — for an account already invited and not yet accepted — issues a new link, and answers the
 * one-time link (shown once to the staff member, who may hand it over) and whether it was also
 * e-mailed. Accepting it asks for the patient's date of birth before the password
 * (`auth/account-links.ts`), so the patient's record must have one.
 *
 * Who: the roles that register patients (create Patient in the role table: physicians, residents,
 * nurses, medical assistants, front desk), not through patient-bound access. Practice
 * administrators invite any account through the admin API instead.
 *
 * Body (optional): Parameters with `email` (valueString); without it, the Patient's first e-mail
 * address (`telecom` with system `email`). Answer: Parameters `link` (valueUrl), `expires`
 * (valueInstant), `email` (valueString), `emailed` (valueBoolean).
 */
import type { ContactPoint, Parameters, Patient } from '@medplum/fhirtypes';
import { ROLES, type Role } from '../../../domain/access/principal.ts';
import { roleAllows } from '../../../domain/access/roles.ts';
import { nowOf, type Ctx } from '../../../domain/context.ts';
import { createAccountLink, inviteUser } from '../../../domain/users/account-links.ts';
import { normaliseEmail } from '../../../domain/users/create-user.ts';
import { errors } from '../../../fhir/outcome.ts';
import { accountLinkUrl } from '../../auth/account-links.ts';
import type { FhirRequest, FhirResponse } from '../fhir-request.ts';

/** Staff roles that register patients: they may invite them. */
export const INVITING_ROLES: readonly Role[] = ROLES.filter((role) => role !== 'patient' && role !== 'proxy' && roleAllows(role, 'Patient', 'c'));

const EMAIL_PARAMETER = "Parameters.parameter.where(name = 'email')";

export async function portalInvite(ctx: Ctx, req: FhirRequest, patientId: string): Promise<FhirResponse> {
  const principal = ctx.principal;
  if (principal.kind !== 'user' || principal.patients !== undefined || !INVITING_ROLES.includes(principal.role)) {
    throw errors.forbidden(`Inviting a patient to the portal is for staff who register patients (${INVITING_ROLES.join(', ')}); practice administrators use the admin API`);
  }
  const body = req.body as Parameters | undefined;
  if (body !== undefined && body.resourceType !== 'Parameters') throw errors.invalid('Send a Parameters resource (with an optional email), or no body', 'Parameters');
  const stored = await ctx.store.reader(ctx.tenant).readCurrent('Patient', patientId);
  if (stored === undefined) throw errors.notFound(`Patient/${patientId} is not known`);
  if (stored.deleted) throw errors.gone(`Patient/${patientId} was deleted`);
  const patient = stored.resource as Patient;
  if (!patient.birthDate) throw errors.businessRule("Add the patient's date of birth first: accepting the invitation asks for it", 'Patient.birthDate');
  const given = body?.parameter?.find((p) => p.name === 'email')?.valueString;
  const address = given ?? emailOf(patient.telecom);
  if (address === undefined || address.trim() === '') throw errors.businessRule("The patient has no e-mail address: add one to their details, or give the invitation's email", given === undefined ? 'Patient.telecom' : EMAIL_PARAMETER);
  const email = normaliseEmail(address);
  const now = nowOf(ctx);
  const fhirUser = `Patient/${patientId}`;

  const existing = await ctx.store.admin.users.findByEmail(ctx.tenant, email);
  let userId: string;
  let link: { token: string; expiresAt: number };
  if (existing !== undefined) {
    if (existing.role !== 'patient' || existing.fhirUser !== fhirUser) throw errors.conflict(`The e-mail address ${email} belongs to another account of this practice`);
    if (existing.status === 'active') throw errors.conflict('This patient already has a portal account. If they forgot their password, they can reset it from the sign-in page.');
    if (existing.status === 'disabled') throw errors.conflict("This patient's portal account is disabled; the practice administrator can enable it");
    userId = existing.id;
    link = await createAccountLink(ctx.store, existing, 'invite', now);
  } else {
    const invited = await inviteUser(ctx.store, { practiceId: ctx.tenant, role: 'patient', email, patients: [patientId] }, now);
    userId = invited.id;
    link = invited;
  }
  const url = accountLinkUrl(serverRootOf(req.baseUrl), link.token);
  const emailed = await send(ctx, email, url, link.expiresAt);
  await ctx.audit.record({
    tenant: ctx.tenant,
    principal,
    action: 'portal-invite',
    outcome: 'success',
    resourceType: 'Patient',
    ids: [patientId],
    patients: [fhirUser],
    origin: ctx.origin,
    at: new Date(now).toISOString(),
    detail: JSON.stringify({ user: userId, new: existing === undefined, emailed }),
  });
  const result: Parameters = {
    resourceType: 'Parameters',
    parameter: [
      { name: 'link', valueUrl: url },
      { name: 'expires', valueInstant: new Date(link.expiresAt).toISOString() },
      { name: 'email', valueString: email },
      { name: 'emailed', valueBoolean: emailed },
    ],
  };
  return { status: 200, body: result, patients: [fhirUser] };
}

function emailOf(telecom: readonly ContactPoint[] | undefined): string | undefined {
  return telecom?.find((t) => t.system === 'email' && t.value)?.value;
}

/** The server root the link points at: the FHIR base without its path. */
function serverRootOf(fhirBase: string): string {
  return fhirBase.replace(/\/fhir\/R4\/?$/, '');
}

/** E-mails the link when the server has a sender that delivers; a failure to send is reported, and the staff member still has the link. */
async function send(ctx: Ctx, email: string, link: string, expiresAt: number): Promise<boolean> {
  const sender = ctx.linkSender;
  if (sender === undefined) return false;
  try {
    await sender.send({ tenant: ctx.tenant, email, purpose: 'invite', link, expiresAt });
    return sender.delivers === true;
  } catch (err) {
    ctx.onBackgroundError?.(err);
    return false;
  }
}
