/**
 * Runs a search-box plan (search-terms.ts) against the server: its searches in parallel, each
 * asking for only what a result row shows (`_elements`), at most `MAX_RESULTS`, without a total
 * (`_total=none`: nobody reads it, and counting is the expensive part of a broad name search);
 * results merged by id in the plan's order. Cancelling `signal` cancels every request, so a
 * keystroke makes the previous search's requests stop.
 */
import type { Bundle, Patient } from '@medplum/fhirtypes';
import type { PatientSearchPlan } from './search-terms.ts';

export const MAX_RESULTS = 10;
/** What a result row shows: name, birth date (age), sex, MRN and phone (NIST 7804-1). */
export const RESULT_ELEMENTS = 'name,birthDate,gender,identifier,telecom,deceasedBoolean,deceasedDateTime';

export type SearchPatients = (params: URLSearchParams, signal?: AbortSignal) => Promise<Bundle<Patient>>;

export function resultQuery(query: URLSearchParams): URLSearchParams {
  const params = new URLSearchParams(query);
  params.set('_count', String(MAX_RESULTS));
  params.set('_elements', RESULT_ELEMENTS);
  params.set('_total', 'none');
  return params;
}

export async function findPatients(search: SearchPatients, plan: PatientSearchPlan, signal?: AbortSignal): Promise<Patient[]> {
  const bundles = await Promise.all(plan.queries.map((q) => search(resultQuery(q), signal)));
  return mergeById(bundles);
}

/** The recently opened patients, in the order they were opened (the server answers in its own order). */
export async function findRecentPatients(search: SearchPatients, ids: readonly string[], signal?: AbortSignal): Promise<Patient[]> {
  if (ids.length === 0) return [];
  const bundle = await search(resultQuery(new URLSearchParams({ _id: ids.join(',') })), signal);
  const byId = new Map(mergeById([bundle]).map((p) => [p.id, p]));
  return ids.map((id) => byId.get(id)).filter((p): p is Patient => p !== undefined);
}

function mergeById(bundles: readonly Bundle<Patient>[]): Patient[] {
  const byId = new Map<string, Patient>();
  for (const bundle of bundles) {
    for (const entry of bundle.entry ?? []) {
      const p = entry.resource;
      if (entry.search?.mode !== 'include' && p?.id && !byId.has(p.id)) byId.set(p.id, p);
    }
  }
  return [...byId.values()].slice(0, MAX_RESULTS);
}
