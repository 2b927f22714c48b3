/**
 * One search parameter of a query (`name[:modifier][.chain]=value[,value]`) into a
 * `SearchCriterion`: parameter lookup, modifiers per type, chains, `_has`, and the values
 * through each type's query-side parser (so they are normalised like the index).
 * @see https://hl7.org/fhir/R4/search.html
 */
import { isResourceType } from '../definitions.ts';
import { FhirError, issue } from '../outcome.ts';
import type { Issue } from '../outcome.ts';
import { parseCompositeQuery } from './composite.ts';
import { parseDateQuery } from './date.ts';
import { splitUnescaped, unescapeSearch } from './escape.ts';
import { parseNumberQuery } from './number.ts';
import { getSearchParameter } from './parameters.ts';
import { parseQuantityQuery } from './quantity.ts';
import { parseReferenceQuery } from './reference.ts';
import { parseStringQuery } from './string.ts';
import { parseTokenQuery, parseTokenValue } from './token.ts';
import { expandTokenQuery, TERMINOLOGY_MODIFIERS } from './token-terminology.ts';
import type { SearchCriterion, SearchParamType, SearchValue } from './types.ts';
import { parseUriQuery } from './uri.ts';

/**
 * Raised for a parameter Heron does not know or cannot search on. The caller turns it into a
 * warning (lenient handling) or an error (`Prefer: handling=strict`).
 */
export class UnsupportedParameter extends Error {
  readonly issue: Issue;
  constructor(diagnostics: string) {
    super(diagnostics);
    this.name = 'UnsupportedParameter';
    this.issue = issue('not-supported', diagnostics, undefined, 'warning');
  }
}

/** A parameter as it applies to all searched types at once. */
export interface ParamInfo {
  code: string;
  type: SearchParamType;
  target?: string[];
}

/** Modifiers accepted per parameter type (`missing` is accepted for all). */
const MODIFIERS: Record<string, Set<string>> = {
  string: new Set(['exact', 'contains']),
  token: new Set(['text', 'not', 'of-type', ...TERMINOLOGY_MODIFIERS]),
  uri: new Set(['below', 'above']),
  reference: new Set(['identifier']),
  date: new Set(),
  number: new Set(),
  quantity: new Set(),
};

/** The modifiers a parameter of `type` accepts (as listed in the CapabilityStatement). */
export function modifiersFor(type: SearchParamType): string[] {
  const own = [...(MODIFIERS[type] ?? [])];
  return type === 'reference' ? ['missing', ...own, '[type]'] : ['missing', ...own];
}

/** Modifiers that exist in R4 but that Heron does not implement. */
const NOT_IMPLEMENTED = new Set(['in', 'not-in', 'above', 'below', 'text', 'contains', 'exact', 'not', 'type']);

/**
 * The parameter `code` as it applies to every type in `types`; throws `UnsupportedParameter` if
 * some type lacks it or Heron cannot search on it.
 */
export function paramFor(types: string[], code: string): ParamInfo {
  let info: ParamInfo | undefined;
  for (const type of types) {
    const def = getSearchParameter(type, code);
    if (!def) throw new UnsupportedParameter(`Unknown search parameter "${code}" for ${type}`);
    if (!def.supported) throw new UnsupportedParameter(`Search parameter "${code}" (${def.type}) is not supported on ${type}`);
    if (!info) info = { code, type: def.type, ...(def.target ? { target: [...def.target] } : {}) };
    else if (info.type !== def.type) throw new UnsupportedParameter(`Search parameter "${code}" has different types across ${types.join(', ')}`);
    else if (def.target) info.target = [...new Set([...(info.target ?? []), ...def.target])];
  }
  if (!info) throw new UnsupportedParameter(`Search parameter "${code}" needs a resource type`);
  return info;
}

/** Parses one query parameter; `undefined` when its value is empty (ignored, like an absent parameter). */
export function parseCriterion(types: string[], name: string, raw: string): SearchCriterion | undefined {
  if (name.startsWith('_has:')) return parseHas(types, name, raw);
  const dot = name.indexOf('.');
  if (dot > 0) return parseChain(types, name.slice(0, dot), name.slice(dot + 1), raw);
  const colon = name.indexOf(':');
  const code = colon < 0 ? name : name.slice(0, colon);
  const modifier = colon < 0 ? undefined : name.slice(colon + 1);
  const info = paramFor(types, code);
  checkModifier(info, modifier);
  if (raw.length === 0) return undefined;
  if (info.type === 'token' && modifier !== undefined && TERMINOLOGY_MODIFIERS.has(modifier)) {
    // Expanded to plain codes here, so the store needs no terminology: :not-in is :not of the expansion.
    const values = splitUnescaped(raw, ',').flatMap((part) => expandTokenQuery(part, modifier, code));
    return modifier === 'not-in' ? { param: code, type: 'token', values, modifier: 'not' } : { param: code, type: 'token', values };
  }
  const criterion: SearchCriterion = { param: code, type: info.type, values: parseValues(info, modifier, raw) };
  if (modifier !== undefined) criterion.modifier = modifier;
  return criterion;
}

