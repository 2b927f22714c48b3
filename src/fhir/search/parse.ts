/**
 * A search query (`URLSearchParams`) into a `SearchRequest`: criteria (each repetition of a
 * parameter is AND-ed, commas inside one value OR-ed), `_sort`, `_count`, `_total`,
 * `_include`/`_revinclude` and the paging cursor. Result-shaping parameters handled elsewhere
 * (`_summary`, `_elements`, `_format`...) are accepted and ignored here.
 *
 * Unknown or unsupported parameters become warnings, or an error under strict handling
 * (`Prefer: handling=strict`). Bad values are always errors.
 * @see https://hl7.org/fhir/R4/search.html
 */
import { isResourceType } from '../definitions.ts';
import { FhirError, issue } from '../outcome.ts';
import type { Issue } from '../outcome.ts';
import { paramFor, parseCriterion, UnsupportedParameter } from './criterion.ts';
import { getSearchParameter } from './parameters.ts';
import type { IncludeDirective, SearchCriterion, SearchRequest, SortKey } from './types.ts';

export interface ParseSearchOptions {
  /** Unknown parameters are errors instead of warnings. */
  strict: boolean;
  defaultCount: number;
  maxCount: number;
}

/** Recognised here but acted on by other layers (response shaping, format, system search types). */
const HANDLED_ELSEWHERE = new Set(['_summary', '_elements', '_format', '_pretty', '_type']);

/** Parses a search; throws FhirError `invalid` for bad values (and unknown parameters when strict). */
export function parseSearch(
  resourceTypes: string[],
  query: URLSearchParams,
  options: ParseSearchOptions,
): { request: SearchRequest; warnings: Issue[] } {
  for (const type of resourceTypes) if (!isResourceType(type)) throw invalid(`Unknown resource type "${type}"`);
  const request: SearchRequest = {
    resourceTypes: [...resourceTypes],
    criteria: [],
    sort: [],
    count: Math.min(options.defaultCount, options.maxCount),
    total: 'estimate',
    include: [],
    revinclude: [],
  };
  const warnings: Issue[] = [];
  const tolerate = (fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      if (!(err instanceof UnsupportedParameter)) throw err;
      if (options.strict) throw new FhirError('invalid', [{ ...err.issue, severity: 'error' }]);
      warnings.push(err.issue);
    }
  };
  for (const [name, value] of query) {
    if (HANDLED_ELSEWHERE.has(name)) continue;
    tolerate(() => parseOne(resourceTypes, name, value, options, request));
  }
  return { request, warnings };
}

function parseOne(types: string[], name: string, value: string, options: ParseSearchOptions, request: SearchRequest): void {
  switch (name) {
    case '_count':
      request.count = parseCount(value, options.maxCount);
      return;
    case '_total':
      request.total = parseTotal(value);
      return;
    case '_cursor':
      if (value !== '') request.cursor = value;
      return;
    case '_sort':
      request.sort = parseSort(types, value);
      return;
    case '_contained':
    case '_containedType':
      checkContained(name, value);
      return;
  }
  const include = /^_(rev)?include(?::(iterate|recurse))?$/.exec(name);
  if (include) {
    const directive = parseInclude(types, value, include[1] === 'rev', include[2] !== undefined);
    (include[1] ? request.revinclude : request.include).push(directive);
    return;
  }
  if (name === '_include' || name === '_revinclude' || /^_(rev)?include:/.test(name)) {
    throw invalid(`Unknown modifier in "${name}": only :iterate is supported`);
  }
  const hops = referenceHops(name);
  if (hops > MAX_REFERENCE_HOPS) {
    throw new FhirError('invalid', [issue('too-costly', `"${name}" follows ${hops} references; at most ${MAX_REFERENCE_HOPS} chained or _has steps are allowed in one parameter`)]);
  }
  const criterion: SearchCriterion | undefined = parseCriterion(types, name, value);
  if (criterion) request.criteria.push(criterion);
}

/**
 * References a parameter follows: each chain step (`.`) and each `_has:` is one join per
 * candidate row, so the cost multiplies with depth. Three covers the spec's examples
 * (`patient.general-practitioner.name`, `_has:Observation:patient:_has:AuditEvent:entity:…`).
 */
const MAX_REFERENCE_HOPS = 3;

function referenceHops(name: string): number {
  return (name.match(/\./g)?.length ?? 0) + (name.match(/(^|:)_has:/g)?.length ?? 0);
}

