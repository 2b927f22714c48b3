/**
 * An International Patient Summary (a FHIR document Bundle, docs/patient-summary.md) as a person
 * reads it: the patient, then each of the Composition's sections in its order with one line per
 * entry. Shared by the recipient's viewer and the PDF, so both say the same thing; results and
 * measurements are named and their units written as My health shows them (`portal/plain-language.ts`).
 */
import type { Bundle, Composition, Observation, Patient, Quantity, Reference, Resource } from '@medplum/fhirtypes';
import { givenFirst, sexText } from '../fhir-format/patient.ts';
import { conceptText, dateText } from '../fhir-format/values.ts';
import { observationName, unitWords } from '../portal/plain-language.ts';

export interface SummarySection {
  title: string;
  items: string[];
}

export interface SummaryModel {
  title: string;
  patientName: string;
  patientFacts: string[];
  /** When the summary was made (ISO). */
  made?: string;
  sections: SummarySection[];
}

/** A measured value as a person reads it: at most two decimals (the document keeps the exact value), the unit in My health's words. */
function amount(q: Quantity | undefined): string {
  if (q?.value === undefined) return '';
  const unit = unitWords(q);
  return `${q.value.toLocaleString('en-US', { maximumFractionDigits: 2, useGrouping: false })}${unit ? ` ${unit}` : ''}`;
}

/** A panel of measurements (blood pressure) reads as its parts joined: "120/80 mm[Hg]". */
function observationValue(o: Observation): string {
  if (o.valueQuantity) return amount(o.valueQuantity);
  if (o.valueCodeableConcept) return conceptText(o.valueCodeableConcept);
  if (o.valueString) return o.valueString;
  const parts = (o.component ?? []).map((c) => c.valueQuantity).filter((q): q is Quantity => q?.value !== undefined);
  if (parts.length === 0) return '';
  const unit = unitWords(parts[0]);
  return parts.every((q) => unitWords(q) === unit) ? `${parts.map((q) => amount({ value: q.value })).join('/')}${unit ? ` ${unit}` : ''}` : parts.map(amount).join(', ');
}

function entryLine(r: Resource): string {
  const when = (d: string | undefined, prefix: string) => (d ? ` · ${prefix} ${dateText(d)}` : '');
  switch (r.resourceType) {
    case 'Condition':
      return `${conceptText(r.code) || 'Problem'}${when(r.onsetDateTime ?? r.recordedDate, 'since')}${r.clinicalStatus ? ` · ${conceptText(r.clinicalStatus)}` : ''}`;
    case 'AllergyIntolerance': {
      const reactions = (r.reaction ?? []).flatMap((x) => (x.manifestation ?? []).map((m) => conceptText(m))).filter(Boolean);
      return `${conceptText(r.code) || 'Allergy'}${reactions.length ? ` · causes ${reactions.join(', ')}` : ''}${r.criticality ? ` · ${r.criticality} risk` : ''}`;
    }
    case 'MedicationStatement':
    case 'MedicationRequest': {
      const dose = r.resourceType === 'MedicationRequest' ? r.dosageInstruction?.[0]?.text : r.dosage?.[0]?.text;
      return `${conceptText(r.medicationCodeableConcept) || r.medicationReference?.display || 'Medication'}${dose ? ` · ${dose}` : ''}`;
    }
    case 'Immunization':
      return `${conceptText(r.vaccineCode) || 'Vaccine'}${when(r.occurrenceDateTime, 'given')}`;
    case 'Observation': {
      const value = observationValue(r);
      // The names My health uses, not LOINC's long names: the recipient reads what the patient read.
      return `${observationName(r.code) || 'Result'}${value ? `: ${value}` : ''}${when(r.effectiveDateTime ?? r.issued, 'on')}`;
    }
    case 'Procedure':
      return `${conceptText(r.code) || 'Procedure'}${when(r.performedDateTime, 'on')}`;
    default:
      return ('code' in r && r.code && typeof r.code === 'object' ? conceptText(r.code as never) : '') || r.resourceType;
  }
}

const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export function summaryModel(bundle: Bundle): SummaryModel {
  const byUrl = new Map<string, Resource>();
  for (const e of bundle.entry ?? []) if (e.fullUrl && e.resource) byUrl.set(e.fullUrl, e.resource);
  const resolve = (ref: Reference | undefined) => {
    if (!ref?.reference) return undefined;
    return byUrl.get(ref.reference) ?? [...byUrl.values()].find((r) => `${r.resourceType}/${r.id}` === ref.reference);
  };
  const composition = bundle.entry?.[0]?.resource as Composition | undefined;
  const patient = (resolve(composition?.subject) ?? bundle.entry?.find((e) => e.resource?.resourceType === 'Patient')?.resource) as Patient | undefined;
  const facts = [patient?.birthDate ? `Born ${dateText(patient.birthDate)}` : '', patient?.gender ? sexText(patient.gender) : ''].filter(Boolean);
  const sections = (composition?.section ?? []).map((s) => {
    const items = (s.entry ?? []).map(resolve).filter((r): r is Resource => r !== undefined).map(entryLine);
    return { title: s.title || conceptText(s.code) || 'Section', items: items.length > 0 ? items : [sentence(conceptText(s.emptyReason)) || 'None recorded'] };
  });
  return {
    title: composition?.title ?? 'Patient summary',
    patientName: givenFirst(patient?.name) || 'Unknown patient',
    patientFacts: facts,
    ...(bundle.timestamp ? { made: bundle.timestamp } : {}),
    sections,
  };
}
