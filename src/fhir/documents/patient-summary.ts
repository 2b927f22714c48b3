/**
 * The International Patient Summary of one patient as a FHIR document: a `document` Bundle whose
 * first entry is a Composition (LOINC 60591-5) with the mandatory Problems, Allergies and
 * Medication Summary sections (each with generated narrative, and an `emptyReason` when nothing
 * is recorded) and the recommended Immunizations, Results and Vital signs sections, followed by
 * the Patient, every resource the sections list and what those refer to. The document is
 * self-contained: a reference to something not in it keeps its display and loses its link.
 * Pure: the caller gathers what the reader may see (`api/fhir/interactions/patient-summary.ts`).
 * @see https://hl7.org/fhir/uv/ips/
 */
import type {
  AllergyIntolerance,
  Bundle,
  BundleEntry,
  Composition,
  CompositionSection,
  Condition,
  Immunization,
  MedicationRequest,
  MedicationStatement,
  Observation,
  Organization,
  Patient,
  Resource,
} from '@medplum/fhirtypes';
import { conceptText, quantityText, tableNarrative, textNarrative } from './narrative.ts';

const LOINC = 'http://loinc.org';
export const IPS_DOCUMENT_TYPE = { system: LOINC, code: '60591-5', display: 'Patient summary Document' } as const;

/** The sections, in the order IPS lists them; the first three are mandatory. */
export const IPS_SECTIONS = {
  problems: { code: '11450-4', display: 'Problem list - Reported', title: 'Active problems' },
  allergies: { code: '48765-2', display: 'Allergies and adverse reactions Document', title: 'Allergies and intolerances' },
  medications: { code: '10160-0', display: 'History of Medication use Narrative', title: 'Medication summary' },
  immunizations: { code: '11369-6', display: 'History of Immunization Narrative', title: 'Immunizations' },
  results: { code: '30954-2', display: 'Relevant diagnostic tests/laboratory data Narrative', title: 'Results' },
  vitals: { code: '8716-3', display: 'Vital signs', title: 'Vital signs' },
} as const;

export type SectionKey = keyof typeof IPS_SECTIONS;
export const MANDATORY_SECTIONS: readonly SectionKey[] = ['problems', 'allergies', 'medications'];

export interface SummaryContent {
  patient: Patient & { id: string };
  problems: Condition[];
  allergies: AllergyIntolerance[];
  medications: (MedicationStatement | MedicationRequest)[];
  immunizations: Immunization[];
  results: Observation[];
  vitals: Observation[];
  /** Resources the entries refer to that the reader may see (practitioners, medications…). */
  referenced: Resource[];
}

export interface SummaryOptions {
  /** The FHIR base, for entries' fullUrls (`<base>/Condition/1`). */
  baseUrl: string;
  /** Who issues the summary: the practice. */
  practiceName: string;
  /** ISO instant. */
  now: string;
  /** A new id each time (a UUID): the document's identifier and the author's urn. */
  newId: () => string;
}

