/**
 * `POST [type]/[id]/$meta-add` and `$meta-delete` (R4 operations on a resource's meta), with a
 * Parameters `meta` (valueMeta): adds, or removes, the profiles, tags and security labels given,
 * and answers the resulting meta as Parameters `return`. The change is a new version of the
 * resource (so its history shows who changed a label and when, and searches and the access rules
 * see the new labels); nothing changes, and no version is written, when nothing would.
 *
 * Who may:
 * - anyone who may update the resource (role and scopes, restricted records as for an update);
 * - the practice administrator (`privacy-officer.ts`), who may not update clinical records, for
 *   the confidentiality labels alone (v3-Confidentiality in `meta.security`), on a Patient (the
 *   whole chart) or a resource of a patient's record, including restricted ones: that is how a
 *   chart or a record is restricted or opened again. The answer is the meta only, never the
 *   resource, so the administrator still sees no clinical data.
 * A chart whose labels changed is forgotten by this server's cache of restricted charts at once;
 * other servers see it within their cache's 5 seconds (`restricted-records.ts`).
 * @see https://hl7.org/fhir/R4/resource-operation-meta-add.html
 * @see https://hl7.org/fhir/R4/resource-operation-meta-delete.html
 */
import type { Coding, Meta, Parameters, Resource } from '@medplum/fhirtypes';
import { authorize } from '../../../domain/access/authorize.ts';
import { privacyOfficerRefusal } from '../../../domain/access/privacy-officer.ts';
import { checkRecordAccess, forgetRestrictedCharts, recordAccess } from '../../../domain/access/restricted-records.ts';
import { CONFIDENTIALITY } from '../../../domain/access/security-labels.ts';
import { patientsOf } from '../../../domain/audit/patients-of.ts';
import { withTransaction, type Ctx } from '../../../domain/context.ts';
import { compartmentMemberTypes } from '../../../fhir/search/compartment.ts';
import { errors } from '../../../fhir/outcome.ts';
import type { FhirRequest, FhirResponse } from '../fhir-request.ts';

export type MetaChange = 'add' | 'delete';

let recordTypes: Set<string> | undefined;

export async function changeMeta(ctx: Ctx, req: FhirRequest, type: string, id: string, change: MetaChange): Promise<FhirResponse> {
  // Who may is decided from the request alone, before anything stored is read.
  const labelsOnly = privacyOfficerRefusal(ctx) === undefined;
  const meta = metaOf(req.body);
  if (labelsOnly) checkLabelsOnly(type, meta);
  else authorize(ctx, { interaction: 'update', resourceType: type, id });
  // What this request may open is settled now, before the change: its own audit entry must not
  // reload (and so re-cache) the restricted charts from before the commit after they are forgotten.
  await recordAccess(ctx);
  const result = await withTransaction(ctx, async (tx) => {
    await tx.lock(`${type}/${id}`);
    const current = await tx.readCurrent(type, id);
    if (current === undefined || current.resource === undefined) throw errors.notFound(`${type}/${id} is not known`);
    if (current.deleted) throw errors.gone(`${type}/${id} was deleted`);
    if (!labelsOnly) await checkRecordAccess(ctx, current.resource);
    const before = current.resource;
    const after = change === 'add' ? added(before.meta ?? {}, meta) : removed(before.meta ?? {}, meta);
    if (sameMeta(before.meta ?? {}, after)) return { resource: before, written: false };
    const resource: Resource = { ...before, meta: after };
    const version = await tx.writeVersion({ resourceType: type, id, method: 'PATCH', resource, expectedVersion: Number(current.versionId) });
    return { resource: { ...resource, meta: { ...after, versionId: version.versionId, lastUpdated: version.lastUpdated } }, written: true };
  });
  if (type === 'Patient' && result.written) forgetRestrictedCharts(ctx.tenant);
  const answer: Parameters = { resourceType: 'Parameters', parameter: [{ name: 'return', valueMeta: result.resource.meta ?? {} }] };
  return { status: 200, body: answer, patients: patientsOf([result.resource]) };
}

function metaOf(body: unknown): Meta {
  const params = body as Parameters | undefined;
  if (params?.resourceType !== 'Parameters') throw errors.invalid('Send a Parameters resource with meta (valueMeta)', 'Parameters');
  const found = params.parameter?.filter((p) => p.name === 'meta') ?? [];
  if (found.length !== 1 || found[0].valueMeta === undefined) throw errors.invalid('Parameters needs one meta (valueMeta)', "Parameters.parameter.where(name = 'meta')");
  const meta = found[0].valueMeta;
  for (const coding of [...(meta.security ?? []), ...(meta.tag ?? [])]) {
    if (typeof coding.code !== 'string' || coding.code === '') throw errors.invalid('Each tag and security label needs a code', "Parameters.parameter.where(name = 'meta')");
  }
  return meta;
}

/** A practice administrator changes confidentiality labels of a patient's record, nothing else. */
function checkLabelsOnly(type: string, meta: Meta): void {
  recordTypes ??= new Set(['Patient', ...compartmentMemberTypes('Patient')]);
  if (!recordTypes.has(type)) throw errors.forbidden(`A practice administrator labels Patients and the resources of their records, not ${type}`);
  const other = Object.keys(meta).filter((k) => k !== 'security');
  if (other.length > 0 || (meta.security ?? []).some((s) => s.system !== CONFIDENTIALITY)) {
    throw errors.forbidden(`A practice administrator may change only confidentiality labels (meta.security in ${CONFIDENTIALITY})`);
  }
}

const sameCoding = (a: Coding, b: Coding) => a.system === b.system && a.code === b.code;

/** Adds what is not there yet. A confidentiality label replaces the one there: a resource has one level. */
function added(meta: Meta, add: Meta): Meta {
  const out: Meta = { ...meta };
  if (add.profile?.length) out.profile = [...new Set([...(meta.profile ?? []), ...add.profile])];
  if (add.tag?.length) out.tag = [...(meta.tag ?? []), ...add.tag.filter((t) => !(meta.tag ?? []).some((m) => sameCoding(m, t)))];
  if (add.security?.length) {
    const levels = add.security.filter((s) => s.system === CONFIDENTIALITY);
    const kept = (meta.security ?? []).filter((s) => !(levels.length > 0 && s.system === CONFIDENTIALITY));
    out.security = [...kept, ...add.security.filter((s, i, all) => all.findIndex((o) => sameCoding(o, s)) === i && !kept.some((m) => sameCoding(m, s)))];
  }
  return out;
}

function removed(meta: Meta, remove: Meta): Meta {
  const out: Meta = { ...meta };
  const drop = <T>(list: T[] | undefined, gone: (item: T) => boolean): T[] | undefined => {
    const kept = list?.filter((item) => !gone(item));
    return kept === undefined || kept.length === 0 ? undefined : kept;
  };
  const set = <K extends 'profile' | 'tag' | 'security'>(key: K, value: Meta[K]) => {
    if (value === undefined) delete out[key];
    else out[key] = value;
  };
  if (remove.profile?.length) set('profile', drop(meta.profile, (p) => remove.profile!.includes(p)));
  if (remove.tag?.length) set('tag', drop(meta.tag, (t) => remove.tag!.some((r) => sameCoding(r, t))));
  if (remove.security?.length) set('security', drop(meta.security, (s) => remove.security!.some((r) => sameCoding(r, s))));
  return out;
}

function sameMeta(a: Meta, b: Meta): boolean {
  const pick = (m: Meta) => JSON.stringify([m.profile ?? [], m.tag ?? [], m.security ?? []]);
  return pick(a) === pick(b);
}
