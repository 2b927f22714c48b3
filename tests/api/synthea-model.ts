/**
 * The 80 Synthea sample bundles read straight from disk, so that search tests can compute the
 * answer a query should give from the data itself rather than from Heron. References inside a
 * bundle are `urn:uuid:` fullUrls; Heron assigns new ids on import, so everything here is keyed
 * by fullUrl and patients are found on the server through their Synthea identifier.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, Patient, Reference, Resource } from '@medplum/fhirtypes';
import { REPO_ROOT } from '../fixtures/heron-server.ts';

export const SAMPLE_DIR = join(REPO_ROOT, 'sample-data/synthea');
/** Synthea's own patient identifier: unique per patient and kept by the import. */
export const SYNTHEA_SYSTEM = 'https://github.com/synthetichealth/synthea';

/** The transaction bundles (`<Given>_<Family>_<uuid>.json`), not the manifest files beside them. */
export function sampleFiles(): string[] {
  return readdirSync(SAMPLE_DIR)
    .filter((f) => f.endsWith('.json') && f.includes('_'))
    .sort()
    .map((f) => join(SAMPLE_DIR, f));
}

export interface BundledResource {
  fullUrl: string;
  resource: Resource;
}

/** One sample file: its patient and every resource it creates. */
export interface SamplePatient {
  file: string;
  patient: Patient;
  /** The patient's fullUrl, which is what the bundle's references point at. */
  urn: string;
  /** Value of the `SYNTHEA_SYSTEM` identifier. */
  syntheaId: string;
  resources: BundledResource[];
}

export function loadSamples(files: string[] = sampleFiles()): SamplePatient[] {
  return files.map((file) => {
    const bundle = JSON.parse(readFileSync(file, 'utf8')) as Bundle;
    const resources = (bundle.entry ?? []).map((e) => ({ fullUrl: e.fullUrl as string, resource: e.resource as Resource }));
    const patients = resources.filter((r) => r.resource.resourceType === 'Patient');
    if (patients.length !== 1) throw new Error(`${file}: expected one Patient, found ${patients.length}`);
    const patient = patients[0].resource as Patient;
    const syntheaId = patient.identifier?.find((i) => i.system === SYNTHEA_SYSTEM)?.value;
    if (!syntheaId) throw new Error(`${file}: Patient has no ${SYNTHEA_SYSTEM} identifier`);
    return { file, patient, urn: patients[0].fullUrl, syntheaId, resources };
  });
}

/** Resources of one type in a sample, typed loosely: tests read only a few elements. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function ofType(sample: SamplePatient, type: string): any[] {
  return sample.resources.filter((r) => r.resource.resourceType === type).map((r) => r.resource);
}

/** Bundled resources (with fullUrl) of one type. */
export function entriesOfType(sample: SamplePatient, type: string): BundledResource[] {
  return sample.resources.filter((r) => r.resource.resourceType === type);
}

export function refersTo(ref: Reference | undefined, fullUrl: string): boolean {
  return ref?.reference === fullUrl;
}

/** FHIR string matching: case- and accent-insensitive. @see https://hl7.org/fhir/R4/search.html#string */
export function foldString(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Default string search: the value starts with the search text, after folding. */
export function startsWithFolded(value: string | undefined, search: string): boolean {
  return value !== undefined && foldString(value).startsWith(foldString(search));
}

/** An inclusive range of epoch milliseconds, as wide as the precision of the value it came from. */
export interface Range {
  start: number;
  end: number;
}

/**
 * The range a FHIR date/dateTime covers, for the forms the sample data and these tests use:
 * `YYYY`, `YYYY-MM-DD` (UTC) and date-times to the second with an offset.
 */
export function rangeOf(value: string): Range {
  if (/^\d{4}$/.test(value)) {
    const y = Number(value);
    return { start: Date.UTC(y, 0, 1), end: Date.UTC(y + 1, 0, 1) - 1 };
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const start = Date.parse(`${value}T00:00:00Z`);
    return { start, end: start + 86_400_000 - 1 };
  }
  const m = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(value);
  if (!m) throw new Error(`rangeOf: unsupported date form ${value}`);
  const start = Date.parse(value);
  // Seconds precision covers the whole second; fractional seconds are treated as exact.
  return { start, end: m[1] ? start : start + 999 };
}

/** A Period's range; a missing end is open (the period is ongoing). */
export function periodRange(period: { start?: string; end?: string }): Range {
  return {
    start: period.start ? rangeOf(period.start).start : Number.NEGATIVE_INFINITY,
    end: period.end ? rangeOf(period.end).end : Number.POSITIVE_INFINITY,
  };
}

/**
 * The FHIR date prefixes, written from the spec's wording (search.html#prefix): `ge` — "the
 * range above the search value intersects the range of the target value, or the range of the
 * search value fully contains the range of the target value"; `lt` — "the range below the
 * search value intersects the range of the target value, or …"; the others alike.
 */
export function dateMatches(prefix: 'eq' | 'ge' | 'gt' | 'le' | 'lt', target: Range, search: Range): boolean {
  const contains = target.start >= search.start && target.end <= search.end;
  const above = target.end > search.end;
  const below = target.start < search.start;
  switch (prefix) {
    case 'eq':
      return contains;
    case 'gt':
      return above;
    case 'lt':
      return below;
    case 'ge':
      return above || contains;
    case 'le':
      return below || contains;
  }
}

/** Does a CodeableConcept carry the code (and system, when given)? */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function hasCoding(concept: any, system: string | undefined, code: string): boolean {
  const codings = Array.isArray(concept) ? concept.flatMap((c) => c?.coding ?? []) : (concept?.coding ?? []);
  return codings.some((c: { system?: string; code?: string }) => c.code === code && (system === undefined || c.system === system));
}
