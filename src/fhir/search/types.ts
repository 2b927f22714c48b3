/**
 * The two shapes that join FHIR search knowledge (`src/fhir/search`) to storage (`src/store`):
 * index rows (what a resource contributes to search, written with each version) and the parsed
 * search request (what a query asks, compiled to SQL by the store).
 *
 * Normalisation lives on the FHIR side so write and read agree: the extractor and the query
 * parser both use the same functions per parameter type.
 * @see https://hl7.org/fhir/R4/search.html
 */

export type SearchParamType = 'number' | 'date' | 'string' | 'token' | 'reference' | 'composite' | 'quantity' | 'uri' | 'special';

/**
 * One index row. `param` is the SearchParameter code (e.g. `identifier`, `birthdate`).
 * Dates and ranges are epoch milliseconds so both databases compare them as integers.
 */
export type IndexRow =
  | { kind: 'string'; param: string; /** lower-cased, accents removed */ value: string; /** as written */ exact: string }
  | { kind: 'token'; param: string; system: string | null; code: string | null; /** display/text, normalised like strings, for `:text` */ text: string | null }
  | {
      kind: 'reference';
      param: string;
      /** For local references `Type/id`: the type and id. Null for absolute/canonical references. */
      targetType: string | null;
      targetId: string | null;
      /** The reference as written when it is not a local `Type/id` (absolute URL, canonical). */
      url: string | null;
    }
  | { kind: 'date'; param: string; /** first instant covered, inclusive */ start: number; /** last instant covered, inclusive */ end: number }
  | { kind: 'number'; param: string; value: number; /** precision range, inclusive */ low: number; high: number }
  | {
      kind: 'quantity';
      param: string;
      value: number;
      low: number;
      high: number;
      system: string | null;
      code: string | null;
      unit: string | null;
    }
  | { kind: 'uri'; param: string; value: string };

export type IndexRowKind = IndexRow['kind'];

/** Comparison prefix for number, date and quantity parameters. */
export type Prefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb' | 'ap';

/** One value of a search parameter, already normalised by its type's parser. */
export type SearchValue =
  | { kind: 'string'; value: string }
  | { kind: 'token'; system?: string | null /* undefined = any system; null = no system ("|code") */; code?: string }
  | { kind: 'reference'; targetType?: string; targetId?: string; url?: string }
  | { kind: 'date'; prefix: Prefix; start: number; end: number }
  | { kind: 'number'; prefix: Prefix; value: number; low: number; high: number }
  | { kind: 'quantity'; prefix: Prefix; value: number; low: number; high: number; system?: string | null; code?: string }
  | { kind: 'uri'; value: string }
  | { kind: 'missing'; missing: boolean };

/**
 * One search criterion: a parameter and its OR-ed values. Several criteria are AND-ed.
 * `chain` is set for chained parameters (`subject:Patient.name=x`): the criterion applies to
 * the resources referenced through `param`.
 */
export interface SearchCriterion {
  param: string;
  type: SearchParamType;
  modifier?: string;
  values: SearchValue[];
  /** For chained parameters: the target type and the criterion to apply on the target. */
  chain?: { targetType: string; criterion: SearchCriterion };
  /** For `_has:Type:ref:param=value` (reverse chaining). */
  has?: { sourceType: string; referenceParam: string; criterion: SearchCriterion };
  /** Matches when any of these criteria matches (compartment membership through several parameters). */
  anyOf?: SearchCriterion[];
  /** Applies only to resources of these types; resources of other searched types do not match. */
  types?: string[];
}

export interface SortKey {
  param: string; // `_id`, `_lastUpdated` or a SearchParameter code
  type: SearchParamType;
  descending: boolean;
}

export interface IncludeDirective {
  /** A resource type, or `*` for any (wildcard `_include=*`). */
  sourceType: string;
  /** A reference parameter code, or `*` for all of the source type's. */
  param: string;
  targetType?: string;
  iterate: boolean;
}

export interface SearchRequest {
  /** The types searched; one for type-level search, several (or all) for system-level. */
  resourceTypes: string[];
  criteria: SearchCriterion[];
  sort: SortKey[];
  /** Page size, already bounded by the server maximum. */
  count: number;
  /** Opaque cursor from a previous page's `next`/`prev` link. */
  cursor?: string;
  total: 'none' | 'estimate' | 'accurate';
  include: IncludeDirective[];
  revinclude: IncludeDirective[];
}
