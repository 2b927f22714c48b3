/**
 * `GET [base]/Observation/$lastn?patient=…[&category=…][&code=…][&max=n]`: the newest `max`
 * Observations of each code of one patient (default 1), as a searchset Bundle grouped by code,
 * newest first within each code. It is a search in substance, so it is authorised as a search of
 * Observation and narrowed to the caller exactly as a search is (compartments, restricted
 * records, granular scopes): what the caller may not see is skipped and the next newest taken.
 *
 * The store reads it from an index made for it (`store/sql/search/latest.ts`), so the cost grows
 * with the codes and `max`, not with the length of the record.
 * @see https://hl7.org/fhir/R4/observation-operation-lastn.html
 */
import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import type { Ctx } from '../../../domain/context.ts';
import { reader } from '../../../domain/context.ts';
import { errors } from '../../../fhir/outcome.ts';
import { parseSearch } from '../../../fhir/search/parse.ts';
import type { SearchCriterion, TokenSearch } from '../../../fhir/search/types.ts';
import type { FhirRequest, FhirResponse } from '../fhir-request.ts';
import { pageUrl } from './search-bundle.ts';
import { narrowToCaller } from './search-access.ts';

/** The largest `max`: a few years of monthly values per code, bounded so one call stays small. */
export const MAX_LASTN = 100;

/** The parameters `$lastn` takes; any other is refused rather than silently ignored. */
const PARAMETERS = new Set(['patient', 'subject', 'category', 'code', 'max']);

export async function lastn(ctx: Ctx, req: FhirRequest): Promise<FhirResponse> {
  for (const name of req.query.keys()) {
    if (!PARAMETERS.has(name)) throw errors.invalid(`Observation/$lastn takes patient (or subject), category, code and max; not ${name}`, name);
  }
  const max = maxOf(req.query.getAll('max'));
  const criteria = new URLSearchParams(req.query);
  criteria.delete('max');
  const { request } = parseSearch(['Observation'], criteria, { strict: true, defaultCount: MAX_LASTN, maxCount: MAX_LASTN });
  const subject = patientOf(request.criteria);
  const categories = tokensOf(request.criteria, 'category');
  const codes = tokensOf(request.criteria, 'code');
  await narrowToCaller(ctx, request, ['Observation']);
  const groups = await reader(ctx).latest({ resourceType: 'Observation', subject: `Patient/${subject}`, categories, codes, max, criteria: request.criteria });

  const entry: BundleEntry[] = [];
  const seen = new Set<string>();
  for (const group of groups) {
    for (const resource of group.resources) {
      // An Observation with two codes is in two groups; it is returned once, where it first comes.
      if (seen.has(resource.id as string)) continue;
      seen.add(resource.id as string);
      entry.push({ fullUrl: `${req.baseUrl}/Observation/${resource.id}`, resource, search: { mode: 'match' } });
    }
  }
  const bundle: Bundle = { resourceType: 'Bundle', type: 'searchset', total: entry.length, link: [{ relation: 'self', url: pageUrl(req.baseUrl, 'Observation/$lastn', req.query) }] };
  if (entry.length > 0) bundle.entry = entry;
  return { status: 200, body: bundle };
}

function maxOf(values: string[]): number {
  if (values.length === 0) return 1;
  if (values.length > 1) throw errors.invalid('max is given more than once', 'max');
  const max = Number(values[0]);
  if (!/^[0-9]+$/.test(values[0]) || max < 1 || max > MAX_LASTN) throw errors.invalid(`max must be a whole number from 1 to ${MAX_LASTN}`, 'max');
  return max;
}

/** The one patient asked about: `patient=123`, `patient=Patient/123` or `subject=Patient/123`. */
function patientOf(criteria: readonly SearchCriterion[]): string {
  const named = criteria.filter((c) => c.param === 'patient' || c.param === 'subject');
  const value = named.length === 1 && named[0].values.length === 1 && named[0].modifier === undefined && !named[0].chain ? named[0].values[0] : undefined;
  const id = value?.kind === 'reference' && (value.targetType === undefined || value.targetType === 'Patient') ? value.targetId : undefined;
  if (id === undefined) throw errors.invalid('Observation/$lastn needs one patient: patient=[id] (or subject=Patient/[id])', 'patient');
  return id;
}

/** The OR-ed values of `category` or `code`, or undefined when not given. */
function tokensOf(criteria: readonly SearchCriterion[], param: 'category' | 'code'): TokenSearch[] | undefined {
  const named = criteria.filter((c) => c.param === param);
  if (named.length === 0) return undefined;
  if (named.length > 1 || named[0].modifier !== undefined) throw errors.invalid(`Give ${param} once, without a modifier (commas list alternatives)`, param);
  return named[0].values.map((v) => {
    if (v.kind !== 'token') throw errors.invalid(`${param} must be a token: [system]|[code]`, param);
    return v;
  });
}
