/**
 * The terminology store, part of `FhirStore`: code systems' concepts and the value sets built
 * from them, shared by every practice (terminology is not anyone's record, so its rows carry no
 * tenant). Concepts are rows of their own, with their words indexed, so a type-ahead over a value
 * set of 100,000 concepts reads a few index ranges instead of a CodeSystem resource.
 *
 * A value set here is a set of rules, each "the active concepts of system S" optionally narrowed
 * to some kinds (a SNOMED CT semantic tag, an RxNorm term type…); its members are kept up to date
 * as concepts are loaded, so an expansion is one indexed query. Inactive concepts are still
 * looked up, never offered.
 */
import type { ConceptFilter } from '../fhir/terminology/words.ts';

/** One concept of a code system. */
export interface TermConcept {
  system: string;
  code: string;
  display: string;
  /** What value-set rules select by, per system: SNOMED CT semantic tag, RxNorm TTY, … */
  kind?: string;
  inactive?: boolean;
  /** Other names (synonyms): searched by filters and returned by $lookup. */
  designations?: string[];
  /** Named properties for $lookup (`semanticTag`, `tty`, `vaccineGroup`…), values as text. */
  properties?: Record<string, string>;
}

/** A CodeSystem or ValueSet resource as stored (without concepts): what $lookup and $expand describe. */
export interface TermResource {
  resourceType: 'CodeSystem' | 'ValueSet';
  /** Canonical URL. */
  url: string;
  /** The resource id, unique per type. */
  id: string;
  /** The resource JSON. */
  content: string;
}

/** One rule of a value set: the concepts of `system`, only those of `kinds` when given. */
export interface ValueSetRule {
  system: string;
  kinds?: readonly string[];
}

export interface ExpansionPage {
  /**
   * Every member that matches; absent when counting them would cost more than the page (a
   * filter of several words whose rarest word still starts thousands of entries: "fracture o").
   */
  total?: number;
  concepts: TermConcept[];
}

export interface TerminologyStore {
  /** Adds or replaces a CodeSystem or ValueSet resource (by type and URL). */
  putResource(resource: TermResource): Promise<void>;
  /** By canonical URL or by id. */
  getResource(resourceType: TermResource['resourceType'], key: { url: string } | { id: string }): Promise<TermResource | undefined>;
  listResources(resourceType: TermResource['resourceType']): Promise<TermResource[]>;
  /**
   * Sets a value set's rules (replacing any it had) and recomputes its members from the concepts
   * loaded now; concepts loaded later join the value sets whose rules select them.
   */
  defineValueSet(url: string, rules: readonly ValueSetRule[]): Promise<void>;
  /**
   * Adds concepts, replacing those with the same system and code (their names, words, kind and
   * value-set membership). One transaction per call: callers load a release in batches.
   */
  putConcepts(concepts: readonly TermConcept[]): Promise<void>;
  /** How many concepts a system has. */
  countConcepts(system: string): Promise<number>;
  lookup(system: string, code: string): Promise<TermConcept | undefined>;
  /**
   * A page of the value set's members. Without a filter: ordered by display. With one: only
   * members with a word starting with each term, best first — the display is the filter, then
   * starts with it, then its first word starts with the first term (`matchTier`), then shorter
   * displays, then by display and code. `total` counts every match.
   */
  expand(valueSetUrl: string, filter: ConceptFilter | undefined, page: { offset: number; count: number }): Promise<ExpansionPage>;
}
