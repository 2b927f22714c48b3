/**
 * The confidentiality labels Heron acts on: `meta.security` v3-Confidentiality `R` (restricted)
 * and `V` (very restricted), e.g. behavioural or sexual health records.
 * @see https://hl7.org/fhir/R4/security-labels.html
 */
import type { Resource } from '@medplum/fhirtypes';
import type { SearchCriterion } from '../../fhir/search/types.ts';

export const CONFIDENTIALITY = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
const RESTRICTED_CODES = ['R', 'V'];

/** Whether the resource itself carries a restricted label. */
export function isLabelledRestricted(resource: Resource): boolean {
  return (resource.meta?.security ?? []).some((s) => s.system === CONFIDENTIALITY && RESTRICTED_CODES.includes(s.code ?? ''));
}

/** The search criterion "labelled restricted" (or, with `not`, "not labelled restricted"). */
export function restrictedLabelCriterion(modifier?: 'not'): SearchCriterion {
  const criterion: SearchCriterion = { param: '_security', type: 'token', values: RESTRICTED_CODES.map((code) => ({ kind: 'token', system: CONFIDENTIALITY, code })) };
  if (modifier) criterion.modifier = modifier;
  return criterion;
}
