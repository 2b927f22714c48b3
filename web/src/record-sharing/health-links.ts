/** The patient's SMART Health Links as `Patient/[id]/$health-links` answers them (docs/patient-summary.md), read for the portal. */
import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';

/** One named value of a Parameters (or of a part): the first `value[x]` it holds. */
export function paramValue(parts: readonly ParametersParameter[] | undefined, name: string): string | boolean | undefined {
  const p = parts?.find((x) => x.name === name);
  if (!p) return undefined;
  return p.valueString ?? p.valueInstant ?? p.valueCode ?? p.valueUrl ?? p.valueBoolean ?? p.valueReference?.reference;
}

export function paramText(parts: readonly ParametersParameter[] | undefined, name: string): string {
  const v = paramValue(parts, name);
  return typeof v === 'string' ? v : '';
}

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

/** The label of the link an audited opening went through: the same recipient within a few seconds. */
export function linkOpened(links: readonly LinkView[], recipient: string, recorded: string): string | undefined {
  const at = Date.parse(recorded);
  return links.find((l) => l.openings.some((o) => o.recipient === recipient && Math.abs(Date.parse(o.at) - at) < 5_000))?.label;
}
