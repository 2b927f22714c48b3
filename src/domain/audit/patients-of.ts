/**
 * Whose record an audited resource belongs to, for the accounting of disclosures: the Patient
 * itself, or every patient it refers to. Taking every `Patient/` reference (rather than only the
 * Patient compartment's parameters) errs on the side of listing a patient: a patient reference
 * in a resource is what makes it part of that patient's record.
 */
import type { Resource } from '@medplum/fhirtypes';

const PATIENT_REFERENCE = /"reference"\s*:\s*"(?:[^"]*\/)?Patient\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^"]*)?"/g;

/** `Patient/id` references of a resource, from its JSON text (cheap on the read path). */
export function patientsInJson(resourceType: string, id: string | undefined, json: string): string[] {
  const found = new Set<string>();
  if (resourceType === 'Patient' && id !== undefined) found.add(`Patient/${id}`);
  for (const m of json.matchAll(PATIENT_REFERENCE)) found.add(`Patient/${m[1]}`);
  return [...found];
}

/** `Patient/id` references of parsed resources (search results, written resources). */
export function patientsOf(resources: readonly Resource[]): string[] {
  const found = new Set<string>();
  for (const r of resources) {
    if (r.resourceType === 'Patient' && r.id !== undefined) found.add(`Patient/${r.id}`);
    collect(r, found);
  }
  return [...found];
}

function collect(value: unknown, found: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collect(v, found);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, v] of Object.entries(value)) {
    if (key === 'reference' && typeof v === 'string') {
      const m = /(?:^|\/)Patient\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/.*)?$/.exec(v);
      if (m) found.add(`Patient/${m[1]}`);
    } else if (typeof v === 'object') collect(v, found);
  }
}
