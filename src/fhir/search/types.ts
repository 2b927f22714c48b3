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
 * Index rows a parameter can hold besides its own: canonical UCUM quantities
 * (`value-quantity:canonical`, see quantity.ts), identifiers of references
 * (`subject:identifier`) and identifier types (`identifier:of-type`). A `:` never occurs in a
 * SearchParameter code, so these never collide with a real parameter, and searches that do
 * not ask for them (plain values, `:missing`, `_sort`) never see them.
 */
export const CANONICAL_SUFFIX = ':canonical';
export const IDENTIFIER_SUFFIX = ':identifier';
export const OF_TYPE_SUFFIX = ':of-type';

/**
 * The rows behind `Observation/$lastn` (see `latest.ts`): one composite row per code and category
 * of an Observation about a patient, with the patient (`subject`) and the effective date (`at`)
 * in the same row, so that one index gives a patient's observations grouped by category and code,
 * newest first. No search parameter reads them.
 */
export const LATEST_PARAM = 'code:lastn';

/**
 * The index row of a single-valued parameter type. `param` is the SearchParameter code (e.g.
 * `identifier`, `birthdate`). Dates and ranges are epoch milliseconds so both databases
 * compare them as integers.
 */
export type ValueRow =
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

export type TokenRow = Extract<ValueRow, { kind: 'token' }>;
export type QuantityRow = Extract<ValueRow, { kind: 'quantity' }>;

/**
 * One index row. A composite row pairs the values of its two components found in the same
 * element (the same `Observation.component`); the component rows' `param` is empty, the
 * composite's own says what they are. A UCUM quantity second component also carries its
 * canonical form, in the same row rather than a `CANONICAL_SUFFIX` one.
 */
export type IndexRow =
  | ValueRow
  | {
      kind: 'composite';
      param: string;
      first: TokenRow;
      second: ValueRow;
      canonical?: QuantityRow;
      /** `LATEST_PARAM` rows only: the subject (`Patient/123`) and the date they are ordered by. */
      subject?: string;
      at?: { start: number; end: number };
    };

export type IndexRowKind = IndexRow['kind'];

/** Comparison prefix for number, date and quantity parameters. */
export type Prefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb' | 'ap';

/** One value of a single-valued parameter type, already normalised by its type's parser. */
export type ValueSearch =
  | { kind: 'string'; value: string }
  | { kind: 'token'; system?: string | null /* undefined = any system; null = no system ("|code") */; code?: string }
  | { kind: 'reference'; targetType?: string; targetId?: string; url?: string }
  | { kind: 'date'; prefix: Prefix; start: number; end: number }
  | { kind: 'number'; prefix: Prefix; value: number; low: number; high: number }
  | {
      kind: 'quantity';
      prefix: Prefix;
      value: number;
      low: number;
      high: number;
      system?: string | null;
      code?: string;
      /** Value, bounds and code are in UCUM base units: match the `CANONICAL_SUFFIX` rows. */
      canonical?: true;
    }
  | { kind: 'uri'; value: string };

export type TokenSearch = Extract<ValueSearch, { kind: 'token' }>;

/** One value of a search parameter, already normalised by its type's parser. */
export type SearchValue = ValueSearch | { kind: 'composite'; first: TokenSearch; second: ValueSearch } | { kind: 'missing'; missing: boolean };

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
  /** Matches when all of these criteria match (a chain's target narrowed by access rules). */
  allOf?: SearchCriterion[];
  /** Applies only to resources of these types; resources of other searched types do not match. */
  types?: string[];
  /** Matches exactly the resources the criterion without `not` does not match. */
  not?: boolean;
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
  /**
   * `accurate`: count every match; `estimate` (the default): count exactly up to the store's cap
   * (`TOTAL_CAP`) and leave the total out above it, so a broad search never counts its matches;
   * `none`: no total.
   */
  total: 'none' | 'estimate' | 'accurate';
  include: IncludeDirective[];
  revinclude: IncludeDirective[];
}
