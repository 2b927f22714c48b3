import type { Parameters } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { linkViews } from '../../../record-sharing/health-links.ts';
import { usePortalApi } from '../portal-api.ts';

/** The patient's links with every opening, for the Share and Privacy pages. */
export function useHealthLinks(patientId: string) {
  const api = usePortalApi();
  return useQuery({ queryKey: ['portal', 'health-links', patientId], queryFn: async () => linkViews(await api.get<Parameters>(`Patient/${encodeURIComponent(patientId)}/$health-links`)) });
}

