import type { Reference, Resource } from '@medplum/fhirtypes';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useParams } from 'react-router';
import { checkSameChart } from '../../clinical-lists/entry-context.ts';
import { FhirApiError } from '../../fhir/fhir-client.ts';
import { useFhir } from '../../fhir/fhir-context.tsx';

export interface EntrySave<T extends Resource> {
  /** Creates (no id) or updates with If-Match on the version it was read at; resolves when saved. */
  save: (resource: T) => Promise<T | undefined>;
  isPending: boolean;
  error: unknown;
  /** Their newer version, after a 412: the next save goes over it (the user chose so by saving again). */
  conflict?: T;
  /** The stored version a save builds on: the one opened, or theirs after a conflict. */
  base: T | undefined;
}

function subjectOf(resource: Resource): Reference | undefined {
  if ('subject' in resource) return resource.subject as Reference | undefined;
  if ('patient' in resource) return resource.patient as Reference | undefined;
  return undefined;
}

/**
 * Saving a chart-list entry. The chart the form was opened for is compared, at the moment of
 * saving, with the chart in the address bar and with the resource's own subject; a mismatch is
 * refused before anything is sent. Updates carry If-Match, so two people editing one entry
 * cannot silently overwrite each other.
 */
export function useEntrySave<T extends Resource>(type: T['resourceType'], openedFor: string, stored: T | undefined): EntrySave<T> {
  const fhir = useFhir();
  const queryClient = useQueryClient();
  const { patientId: onScreen } = useParams();
  const onScreenRef = useRef(onScreen);
  onScreenRef.current = onScreen;
  const [base, setBase] = useState<T | undefined>(stored);
  const [conflict, setConflict] = useState<T | undefined>();
  const mutation = useMutation({
    mutationFn: async (resource: T): Promise<T> => {
      checkSameChart(openedFor, onScreenRef.current, subjectOf(resource));
      if (!resource.id) return fhir.create(resource);
      const version = base?.meta?.versionId;
      return fhir.update(resource as T & { id: string }, version !== undefined ? { ifMatch: version } : {});
    },
    onSuccess: async () => {
      setConflict(undefined);
      await queryClient.invalidateQueries({ queryKey: ['fhir', type] });
    },
    onError: async (error, resource) => {
      if (error instanceof FhirApiError && error.status === 412 && resource.id) {
        const theirs = await fhir.read<T>(type, resource.id).catch(() => undefined);
        if (theirs) {
          setBase(theirs);
          setConflict(theirs);
        }
      }
    },
  });
  return {
    save: async (resource) => {
      try {
        return await mutation.mutateAsync(resource);
      } catch {
        // Shown by the dialog from `error` / `conflict`; the form keeps its values.
        return undefined;
      }
    },
    isPending: mutation.isPending,
    error: mutation.error,
    ...(conflict ? { conflict } : {}),
    base,
  };
}