export function patientSummary(content: SummaryContent, options: SummaryOptions): Bundle {
  const { baseUrl } = options;
  const authorUrn = `urn:uuid:${options.newId()}`;
  const author: Organization = { resourceType: 'Organization', name: options.practiceName };
  const fullUrl = (r: Resource) => `${baseUrl}/${r.resourceType}/${r.id}`;
  const listed: Record<SectionKey, Resource[]> = {
    problems: content.problems,
    allergies: content.allergies,
    medications: content.medications,
    immunizations: content.immunizations,
    results: content.results,
    vitals: content.vitals,
  };
  const sections: CompositionSection[] = [];
  for (const key of Object.keys(IPS_SECTIONS) as SectionKey[]) {
    const resources = listed[key];
    if (resources.length === 0 && !MANDATORY_SECTIONS.includes(key)) continue;
    sections.push(section(key, resources, fullUrl));
  }
  const composition: Composition = {
    resourceType: 'Composition',
    status: 'final',
    type: { coding: [IPS_DOCUMENT_TYPE] },
    subject: { reference: `Patient/${content.patient.id}`, display: patientName(content.patient) },
    date: options.now,
    author: [{ reference: authorUrn, display: options.practiceName }],
    title: `Patient summary of ${patientName(content.patient)}`,
    section: sections,
  };
  const compositionUrn = `urn:uuid:${options.newId()}`;
  const body: BundleEntry[] = [];
  const seen = new Set<string>();
  for (const resource of [content.patient, ...Object.values(listed).flat(), ...content.referenced]) {
    const url = fullUrl(resource);
    if (seen.has(url)) continue;
    seen.add(url);
    body.push({ fullUrl: url, resource: structuredClone(resource) });
  }
  const entries: BundleEntry[] = [{ fullUrl: compositionUrn, resource: composition }, ...body, { fullUrl: authorUrn, resource: author }];
  selfContained(entries, baseUrl);
  return { resourceType: 'Bundle', identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${options.newId()}` }, type: 'document', timestamp: options.now, entry: entries };
}

function section(key: SectionKey, resources: readonly Resource[], fullUrl: (r: Resource) => string): CompositionSection {
  const def = IPS_SECTIONS[key];
  const base: CompositionSection = { title: def.title, code: { coding: [{ system: LOINC, code: def.code, display: def.display }] } };
  if (resources.length === 0) {
    return {
      ...base,
      text: textNarrative(`No ${def.title.toLowerCase()} are recorded.`),
      emptyReason: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/list-empty-reason', code: 'unavailable', display: 'Unavailable' }], text: 'Nothing recorded' },
    };
  }
  return { ...base, text: narrativeOf(key, resources), entry: resources.map((r) => ({ reference: fullUrl(r) })) };
}

function narrativeOf(key: SectionKey, resources: readonly Resource[]) {
  switch (key) {
    case 'problems':
      return tableNarrative(['Problem', 'Status', 'Since'], (resources as Condition[]).map((c) => [conceptText(c.code), conceptText(c.clinicalStatus), dateOf(c.onsetDateTime ?? c.onsetPeriod?.start ?? c.recordedDate)]));
    case 'allergies':
      return tableNarrative(['Substance', 'Criticality', 'Reaction'], (resources as AllergyIntolerance[]).map((a) => [conceptText(a.code), a.criticality ?? '', (a.reaction ?? []).flatMap((r) => r.manifestation.map(conceptText)).join(', ')]));
    case 'medications':
      return tableNarrative(['Medication', 'Status', 'How to take'], (resources as (MedicationStatement | MedicationRequest)[]).map((m) => [medicationText(m), m.status ?? '', (m.resourceType === 'MedicationStatement' ? m.dosage : m.dosageInstruction)?.map((d) => d.text ?? '').join('; ') ?? '']));
    case 'immunizations':
      return tableNarrative(['Vaccine', 'Date', 'Status'], (resources as Immunization[]).map((i) => [conceptText(i.vaccineCode), dateOf(i.occurrenceDateTime), i.status]));
    case 'results':
    case 'vitals':
      return tableNarrative(['Test', 'Value', 'Reference range', 'Flag', 'Date'], (resources as Observation[]).map((o) => [conceptText(o.code), valueText(o), rangeText(o), (o.interpretation ?? []).map(conceptText).join(', '), dateOf(o.effectiveDateTime ?? o.effectivePeriod?.start)]));
  }
}

function medicationText(m: MedicationStatement | MedicationRequest): string {
  return conceptText(m.medicationCodeableConcept) || m.medicationReference?.display || '';
}

function valueText(o: Observation): string {
  if (o.valueQuantity) return quantityText(o.valueQuantity);
  if (o.valueCodeableConcept) return conceptText(o.valueCodeableConcept);
  if (o.valueString !== undefined) return o.valueString;
  if (o.component?.length) return o.component.map((c) => `${conceptText(c.code)} ${quantityText(c.valueQuantity)}`.trim()).join('; ');
  return '';
}

function rangeText(o: Observation): string {
  const r = o.referenceRange?.[0];
  if (!r) return '';
  if (r.text) return r.text;
  const low = quantityText(r.low);
  const high = quantityText(r.high);
  return low && high ? `${low} – ${high}` : low ? `≥ ${low}` : high ? `≤ ${high}` : '';
}

function dateOf(value: string | undefined): string {
  return value?.slice(0, 10) ?? '';
}

function patientName(patient: Patient): string {
  const name = patient.name?.find((n) => n.use === 'official') ?? patient.name?.[0];
  if (!name) return 'the patient';
  return name.text ?? [...(name.given ?? []), name.family].filter(Boolean).join(' ');
}

/**
 * Every reference in the document resolves inside it (a document is read without the server):
 * one to a resource not included keeps its display, or gets one saying so, and loses its link.
 */
function selfContained(entries: BundleEntry[], baseUrl: string): void {
  const present = new Set(entries.map((e) => e.fullUrl));
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const obj = value as Record<string, unknown>;
    if (typeof obj.reference === 'string' && !obj.reference.startsWith('#')) {
      const ref = obj.reference;
      const absolute = /^(urn:|https?:)/.test(ref) ? ref : `${baseUrl}/${ref}`;
      if (!present.has(absolute)) {
        delete obj.reference;
        obj.display ??= 'Not included in this summary';
      }
    }
    for (const [k, v] of Object.entries(obj)) if (k !== 'text') visit(v);
  };
  for (const e of entries) visit(e.resource);
}

