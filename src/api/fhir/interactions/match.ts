/**
 * `POST [base]/Patient/$match` with a Parameters resource (`resource`: the Patient being
 * registered, `onlyCertainMatches`, `count`): the stored Patients that may be the same person,
 * best first, each with `search.score` and the `match-grade` extension (`domain/patients/
 * match-grade.ts` grades them).
 *
 * Candidates come from a few indexed searches, never a scan of every patient: the same
 * identifier, the same birth date, the birth date with day and month swapped, the same phone (as
 * written), and the same family or given name (prefix) born the same year — run as one statement
 * (`StoreReader.searchAnyOf`) and narrowed to the caller exactly as the caller's own search of
 * Patient would be, so nobody learns of a patient they could not find by searching.
 * @see https://hl7.org/fhir/R4/patient-operation-match.html
 */
import type { Bundle, BundleEntry, Parameters, Patient } from '@medplum/fhirtypes';
import { reader, type Ctx } from '../../../domain/context.ts';
import { gradeMatch, namesOf, swappedBirthDate, type MatchResult } from '../../../domain/patients/match-grade.ts';
import { errors } from '../../../fhir/outcome.ts';
import { escapeSearch } from '../../../fhir/search/escape.ts';
import { parseSearch } from '../../../fhir/search/parse.ts';
import type { FhirRequest, FhirResponse } from '../fhir-request.ts';
import { narrowToCaller } from './search-access.ts';

export const MATCH_GRADE_URL = 'http://hl7.org/fhir/StructureDefinition/match-grade';
/** Results returned unless `count` says otherwise, and the most it may ask for. */
export const DEFAULT_MATCH_COUNT = 10;
export const MAX_MATCH_COUNT = 50;
/** Candidates read per search: a birth date or a name and year is shared by a handful of patients, not hundreds. */
const CANDIDATES_PER_SEARCH = 100;

export async function matchPatients(ctx: Ctx, req: FhirRequest): Promise<FhirResponse> {
  const { wanted, onlyCertain, count } = inputOf(req.body);
  const candidates = await searchPatients(ctx, candidateQueries(wanted));
  const graded: { patient: Patient; match: MatchResult }[] = [];
  for (const patient of candidates) {
    const match = gradeMatch(wanted, patient);
    if (match !== undefined && (!onlyCertain || match.grade === 'certain')) graded.push({ patient, match });
  }
  graded.sort((a, b) => b.match.score - a.match.score || (a.patient.id as string).localeCompare(b.patient.id as string));
  const entry: BundleEntry[] = graded.slice(0, count).map(({ patient, match }) => ({
    fullUrl: `${req.baseUrl}/Patient/${patient.id}`,
    resource: patient,
    search: { mode: 'match', score: match.score, extension: [{ url: MATCH_GRADE_URL, valueCode: match.grade }] },
  }));
  const bundle: Bundle = { resourceType: 'Bundle', type: 'searchset', total: entry.length };
  if (entry.length > 0) bundle.entry = entry;
  return { status: 200, body: bundle };
}

function inputOf(body: unknown): { wanted: Patient; onlyCertain: boolean; count: number } {
  const params = body as Parameters | undefined;
  if (params?.resourceType !== 'Parameters') throw errors.invalid('Send a Parameters resource with a resource parameter holding the Patient to match');
  const parameter = params.parameter ?? [];
  const resource = parameter.find((p) => p.name === 'resource')?.resource;
  if (resource?.resourceType !== 'Patient') throw errors.invalid('The resource parameter must hold a Patient', 'resource');
  const only = parameter.find((p) => p.name === 'onlyCertainMatches');
  if (only !== undefined && typeof only.valueBoolean !== 'boolean') throw errors.invalid('onlyCertainMatches must be a valueBoolean', 'onlyCertainMatches');
  const countParam = parameter.find((p) => p.name === 'count');
  const count = countParam === undefined ? DEFAULT_MATCH_COUNT : countParam.valueInteger;
  if (count === undefined || !Number.isInteger(count) || count < 1 || count > MAX_MATCH_COUNT) throw errors.invalid(`count must be a valueInteger from 1 to ${MAX_MATCH_COUNT}`, 'count');
  const wanted = resource as Patient;
  const searchable = (wanted.identifier ?? []).some((i) => i.system && i.value) || wanted.birthDate !== undefined || (wanted.telecom ?? []).some((t) => t.system === 'phone' && t.value);
  if (!searchable) throw errors.invalid('The Patient needs an identifier (system and value), a birth date or a phone number to be matched', 'resource');
  return { wanted, onlyCertain: only?.valueBoolean === true, count };
}

/** The searches that gather candidates, each led by an indexed criterion. */
function candidateQueries(p: Patient): URLSearchParams[] {
  const queries: URLSearchParams[] = [];
  for (const id of (p.identifier ?? []).slice(0, 5)) {
    if (id.system && id.value) queries.push(new URLSearchParams({ identifier: `${escapeSearch(id.system)}|${escapeSearch(id.value)}` }));
  }
  const born = p.birthDate !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(p.birthDate) ? p.birthDate : undefined;
  if (born !== undefined) {
    queries.push(new URLSearchParams({ birthdate: born }));
    const swapped = swappedBirthDate(born);
    if (swapped !== undefined) queries.push(new URLSearchParams({ birthdate: swapped }));
    const year = born.slice(0, 4);
    for (const name of namesOf(p).slice(0, 2)) {
      if (name.family !== '') queries.push(new URLSearchParams({ family: escapeSearch(name.family), birthdate: year }));
      if (name.given !== '') queries.push(new URLSearchParams({ given: escapeSearch(name.given), birthdate: year }));
    }
  }
  for (const phone of (p.telecom ?? []).filter((t) => t.system === 'phone' && t.value).slice(0, 3)) queries.push(new URLSearchParams({ phone: escapeSearch(phone.value as string) }));
  return queries;
}

/** The Patients any query finds (at most `CANDIDATES_PER_SEARCH` each), as far as the caller may see them. */
async function searchPatients(ctx: Ctx, queries: URLSearchParams[]): Promise<Patient[]> {
  const options = { strict: true, defaultCount: CANDIDATES_PER_SEARCH, maxCount: CANDIDATES_PER_SEARCH };
  const branches = queries.map((query) => parseSearch(['Patient'], query, options).request.criteria);
  // The caller's own restrictions, as a search of Patient gets them. The branches are plain
  // Patient parameters (no chains, no other type), which dispatch authorised with the route.
  const { request } = parseSearch(['Patient'], new URLSearchParams(), options);
  await narrowToCaller(ctx, request, ['Patient']);
  return (await reader(ctx).searchAnyOf({ resourceType: 'Patient', branches, criteria: request.criteria, limit: CANDIDATES_PER_SEARCH })) as Patient[];
}
