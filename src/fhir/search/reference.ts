/**
 * Reference search: index and query normalisation in one place so they agree.
 * Local references (`Patient/123`, also `Patient/123/_history/2`) are kept as type + id;
 * absolute URLs and canonicals as written in `url`. `urn:uuid:` references (unresolved bundle
 * placeholders) and contained `#x` references are not indexed. A Reference's `identifier` is
 * indexed as a token under `param` + `:identifier`, for `subject:identifier=system|value`.
 * @see https://hl7.org/fhir/R4/search.html#reference
 */
import { isResourceType } from '../definitions.ts';
import { FhirError, issue } from '../outcome.ts';
import type { TypedValue } from '../fhirpath.ts';
import { capLength } from './index-limits.ts';
import { IDENTIFIER_SUFFIX } from './types.ts';
import type { IndexRow, ValueSearch } from './types.ts';

export const ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;
const LOCAL = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;
const ABSOLUTE = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;

/** Where a reference string points: a local resource, an absolute URL, or nowhere we index. */
export type ReferenceTarget = { targetType: string; targetId: string } | { url: string } | undefined;

/** Classifies a reference string (see the module comment for the rules). */
export function parseReferenceString(reference: string): ReferenceTarget {
  const local = LOCAL.exec(reference);
  if (local) return isResourceType(local[1]) ? { targetType: local[1], targetId: local[2] } : undefined;
  if (reference.startsWith('urn:uuid:') || reference.startsWith('#')) return undefined;
  if (ABSOLUTE.test(reference)) return { url: reference };
  return undefined;
}

/** Emits the reference row of a Reference, canonical/uri, or embedded resource (`Bundle.entry[0].resource`). */
export function indexReference(param: string, value: TypedValue, emit: (row: IndexRow) => void): void {
  const v = value.value;
  let target: ReferenceTarget;
  if (typeof v === 'string') {
    target = ABSOLUTE.test(v) && !v.startsWith('urn:uuid:') ? { url: v } : undefined;
  } else if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (o.identifier && typeof o.identifier === 'object') indexIdentifier(param, o.identifier as Record<string, unknown>, emit);
    if (typeof o.reference === 'string') target = parseReferenceString(o.reference);
    else if (typeof o.resourceType === 'string' && typeof o.id === 'string' && ID_PATTERN.test(o.id)) {
      target = { targetType: o.resourceType, targetId: o.id };
    }
  }
  if (!target) return;
  if ('url' in target) emit({ kind: 'reference', param, targetType: null, targetId: null, url: capLength(target.url) });
  else emit({ kind: 'reference', param, targetType: target.targetType, targetId: target.targetId, url: null });
}

function indexIdentifier(param: string, identifier: Record<string, unknown>, emit: (row: IndexRow) => void): void {
  const { system, value } = identifier;
  if (typeof value !== 'string' || value.length === 0) return;
  const sys = typeof system === 'string' && system.length > 0 ? capLength(system) : null;
  emit({ kind: 'token', param: param + IDENTIFIER_SUFFIX, system: sys, code: capLength(value), text: null });
}

/**
 * Parses one query value: `Type/id`, a bare `id` (typed when the parameter has a single target
 * type, or by a `:Type` modifier), or an absolute URL / canonical.
 */
export function parseReferenceQuery(raw: string, modifier: string | undefined, param: string, targets: string[] | undefined): ValueSearch {
  if (raw.length === 0) throw invalid(`Empty reference value for parameter "${param}"`);
  const typeModifier = modifier && isResourceType(modifier) ? modifier : undefined;
  if (typeModifier && targets && targets.length > 0 && !targets.includes(typeModifier) && !targets.includes('Resource')) {
    throw invalid(`Parameter "${param}" cannot refer to ${typeModifier} (allowed: ${targets.join(', ')})`);
  }
  const local = LOCAL.exec(raw);
  if (local) {
    if (!isResourceType(local[1])) throw invalid(`Unknown resource type "${local[1]}" in reference "${raw}" for parameter "${param}"`);
    if (typeModifier && typeModifier !== local[1]) throw invalid(`Reference "${raw}" does not match modifier :${typeModifier}`);
    return { kind: 'reference', targetType: local[1], targetId: local[2] };
  }
  if (ID_PATTERN.test(raw)) {
    const value: ValueSearch = { kind: 'reference', targetId: raw };
    const only = typeModifier ?? (targets && targets.length === 1 && targets[0] !== 'Resource' ? targets[0] : undefined);
    if (only) value.targetType = only;
    return value;
  }
  if (ABSOLUTE.test(raw)) return { kind: 'reference', url: capLength(raw) };
  throw invalid(`Invalid reference "${raw}" for parameter "${param}": expected Type/id, id or an absolute URL`);
}

function invalid(message: string): FhirError {
  return new FhirError('invalid', [issue('invalid', message)]);
}