/**
 * Contained resources are not indexed on their own, so only the default behaviour is offered:
 * search the containers (`_contained=false`, `_containedType=container`). Asking for more is
 * reported rather than silently answered as if contained resources had been searched.
 */
function checkContained(name: string, value: string): void {
  const defaults: Record<string, string[]> = { _contained: ['false'], _containedType: ['container'] };
  const allowed = name === '_contained' ? ['false', 'true', 'both'] : ['container', 'contained'];
  if (!allowed.includes(value)) throw invalid(`${name} must be one of ${allowed.join(', ')}, not "${value}"`);
  if (!defaults[name].includes(value)) throw new UnsupportedParameter(`${name}=${value}: searching inside contained resources is not supported; contained resources are returned within their containers`);
}

function parseCount(value: string, maxCount: number): number {
  if (!/^\d+$/.test(value)) throw invalid(`_count must be a non-negative integer, not "${value}"`);
  return Math.min(Number(value), maxCount);
}

function parseTotal(value: string): SearchRequest['total'] {
  if (value === 'none' || value === 'estimate' || value === 'accurate') return value;
  throw invalid(`_total must be none, estimate or accurate, not "${value}"`);
}

/** `_sort=-date,name`: comma list, `-` for descending. */
function parseSort(types: string[], value: string): SortKey[] {
  const keys: SortKey[] = [];
  for (const raw of value.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const descending = item.startsWith('-');
    const param = descending ? item.slice(1) : item;
    if (param === '_id') keys.push({ param, type: 'token', descending });
    else if (param === '_lastUpdated') keys.push({ param, type: 'date', descending });
    else {
      if (param.includes(':') || param.includes('.')) throw invalid(`Cannot sort by "${param}": modifiers and chains are not allowed in _sort`);
      const info = paramFor(types, param);
      keys.push({ param, type: info.type, descending });
    }
  }
  return keys;
}

/**
 * `_include=Observation:patient[:Patient]` (source must be a searched type unless iterating),
 * `_revinclude=Provenance:target[:Patient]` (source is any type referring to the results).
 * Wildcards: `*` (every reference of every source type) and `Type:*` (every reference
 * parameter of one type); the store bounds how many resources they may add.
 */
function parseInclude(types: string[], value: string, reverse: boolean, iterate: boolean): IncludeDirective {
  const name = reverse ? '_revinclude' : '_include';
  if (value === '*') return { sourceType: '*', param: '*', iterate };
  const parts = value.split(':');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) {
    throw invalid(`Invalid ${name} "${value}": expected SourceType:parameter[:TargetType]`);
  }
  const [sourceType, param, targetType] = parts;
  if (!isResourceType(sourceType)) throw invalid(`Unknown resource type "${sourceType}" in ${name}=${value}`);
  if (!reverse && !iterate && !types.includes(sourceType)) {
    throw invalid(`${name}=${value}: ${sourceType} is not a searched type (use ${name}:iterate to include from included resources)`);
  }
  if (param === '*') {
    // Every reference parameter of the source type; a target type still narrows what comes back.
    const directive: IncludeDirective = { sourceType, param, iterate };
    if (targetType !== undefined) {
      if (!isResourceType(targetType)) throw invalid(`Unknown resource type "${targetType}" in ${name}=${value}`);
      directive.targetType = targetType;
    }
    return directive;
  }
  const def = getSearchParameter(sourceType, param);
  if (!def) throw new UnsupportedParameter(`Unknown search parameter "${param}" for ${sourceType} in ${name}=${value}`);
  if (def.type !== 'reference') throw invalid(`${name}=${value}: "${param}" is a ${def.type} parameter, not a reference`);
  const targets = def.target ?? [];
  if (reverse && !iterate && targets.length > 0 && !targets.includes('Resource') && !types.some((t) => targets.includes(t))) {
    throw invalid(`${name}=${value}: ${sourceType}.${param} cannot refer to ${types.join(' or ')}`);
  }
  const directive: IncludeDirective = { sourceType, param, iterate };
  if (targetType !== undefined) {
    if (!isResourceType(targetType)) throw invalid(`Unknown resource type "${targetType}" in ${name}=${value}`);
    if (targets.length > 0 && !targets.includes(targetType) && !targets.includes('Resource')) {
      throw invalid(`${name}=${value}: ${sourceType}.${param} cannot refer to ${targetType}`);
    }
    directive.targetType = targetType;
  }
  return directive;
}

function invalid(message: string): FhirError {
  return new FhirError('invalid', [issue('invalid', message)]);
}
