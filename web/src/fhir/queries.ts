/**
 * Data hooks over TanStack Query: caching, de-duplication, retries and background refresh come
 * from there. Query keys start with 'fhir' and the resource type, so a save can invalidate
 * everything of one type: `queryClient.invalidateQueries({ queryKey: ['fhir', 'Condition'] })`.
 */
import type { Bundle, Observation, Resource } from '@medplum/fhirtypes';
import { useQuery, type UseQueryResult } from '@tanstack/react-query';
import { useFhir } from './fhir-context.tsx';
import type { SearchParams } from './fhir-client.ts';

export function useRead<T extends Resource>(type: T['resourceType'], id: string | undefined): UseQueryResult<T> {
  const fhir = useFhir();
  return useQuery({
    queryKey: ['fhir', type, 'read', id],
    queryFn: ({ signal }) => fhir.read<T>(type, id!, signal),
    enabled: id !== undefined,
  });
}

export function useSearch<T extends Resource>(type: T['resourceType'], params: SearchParams, options: { enabled?: boolean } = {}): UseQueryResult<Bundle<T>> {
  const fhir = useFhir();
  return useQuery({
    queryKey: ['fhir', type, 'search', params],
    queryFn: ({ signal }) => fhir.search<T>(type, params, signal),
    enabled: options.enabled ?? true,
  });
}

/** The resources of a search bundle's `match` entries (not `_include`d ones). */
export function matches<T extends Resource>(bundle: Bundle<T> | undefined): T[] {
  return (bundle?.entry ?? []).filter((e) => e.search?.mode !== 'include' && e.resource).map((e) => e.resource!);
}

/** `_include`d resources of one type, by `Type/id`. */
export function included<T extends Resource>(bundle: Bundle | undefined, type: T['resourceType']): Map<string, T> {
  const map = new Map<string, T>();
  for (const e of bundle?.entry ?? []) if (e.resource?.resourceType === type && e.resource.id) map.set(`${type}/${e.resource.id}`, e.resource as T);
  return map;
}

/**
 * `Observation/$lastn`: the newest `max` observations of each code of one patient in a category
 * (the chart's latest vitals and results with the value before, for the trend). Its cost follows
 * the number of codes, not the length of the record (docs/search.md).
 */
export function useLastN(patientId: string | undefined, category: string, max: number): UseQueryResult<Bundle<Observation>> {
  const fhir = useFhir();
  const params = { patient: patientId, category, max };
  return useQuery({
    queryKey: ['fhir', 'Observation', 'lastn', params],
    queryFn: ({ signal }) => fhir.operation<Bundle<Observation>>('Observation', 'lastn', params, signal),
    enabled: patientId !== undefined,
  });
}
