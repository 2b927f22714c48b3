/**
 * `_summary` and `_elements`: return part of each resource. Which elements are "summary" and
 * "mandatory" comes from the R4 StructureDefinitions. Every reduced resource is tagged
 * SUBSETTED so nobody mistakes it for the whole record (and writes it back).
 * @see https://hl7.org/fhir/R4/search.html#summary
 * @see https://hl7.org/fhir/R4/search.html#elements
 */
import type { Coding, Resource } from '@medplum/fhirtypes';
import { errors } from '../../../fhir/outcome.ts';
import { typeSchema } from '../../../fhir/definitions.ts';

export type SummaryMode = 'true' | 'text' | 'data' | 'count' | 'false';

const MODES: ReadonlySet<string> = new Set(['true', 'text', 'data', 'count', 'false']);

export const SUBSETTED: Coding = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED', display: 'subsetted' };

export function parseSummary(value: string | null): SummaryMode | undefined {
  if (value === null) return undefined;
  if (!MODES.has(value)) throw errors.invalid(`_summary must be one of true, text, data, count, false; not ${JSON.stringify(value)}`, '_summary');
  return value as SummaryMode;
}

/** `_elements=a,b,c`: top-level element names (a type prefix `Patient.name` is accepted too). */
export function parseElements(value: string | null): string[] | undefined {
  if (value === null) return undefined;
  const names = value
    .split(',')
    .map((n) => n.trim().replace(/^[A-Z][A-Za-z]*\./, ''))
    .filter((n) => n !== '');
  for (const n of names) if (!/^[a-z][A-Za-z0-9]*$/.test(n)) throw errors.invalid(`_elements lists ${JSON.stringify(n)}, which is not an element name`, '_elements');
  return names;
}

/**
 * The function that reduces each resource, or undefined when nothing is reduced. `_elements`
 * applies only when `_summary` does not already choose the elements.
 */
export function shaperFor(summary: SummaryMode | undefined, elements: string[] | undefined): ((r: Resource) => Resource) | undefined {
  switch (summary) {
    case 'true':
      return (r) => keep(r, (t) => typeSchema(t)?.summaryProperties ?? new Set());
    case 'text':
      return (r) => keep(r, (t) => new Set(['text', 'id', 'meta', ...(typeSchema(t)?.mandatoryProperties ?? [])]));
    case 'data':
      return (r) => ('text' in r ? subsetted(withoutKey(r, 'text')) : r);
    case 'count':
    case 'false':
    case undefined:
      if (elements === undefined) return undefined;
      return (r) => keep(r, (t) => new Set(['id', 'meta', ...elements, ...(typeSchema(t)?.mandatoryProperties ?? [])]));
  }
}

/** Keeps only the top-level elements named by `properties` (choice names like `value` cover `valueQuantity`). */
function keep(resource: Resource, propertiesOf: (type: string) => ReadonlySet<string>): Resource {
  const properties = propertiesOf(resource.resourceType);
  const out: Record<string, unknown> = { resourceType: resource.resourceType };
  for (const [key, value] of Object.entries(resource)) {
    if (key === 'resourceType') continue;
    if (properties.has(propertyOf(key, properties))) out[key] = value;
  }
  return subsetted(out as unknown as Resource);
}

/** The element a JSON key belongs to: `_birthDate` -> `birthDate`, `valueQuantity` -> `value`. */
function propertyOf(key: string, properties: ReadonlySet<string>): string {
  const name = key.startsWith('_') ? key.slice(1) : key;
  if (properties.has(name)) return name;
  for (let i = name.length - 1; i > 0; i--) {
    const c = name.charCodeAt(i);
    if (c >= 65 && c <= 90 && properties.has(name.slice(0, i))) return name.slice(0, i);
  }
  return name;
}

function withoutKey(resource: Resource, key: string): Resource {
  const copy = { ...resource } as Record<string, unknown>;
  delete copy[key];
  return copy as unknown as Resource;
}

function subsetted(resource: Resource): Resource {
  const meta = { ...(resource.meta ?? {}) };
  meta.tag = [...(meta.tag ?? []), SUBSETTED];
  return { ...resource, meta };
}
