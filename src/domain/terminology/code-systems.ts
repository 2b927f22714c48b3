/**
 * The code systems Heron loads, each with its canonical URL, the CodeSystem resource that
 * describes it, what its concepts' `kind` means (what value sets select by), the subset Heron
 * ships and the attribution its licence asks for.
 * @see https://hl7.org/fhir/R4/terminologies-systems.html
 */
import type { CodeSystem } from '@medplum/fhirtypes';

export type CodeSystemKey = 'icd-10-cm' | 'snomed' | 'rxnorm' | 'cvx' | 'loinc' | 'ucum';

export interface CodeSystemInfo {
  key: CodeSystemKey;
  url: string;
  /** The CodeSystem resource id. */
  id: string;
  name: string;
  title: string;
  publisher: string;
  /** What a concept's `kind` holds in this system. */
  kind: string;
  copyright: string;
  /** The shipped subset, relative to the repository's `terminology/` folder. */
  shipped: string;
}

const NLM_ATTRIBUTION =
  'This product uses publicly available data courtesy of the U.S. National Library of Medicine (NLM), National Institutes of Health, Department of Health and Human Services; NLM is not responsible for the product and does not endorse or recommend this or any other product.';

export const CODE_SYSTEMS: Readonly<Record<CodeSystemKey, CodeSystemInfo>> = {
  'icd-10-cm': {
    key: 'icd-10-cm',
    url: 'http://hl7.org/fhir/sid/icd-10-cm',
    id: 'icd-10-cm',
    name: 'ICD10CM',
    title: 'International Classification of Diseases, Tenth Revision, Clinical Modification (ICD-10-CM)',
    publisher: 'CDC National Center for Health Statistics',
    kind: 'billable (a code that may be used on a claim) or header (a category above billable codes)',
    copyright: 'ICD-10-CM is a U.S. Government work in the public domain (CDC/NCHS); ICD-10 is © World Health Organization.',
    shipped: 'icd-10-cm/icd10cm-subset.tsv',
  },
  snomed: {
    key: 'snomed',
    url: 'http://snomed.info/sct',
    id: 'snomed-ct',
    name: 'SNOMED_CT',
    title: 'SNOMED CT',
    publisher: 'SNOMED International',
    kind: 'the semantic tag of the fully specified name (disorder, finding, substance, procedure…)',
    copyright:
      'This product includes the SNOMED CT Global Patient Set (GPS), © SNOMED International, used under CC BY 4.0. SNOMED CT® is a registered trademark of SNOMED International; see http://www.snomed.org/terms-and-conditions. Concepts beyond the GPS, when loaded, are used under the loading site\'s SNOMED CT licence.',
    shipped: 'snomed-ct/snomed-gps-20200930.tsv',
  },
  rxnorm: {
    key: 'rxnorm',
    url: 'http://www.nlm.nih.gov/research/umls/rxnorm',
    id: 'rxnorm',
    name: 'RxNorm',
    title: 'RxNorm',
    publisher: 'U.S. National Library of Medicine',
    kind: 'the RxNorm term type (TTY) of the concept\'s name: SCD, SBD, GPCK, BPCK, IN, MIN, PIN, SCDF…',
    copyright: NLM_ATTRIBUTION,
    shipped: 'rxnorm/rxnorm-subset.tsv',
  },
  cvx: {
    key: 'cvx',
    url: 'http://hl7.org/fhir/sid/cvx',
    id: 'cvx',
    name: 'CVX',
    title: 'CDC Vaccines Administered (CVX)',
    publisher: 'CDC National Center of Immunization and Respiratory Diseases',
    kind: 'vaccine',
    copyright: 'CVX is published by CDC, a U.S. Government work in the public domain.',
    shipped: 'cvx/cvx-codes.tsv',
  },
  loinc: {
    key: 'loinc',
    url: 'http://loinc.org',
    id: 'loinc',
    name: 'LOINC',
    title: 'Logical Observation Identifiers, Names and Codes (LOINC)',
    publisher: 'Regenstrief Institute, Inc.',
    kind: 'observation (a term), part (LP…) or answer (LA…)',
    copyright:
      'This material contains content from LOINC® (http://loinc.org). LOINC is copyright © Regenstrief Institute, Inc. and the Logical Observation Identifiers Names and Codes (LOINC) Committee and is available at no cost under the license at http://loinc.org/license. LOINC® is a registered United States trademark of Regenstrief Institute, Inc.',
    shipped: 'loinc/loinc-subset.tsv',
  },
  ucum: {
    key: 'ucum',
    url: 'http://unitsofmeasure.org',
    id: 'ucum',
    name: 'UCUM',
    title: 'Unified Code for Units of Measure (UCUM), common units',
    publisher: 'Regenstrief Institute, Inc. and The UCUM Organization',
    kind: 'unit',
    copyright: 'UCUM is Copyright © 1999-2013 Regenstrief Institute, Inc. and The UCUM Organization, Indianapolis, IN. All rights reserved. See https://ucum.org/license.',
    shipped: 'ucum/ucum-common-units.tsv',
  },
};

export const CODE_SYSTEM_KEYS = Object.keys(CODE_SYSTEMS) as CodeSystemKey[];

/** The system for a key (`snomed`) or canonical URL; undefined when Heron does not load it. */
export function codeSystemInfo(keyOrUrl: string): CodeSystemInfo | undefined {
  return CODE_SYSTEMS[keyOrUrl as CodeSystemKey] ?? Object.values(CODE_SYSTEMS).find((s) => s.url === keyOrUrl);
}

/**
 * The CodeSystem resource: a description only (`content: not-present`); its concepts live in
 * the terminology store and are reached with `$lookup` and the value sets' `$expand`.
 */
export function codeSystemResource(info: CodeSystemInfo, count: number, version?: string): CodeSystem {
  const resource: CodeSystem = {
    resourceType: 'CodeSystem',
    id: info.id,
    url: info.url,
    name: info.name,
    title: info.title,
    status: 'active',
    publisher: info.publisher,
    copyright: info.copyright,
    content: 'not-present',
    count,
    property: [{ code: 'kind', description: `Heron's grouping of concepts for value sets: ${info.kind}`, type: 'code' }],
  };
  if (version !== undefined) resource.version = version;
  return resource;
}
