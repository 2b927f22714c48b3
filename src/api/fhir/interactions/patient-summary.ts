/**
 * `GET Patient/[id]/$summary`: the patient's International Patient Summary as a FHIR document
 * (`fhir/documents/patient-summary.ts` composes it). What goes in is what the caller may see:
 * each section is gathered by a search of the patient's compartment under the caller's access
 * (role, scopes, patient binding, restricted records, a limited proxy's hidden items), so the
 * summary can never show more than the caller's own searches would.
 * @see https://hl7.org/fhir/uv/ips/OperationDefinition-summary.html
 */
import { randomUUID } from 'node:crypto';
import type { AllergyIntolerance, Bundle, Condition, Immunization, MedicationRequest, MedicationStatement, Observation, Patient, Resource } from '@medplum/fhirtypes';
import { isAllowed } from '../../../domain/access/authorize.ts';
import { type Ctx, nowOf, reader } from '../../../domain/context.ts';
import { patientSummary } from '../../../fhir/documents/patient-summary.ts';
import { errors } from '../../../fhir/outcome.ts';
import type { FhirRequest, FhirResponse } from '../fhir-request.ts';
import { searchPatientRecord } from './search.ts';

/** The types the mandatory sections come from: a caller who may not search them gets no summary. */
export const SUMMARY_REQUIRED_TYPES = ['Condition', 'AllergyIntolerance', 'MedicationRequest'] as const;

/** At most this many of one kind in a summary: a summary, not the record (`$everything` is that). */
const PER_SECTION = 200;
/** Referenced resources outside the record that are read into the document. */
const REFERENCED_TYPES = new Set(['Practitioner', 'PractitionerRole', 'Organization', 'Medication', 'Location']);

export async function summary(ctx: Ctx, req: FhirRequest, id: string): Promise<FhirResponse> {
  for (const name of req.query.keys()) {
    if (name !== '_format') throw errors.invalid(`Patient/$summary takes no parameters here; ${JSON.stringify(name)} is not supported`, name);
  }
  // Also when called from another operation (a health link): no summary with its mandatory sections blanked by access.
  for (const type of SUMMARY_REQUIRED_TYPES) if (!isAllowed(ctx, { interaction: 'search-type', resourceType: type })) throw errors.forbidden(`A patient summary needs access to ${type}`);
  const stored = await reader(ctx).readCurrent('Patient', id);
  if (stored === undefined) throw errors.notFound(`Patient/${id} is not known`);
  if (stored.deleted) throw errors.gone(`Patient/${id} was deleted`);
  const patient = stored.resource as Patient & { id: string };

  const gather = async <T extends Resource>(type: T['resourceType'], criteria: Record<string, string>): Promise<T[]> => {
    if (!isAllowed(ctx, { interaction: 'search-type', resourceType: type })) return [];
    const found: T[] = [];
    let cursor: string | undefined;
    do {
      const query = new URLSearchParams({ _type: type, _count: '100', ...criteria, ...(cursor ? { _cursor: cursor } : {}) });
      const page = (await searchPatientRecord(ctx, req, id, query, `Patient/${id}/$summary`)).body as Bundle<T>;
      for (const e of page.entry ?? []) if (e.resource?.resourceType === type && e.search?.mode !== 'outcome') found.push(e.resource);
      const next = page.link?.find((l) => l.relation === 'next')?.url;
      cursor = next ? (new URL(next).searchParams.get('_cursor') ?? undefined) : undefined;
    } while (cursor !== undefined && found.length < PER_SECTION);
    return found.slice(0, PER_SECTION);
  };

  // One after another: inside a transaction Bundle the reader is one connection.
  const problems = await gather<Condition>('Condition', { 'clinical-status': 'active' });
  const allergies = await gather<AllergyIntolerance>('AllergyIntolerance', {});
  const requests = await gather<MedicationRequest>('MedicationRequest', { status: 'active' });
  const statements = await gather<MedicationStatement>('MedicationStatement', { status: 'active' });
  const immunizations = await gather<Immunization>('Immunization', { status: 'completed', _sort: '-date' });
  const results = await gather<Observation>('Observation', { category: 'laboratory', _sort: '-date', _count: '50' });
  const vitals = await gather<Observation>('Observation', { category: 'vital-signs', _sort: '-date', _count: '100' });
  const content = {
    patient,
    problems,
    allergies: allergies.filter((a) => !a.verificationStatus?.coding?.some((c) => c.code === 'entered-in-error')),
    medications: [...requests, ...statements],
    immunizations,
    results: latestPerCode(results).slice(0, 50),
    vitals: latestPerCode(vitals),
    referenced: [] as Resource[],
  };
  content.referenced = await referencedResources(ctx, [...content.problems, ...content.allergies, ...content.medications, ...content.immunizations, ...content.results, ...content.vitals]);
  const practice = await ctx.store.admin.getPractice(ctx.tenant);
  const document = patientSummary(content, { baseUrl: req.baseUrl, practiceName: practice?.name ?? 'Heron', now: new Date(nowOf(ctx)).toISOString(), newId: randomUUID });
  return { status: 200, body: document };
}

/** The newest observation of each code (searched newest first). */
function latestPerCode(observations: Observation[]): Observation[] {
  const seen = new Set<string>();
  return observations.filter((o) => {
    const coding = o.code.coding?.[0];
    const key = coding ? `${coding.system}|${coding.code}` : (o.code.text ?? o.id!);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** What the entries refer to outside the record (a vaccine's performer, a medication) that the caller may read. */
async function referencedResources(ctx: Ctx, resources: readonly Resource[]): Promise<Resource[]> {
  const wanted = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== 'object') return;
    const ref = (value as { reference?: unknown }).reference;
    if (typeof ref === 'string') {
      const [type, rid, ...rest] = ref.split('/');
      if (rest.length === 0 && rid && REFERENCED_TYPES.has(type)) wanted.add(ref);
    }
    Object.values(value).forEach(visit);
  };
  resources.forEach(visit);
  const found: Resource[] = [];
  for (const ref of wanted) {
    const [type, rid] = ref.split('/') as [string, string];
    if (!isAllowed(ctx, { interaction: 'read', resourceType: type })) continue;
    const stored = await reader(ctx).readCurrent(type, rid);
    if (stored?.resource !== undefined && !stored.deleted) found.push(stored.resource);
  }
  return found;
}
