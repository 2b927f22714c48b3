/**
 * The value sets the clinician app's type-aheads expand (docs/terminology.md), and how an
 * expansion reads on screen: each choice with its display, its code and the code system's short
 * name, so a clinician can tell an ICD-10-CM code from a SNOMED CT one.
 */
import type { Coding, ValueSet } from '@medplum/fhirtypes';

export const VALUE_SETS = {
  problems: 'https://heron.dev/fhir/ValueSet/problems',
  medications: 'https://heron.dev/fhir/ValueSet/medications',
  vaccines: 'https://heron.dev/fhir/ValueSet/vaccines',
  allergySubstances: 'https://heron.dev/fhir/ValueSet/allergy-substances',
  observations: 'https://heron.dev/fhir/ValueSet/observations',
} as const;

export type ValueSetUrl = (typeof VALUE_SETS)[keyof typeof VALUE_SETS];

export const SYSTEMS = {
  icd10cm: 'http://hl7.org/fhir/sid/icd-10-cm',
  snomed: 'http://snomed.info/sct',
  rxnorm: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  cvx: 'http://hl7.org/fhir/sid/cvx',
  loinc: 'http://loinc.org',
  ucum: 'http://unitsofmeasure.org',
} as const;

const SYSTEM_NAMES: Record<string, string> = {
  [SYSTEMS.icd10cm]: 'ICD-10-CM',
  [SYSTEMS.snomed]: 'SNOMED CT',
  [SYSTEMS.rxnorm]: 'RxNorm',
  [SYSTEMS.cvx]: 'CVX',
  [SYSTEMS.loinc]: 'LOINC',
  [SYSTEMS.ucum]: 'UCUM',
};

/** "ICD-10-CM" for a known system; otherwise the URL's last segment, never nothing. */
export function systemName(system: string | undefined): string {
  if (!system) return 'Uncoded';
  return SYSTEM_NAMES[system] ?? system.replace(/\/+$/, '').split('/').pop() ?? system;
}

/** One choice of a type-ahead. */
export interface CodedChoice {
  /** `system|code`: unique within an expansion. */
  key: string;
  coding: Coding & { system: string; code: string; display: string };
  /** "ICD-10-CM E11.9" */
  codeText: string;
}

export function choiceKey(coding: Pick<Coding, 'system' | 'code'>): string {
  return `${coding.system ?? ''}|${coding.code ?? ''}`;
}

export function toChoice(coding: Coding & { system: string; code: string }): CodedChoice {
  const display = coding.display ?? coding.code;
  return { key: choiceKey(coding), coding: { system: coding.system, code: coding.code, display }, codeText: `${systemName(coding.system)} ${coding.code}` };
}

export interface ExpansionPage {
  choices: CodedChoice[];
  /** Every match, not only this page (when the server said). */
  total?: number;
}

/** The choices of a `$expand` answer, in the server's order (best match first), without repeats. */
export function expansionChoices(valueSet: ValueSet): ExpansionPage {
  const seen = new Set<string>();
  const choices: CodedChoice[] = [];
  for (const c of valueSet.expansion?.contains ?? []) {
    if (!c.system || !c.code || c.abstract) continue;
    const choice = toChoice({ system: c.system, code: c.code, ...(c.display ? { display: c.display } : {}) });
    if (seen.has(choice.key)) continue;
    seen.add(choice.key);
    choices.push(choice);
  }
  const total = valueSet.expansion?.total;
  return total === undefined ? { choices } : { choices, total };
}

/** The fewest characters worth sending: one letter matches a third of a value set. */
export const MIN_FILTER_LENGTH = 2;

/** What is typed, trimmed, when it is worth searching for; otherwise undefined. */
export function filterToSend(typed: string): string | undefined {
  const trimmed = typed.trim().replace(/\s+/g, ' ');
  if (trimmed.replace(/[^\p{L}\p{N}]/gu, '').length < MIN_FILTER_LENGTH) return undefined;
  return trimmed;
}
