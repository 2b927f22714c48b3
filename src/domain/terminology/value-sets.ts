/**
 * The value sets the clinician app's pickers expand, each a stable canonical URL and rules over
 * the loaded code systems ("the active concepts of system S, of these kinds"). Their members
 * follow whatever release of each system is loaded: the shipped subsets, or a full release.
 * @see docs/terminology.md
 */
import type { ValueSet } from '@medplum/fhirtypes';
import type { ValueSetRule } from '../../store/terminology.ts';
import { CODE_SYSTEMS } from './code-systems.ts';

export const VALUE_SET_BASE = 'https://heron.dev/fhir/ValueSet/';

export interface ValueSetInfo {
  id: string;
  url: string;
  name: string;
  title: string;
  description: string;
  rules: ValueSetRule[];
}

function valueSet(id: string, name: string, title: string, description: string, rules: ValueSetRule[]): ValueSetInfo {
  return { id, url: VALUE_SET_BASE + id, name, title, description, rules };
}

const { 'icd-10-cm': icd, snomed, rxnorm, cvx, loinc, ucum } = CODE_SYSTEMS;

export const VALUE_SETS: readonly ValueSetInfo[] = [
  valueSet('problems', 'HeronProblems', 'Problems and diagnoses', 'For Condition.code: billable ICD-10-CM codes and SNOMED CT disorders and findings.', [
    { system: icd.url, kinds: ['billable'] },
    { system: snomed.url, kinds: ['disorder', 'finding'] },
  ]),
  valueSet('medications', 'HeronMedications', 'Medications', 'For MedicationRequest/MedicationStatement medicationCodeableConcept: RxNorm clinical and branded drugs, packs, dose-form groups and ingredients.', [
    { system: rxnorm.url, kinds: ['SCD', 'SBD', 'GPCK', 'BPCK', 'SCDF', 'SBDF', 'SCDG', 'SBDG', 'IN', 'MIN', 'PIN'] },
  ]),
  valueSet('vaccines', 'HeronVaccines', 'Vaccines', 'For Immunization.vaccineCode: every CVX code.', [{ system: cvx.url }]),
  valueSet('allergy-substances', 'HeronAllergySubstances', 'Allergy and intolerance substances', 'For AllergyIntolerance.code: RxNorm ingredients and SNOMED CT substances.', [
    { system: rxnorm.url, kinds: ['IN', 'MIN', 'PIN'] },
    { system: snomed.url, kinds: ['substance'] },
  ]),
  valueSet('observations', 'HeronObservations', 'Observations: vital signs, laboratory tests and assessments', 'For Observation.code: LOINC terms (not parts or answers).', [
    { system: loinc.url, kinds: ['observation'] },
  ]),
  valueSet('units', 'HeronUnits', 'Units of measure', 'For Quantity.code: the common UCUM units.', [{ system: ucum.url }]),
];

/** The ValueSet resource: its rules as `compose` (Heron's `kind` property, see the CodeSystems). */
export function valueSetResource(info: ValueSetInfo): ValueSet {
  return {
    resourceType: 'ValueSet',
    id: info.id,
    url: info.url,
    name: info.name,
    title: info.title,
    status: 'active',
    publisher: 'Heron',
    description: info.description,
    immutable: false,
    compose: {
      inactive: false,
      include: info.rules.map((rule) =>
        rule.kinds === undefined ? { system: rule.system } : { system: rule.system, filter: [{ property: 'kind', op: 'in' as const, value: rule.kinds.join(',') }] },
      ),
    },
  };
}
