/**
 * `GET Patient/[id]/$everything`: the patient's whole record as the caller may see it — the
 * Patient, then every resource of their compartment — as a searchset Bundle with paging
 * (`_count`, `next` links), narrowed by `_since` (changed at or after this instant) and `_type`.
 * The same access rules as a compartment search apply (role, scopes, patient binding, restricted
 * records, a limited proxy's hidden items). Resources outside the compartment that the record
 * refers to (practitioners, organisations, medications) are not added: a caller who needs them
 * reads them by reference.
 * @see https://hl7.org/fhir/R4/patient-operation-everything.html
 */
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { type Ctx, reader } from '../../../domain/context.ts';
import { dateRange } from '../../../fhir/date-time.ts';
import { errors } from '../../../fhir/outcome.ts';
import type { FhirRequest, FhirResponse } from '../fhir-request.ts';
import { searchPatientRecord, typesOf } from './search.ts';

/** The parameters this operation takes; `start` and `end` (care dates) are refused, not ignored. */
const PARAMETERS = new Set(['_since', '_type', '_count', '_cursor', '_format']);

export async function everything(ctx: Ctx, req: FhirRequest, id: string): Promise<FhirResponse> {
  for (const name of req.query.keys()) {
    if (!PARAMETERS.has(name)) throw errors.invalid(`Patient/$everything takes _since, _type and _count; ${JSON.stringify(name)} is not supported`, name);
  }
  const since = req.query.get('_since');
  if (since !== null && (!/^\d{4}-\d{2}-\d{2}T/.test(since) || dateRange(since) === undefined)) {
    throw errors.invalid(`_since must be an instant with a time and zone, e.g. 2026-01-31T09:00:00Z; not ${JSON.stringify(since)}`, '_since');
  }
  const patient = await reader(ctx).readCurrent('Patient', id);
  if (patient === undefined) throw errors.notFound(`Patient/${id} is not known`);
  if (patient.deleted) throw errors.gone(`Patient/${id} was deleted`);

  const criteria = new URLSearchParams();
  const types = typesOf(req.query);
  const members = types.filter((t) => t !== 'Patient');
  if (members.length > 0) criteria.set('_type', members.join(','));
  for (const name of ['_count', '_cursor']) if (req.query.has(name)) criteria.set(name, req.query.get(name)!);
  if (since !== null) criteria.set('_lastUpdated', `ge${since}`);

  // `_type=Patient` alone asks for the patient only.
  const membersWanted = types.length === 0 || members.length > 0;
  const page = membersWanted
    ? ((await searchPatientRecord(ctx, req, id, criteria, `Patient/${id}/$everything`)).body as Bundle)
    : ({ resourceType: 'Bundle', type: 'searchset', total: 0, link: [{ relation: 'self', url: `${req.baseUrl}/Patient/${id}/$everything?${req.query.toString()}` }], entry: [] } as Bundle);
  // The Patient leads the first page when asked for and changed since `_since`.
  const firstPage = !req.query.has('_cursor');
  const wanted = types.length === 0 || types.includes('Patient');
  const changed = since === null || Date.parse(patient.lastUpdated) >= Date.parse(since);
  if (firstPage && wanted && changed) {
    page.entry = [{ fullUrl: `${req.baseUrl}/Patient/${id}`, resource: patient.resource as Patient, search: { mode: 'match' } }, ...(page.entry ?? [])];
    if (page.total !== undefined) page.total += 1;
  }
  return { status: 200, body: page };
}
