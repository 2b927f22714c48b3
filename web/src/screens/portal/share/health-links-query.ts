/** The patient's SMART Health Links with every opening (`Patient/[id]/$health-links`), for the Share and Privacy pages. */
import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { paramText, paramValue, usePortalApi } from '../portal-api.ts';

export interface LinkView {
  id: string;
  label: string;
  created: string;
  expires: string;
  status: string;
  passcode: boolean;
  openings: { at: string; recipient: string; address: string; outcome: string }[];
}

export function linkViews(answer: Parameters): LinkView[] {
  return (answer.parameter ?? [])
    .filter((p) => p.name === 'link')
    .map(({ part }) => ({
      id: paramText(part, 'id'),
      label: paramText(part, 'label'),
      created: paramText(part, 'created'),
      expires: paramText(part, 'expires'),
      status: paramText(part, 'status'),
      passcode: paramValue(part, 'passcode') === true,
      openings: (part ?? [])
        .filter((o): o is ParametersParameter => o.name === 'opened')
        .map((o) => ({ at: paramText(o.part, 'at'), recipient: paramText(o.part, 'recipient'), address: paramText(o.part, 'address'), outcome: paramText(o.part, 'outcome') })),
    }))
    .sort((a, b) => b.created.localeCompare(a.created));
}

export function useHealthLinks(patientId: string) {
  const api = usePortalApi();
  return useQuery({ queryKey: ['portal', 'health-links', patientId], queryFn: async () => linkViews(await api.get<Parameters>(`Patient/${encodeURIComponent(patientId)}/$health-links`)) });
}

/** The label of the link an audited opening went through: the same recipient within a few seconds. */
export function linkOpened(links: readonly LinkView[], recipient: string, recorded: string): string | undefined {
  const at = Date.parse(recorded);
  return links.find((l) => l.openings.some((o) => o.recipient === recipient && Math.abs(Date.parse(o.at) - at) < 5_000))?.label;
}
