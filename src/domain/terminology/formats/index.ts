/** Every file layout Heron reads, per code system. */
import type { CodeSystemKey } from '../code-systems.ts';
import { CVX_FORMATS } from './cvx.ts';
import { ICD10CM_FORMATS } from './icd-10-cm.ts';
import { LOINC_FORMATS } from './loinc.ts';
import type { ReleaseFormat } from './release-format.ts';
import { RXNORM_FORMATS } from './rxnorm.ts';
import { SNOMED_FORMATS } from './snomed.ts';
import { UCUM_FORMATS } from './ucum.ts';

export const RELEASE_FORMATS: Readonly<Record<CodeSystemKey, readonly ReleaseFormat[]>> = {
  'icd-10-cm': ICD10CM_FORMATS,
  snomed: SNOMED_FORMATS,
  rxnorm: RXNORM_FORMATS,
  cvx: CVX_FORMATS,
  loinc: LOINC_FORMATS,
  ucum: UCUM_FORMATS,
};

/** The layout of a file whose first line is `firstLine`, or undefined. */
export function formatOf(system: CodeSystemKey, firstLine: string): ReleaseFormat | undefined {
  return RELEASE_FORMATS[system].find((f) => f.matches(firstLine));
}

export type { ReleaseFormat } from './release-format.ts';
