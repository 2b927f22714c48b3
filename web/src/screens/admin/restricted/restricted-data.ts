/**
 * Restricted records over FHIR (docs/access.md "Restricted records and break-the-glass"):
 * `Patient/$restricted-records` names the restricted charts and resources with the care
 * relationships that open them (names and labels only: the administrator sees no clinical data);
 * `$meta-add` / `$meta-delete` with a v3-Confidentiality label restrict or open a chart or a record.
 */
import type { Bundle, Meta, Parameters, ParametersParameter, Patient, Reference, ResourceType } from '@medplum/fhirtypes';
import { useMutation, useQuery, useQueryClient, type UseQueryResult } from '@tanstack/react-query';
import { useFhir } from '../../../fhir/fhir-context.tsx';

export const CONFIDENTIALITY = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
const RESTRICTED_KEY = ['fhir', 'Patient', 'restricted-records'];

export interface RestrictedChart {
  patient: Reference;
  /** The chart's own label (R or V); absent when only some of its records are restricted. */
  label?: string;
  restrictedResources: number;
  generalPractitioners: string[];
  careTeamMembers: string[];
}

export interface RestrictedResource {
  reference: string;
  date?: string;
  label?: string;
  patient?: Reference;
}

export interface RestrictedRecords {
  charts: RestrictedChart[];
  resources: RestrictedResource[];
  truncated: boolean;
}

const partsOf = (p: ParametersParameter, name: string) => (p.part ?? []).filter((x) => x.name === name);
const nameOf = (r: Reference | undefined) => r?.display ?? r?.reference ?? '';

export function restrictedRecordsOf(answer: Parameters): RestrictedRecords {
  const params = answer.parameter ?? [];
  return {
    charts: params
      .filter((p) => p.name === 'chart')
      .map((p) => ({
        patient: partsOf(p, 'patient')[0]?.valueReference ?? {},
        ...(partsOf(p, 'label')[0]?.valueCoding?.code ? { label: partsOf(p, 'label')[0].valueCoding!.code } : {}),
        restrictedResources: partsOf(p, 'restrictedResources')[0]?.valueInteger ?? 0,
        generalPractitioners: partsOf(p, 'generalPractitioner').map((x) => nameOf(x.valueReference)),
        careTeamMembers: partsOf(p, 'careTeamMember').map((x) => nameOf(x.valueReference)),
      })),
    resources: params
      .filter((p) => p.name === 'resource')
      .map((p) => ({
        reference: partsOf(p, 'resource')[0]?.valueReference?.reference ?? '',
        ...(partsOf(p, 'date')[0]?.valueInstant ? { date: partsOf(p, 'date')[0].valueInstant } : {}),
        ...(partsOf(p, 'label')[0]?.valueCoding?.code ? { label: partsOf(p, 'label')[0].valueCoding!.code } : {}),
        ...(partsOf(p, 'patient')[0]?.valueReference ? { patient: partsOf(p, 'patient')[0].valueReference } : {}),
      })),
    truncated: params.some((p) => p.name === 'truncated' && p.valueBoolean === true),
  };
}

export function labelText(code: string | undefined): string {
  return code === 'V' ? 'Very restricted' : code === 'R' ? 'Restricted' : 'Not restricted';
}

export function useRestrictedRecords(): UseQueryResult<RestrictedRecords> {
  const fhir = useFhir();
  return useQuery({ queryKey: RESTRICTED_KEY, queryFn: async ({ signal }) => restrictedRecordsOf(await fhir.operation<Parameters>('Patient', 'restricted-records', {}, signal)) });
}

/** Unrestricted charts by name, to restrict one (the administrator reads demographics). */
export function usePatientsNamed(name: string): UseQueryResult<Bundle<Patient>> {
  const fhir = useFhir();
  return useQuery({
    queryKey: ['fhir', 'Patient', 'search', { name, for: 'restrict' }],
    queryFn: ({ signal }) => fhir.search<Patient>('Patient', { name, _count: 10, _sort: 'family,given' }, signal),
    enabled: name.trim().length >= 2,
  });
}

/** Adds (restrict) or removes (open) a confidentiality label on `reference` (`Patient/1`, `Observation/2`). */
export function useLabelChange() {
  const fhir = useFhir();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ reference, restrict, code = 'R' }: { reference: string; restrict: boolean; code?: string }) => {
      const [type, id] = reference.split('/');
      const meta: Meta = { security: [{ system: CONFIDENTIALITY, code }] };
      const body: Parameters = { resourceType: 'Parameters', parameter: [{ name: 'meta', valueMeta: meta }] };
      return fhir.invokeOn<Parameters>(type as ResourceType, id, restrict ? 'meta-add' : 'meta-delete', body);
    },
    // Refetched in the background: the change is done whether or not the lists have caught up.
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: RESTRICTED_KEY });
      void queryClient.invalidateQueries({ queryKey: ['fhir', 'Patient', 'search'] });
    },
  });
}