/** `_has:Observation:patient:code=x`, possibly nested (`_has:A:p:_has:B:q:code=x`). */
function parseHas(types: string[], name: string, raw: string): SearchCriterion | undefined {
  const parts = name.split(':');
  const [, sourceType, referenceParam] = parts;
  const rest = parts.slice(3).join(':');
  if (!sourceType || !referenceParam || !rest) {
    throw invalid(`Invalid _has parameter "${name}": expected _has:Type:reference:parameter`);
  }
  if (!isResourceType(sourceType)) throw invalid(`Unknown resource type "${sourceType}" in "${name}"`);
  const ref = paramFor([sourceType], referenceParam);
  if (ref.type !== 'reference') throw invalid(`"${referenceParam}" is not a reference parameter of ${sourceType} (in "${name}")`);
  const targets = ref.target ?? [];
  if (targets.length > 0 && !targets.includes('Resource') && !types.some((t) => targets.includes(t))) {
    throw invalid(`${sourceType}.${referenceParam} cannot refer to ${types.join(' or ')} (in "${name}")`);
  }
  const inner = parseCriterion([sourceType], rest, raw);
  if (!inner) return undefined;
  return { param: '_has', type: 'reference', values: [], has: { sourceType, referenceParam, criterion: inner } };
}

/** `subject:Patient.name=x` or `patient.name=x` (target type from the definition). */
function parseChain(types: string[], head: string, rest: string, raw: string): SearchCriterion | undefined {
  const colon = head.indexOf(':');
  const code = colon < 0 ? head : head.slice(0, colon);
  const typeModifier = colon < 0 ? undefined : head.slice(colon + 1);
  const ref = paramFor(types, code);
  if (ref.type !== 'reference') throw invalid(`Cannot chain through "${code}": it is a ${ref.type} parameter, not a reference`);
  const targets = (ref.target ?? []).filter((t) => t !== 'Resource');
  let targetType: string;
  if (typeModifier !== undefined) {
    if (!isResourceType(typeModifier)) throw invalid(`Unknown resource type "${typeModifier}" in chained parameter "${head}.${rest}"`);
    if (targets.length > 0 && !targets.includes(typeModifier)) throw invalid(`"${code}" cannot refer to ${typeModifier}`);
    targetType = typeModifier;
  } else {
    const chained = chainedCode(rest);
    const candidates = targets.length === 1 ? targets : targets.filter((t) => getSearchParameter(t, chained));
    if (candidates.length !== 1) {
      throw invalid(
        `Chained parameter "${code}.${rest}" is ambiguous (${code} may refer to ${targets.join(', ') || 'any type'}): ` +
          `name the type, e.g. ${code}:${candidates[0] ?? targets[0] ?? 'Patient'}.${rest}`,
      );
    }
    targetType = candidates[0];
  }
  const inner = parseCriterion([targetType], rest, raw);
  if (!inner) return undefined;
  return { param: code, type: 'reference', values: [], chain: { targetType, criterion: inner } };
}

/** The first parameter code of a chain's remainder (`name:exact` -> `name`, `org.name` -> `org`). */
function chainedCode(rest: string): string {
  return rest.split('.')[0].split(':')[0];
}

function checkModifier(info: ParamInfo, modifier: string | undefined): void {
  if (modifier === undefined || modifier === 'missing') return;
  if (info.type === 'reference' && isResourceType(modifier)) {
    const targets = info.target ?? [];
    if (targets.length > 0 && !targets.includes(modifier) && !targets.includes('Resource')) {
      throw invalid(`Parameter "${info.code}" cannot refer to ${modifier} (allowed: ${targets.join(', ')})`);
    }
    return;
  }
  if (MODIFIERS[info.type]?.has(modifier)) return;
  if (NOT_IMPLEMENTED.has(modifier) || /^[A-Z]/.test(modifier)) {
    throw new FhirError('invalid', [issue('not-supported', `Modifier :${modifier} is not supported on ${info.type} parameter "${info.code}"`)]);
  }
  throw invalid(`Unknown modifier :${modifier} on parameter "${info.code}"`);
}

function parseValues(info: ParamInfo, modifier: string | undefined, raw: string): SearchValue[] {
  if (modifier === 'missing') {
    if (raw !== 'true' && raw !== 'false') throw invalid(`:missing takes true or false, not "${raw}" (parameter "${info.code}")`);
    return [{ kind: 'missing', missing: raw === 'true' }];
  }
  return splitUnescaped(raw, ',').map((part) => parseValue(info, modifier, part));
}

function parseValue(info: ParamInfo, modifier: string | undefined, part: string): SearchValue {
  switch (info.type) {
    case 'string':
      return parseStringQuery(unescapeSearch(part), modifier, info.code);
    case 'token':
      return parseTokenQuery(part, modifier, info.code);
    case 'reference':
      if (modifier === 'identifier') return parseTokenValue(part, `${info.code}:identifier`);
      return parseReferenceQuery(unescapeSearch(part), modifier, info.code, info.target);
    case 'date':
      return parseDateQuery(part, info.code);
    case 'number':
      return parseNumberQuery(part, info.code);
    case 'quantity':
      return parseQuantityQuery(part, info.code);
    case 'uri':
      return parseUriQuery(part, info.code);
    case 'composite':
      return parseCompositeQuery(part, info.code);
    default:
      throw new UnsupportedParameter(`Search parameter "${info.code}" (${info.type}) is not supported`);
  }
}

function invalid(message: string): FhirError {
  return new FhirError('invalid', [issue('invalid', message)]);
}
