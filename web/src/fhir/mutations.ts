/**
 * Saving through the FHIR API with TanStack Query mutations: pending and error states for the
 * form, and on success every cached query of the saved type is refetched, so lists and the chart
 * show the change. A failed save leaves the form (and its draft) as it was.
 */
import type { Resource } from '@medplum/fhirtypes';
import { useMutation, useQueryClient, type UseMutationResult } from '@tanstack/react-query';
import { useFhir } from './fhir-context.tsx';

/** `POST /fhir/R4/<type>`. */
export function useCreate<T extends Resource>(): UseMutationResult<T, Error, T> {
  const fhir = useFhir();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (resource: T) => fhir.create(resource),
    onSuccess: (saved) => queryClient.invalidateQueries({ queryKey: ['fhir', saved.resourceType] }),
  });
}

/** `PUT /fhir/R4/<type>/<id>` with `If-Match` of the version the form was opened with. */
export function useUpdate<T extends Resource & { id: string }>(): UseMutationResult<T, Error, T> {
  const fhir = useFhir();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (resource: T) => fhir.update(resource, resource.meta?.versionId !== undefined ? { ifMatch: resource.meta.versionId } : {}),
    onSuccess: (saved) => queryClient.invalidateQueries({ queryKey: ['fhir', saved.resourceType] }),
  });
}
