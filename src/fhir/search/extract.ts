/**
 * Search index extraction: what a resource contributes to search, as `IndexRow`s written with
 * each version. The same per-type modules (`string.ts`, `token.ts`...) normalise the query side,
 * so a value found here is found by a search for it.
 *
 * Why plans: extraction runs on every write, so per resource type we compile once the list of
 * indexable parameters with their FHIRPath branches (narrowed to that type) and reuse it.
 * Composite and special parameters (and `_text`/`_content`/`_query`, which have no expression)
 * are not indexed, nor `_id` and `_lastUpdated`: every store keeps the id and the version's
 * timestamp with the resource itself (and sets `meta.lastUpdated` only as it writes).
 */
import type { Resource } from '@medplum/fhirtypes';
import { elementOf } from '../definitions.ts';
import { compileFhirPath, typed } from '../fhirpath.ts';
import type { CompiledFhirPath, TypedValue } from '../fhirpath.ts';
import { parseSimplePath, rootElementKeys, simplePathSegments } from '../simple-path.ts';
import { valueSetSystem } from '../value-sets.ts';
import { indexDate } from './date.ts';
import { indexNumber } from './number.ts';
import { searchParametersFor } from './parameters.ts';
import type { SearchParameterDef } from './parameters.ts';
import { indexQuantity } from './quantity.ts';
import { indexReference } from './reference.ts';
import { indexString } from './string.ts';
import { indexToken } from './token.ts';
import type { IndexRow, SearchParamType } from './types.ts';
import { indexUri } from './uri.ts';

type Emit = (row: IndexRow) => void;
type Indexer = (param: string, value: TypedValue, emit: Emit, implicitSystem?: string) => void;

const INDEXERS: Partial<Record<SearchParamType, Indexer>> = {
  string: indexString,
  token: indexToken,
  reference: indexReference,
  date: indexDate,
  number: indexNumber,
  quantity: indexQuantity,
  uri: indexUri,
};

interface BranchPlan {
  path: CompiledFhirPath;
  /**
   * The resource keys the path starts from (`Observation.value...`: `valueQuantity`,
   * `_valueString`...). A resource has few of the elements its type's parameters index, so
   * checking these first skips most paths without evaluating them.
   */
  rootKeys?: string[];
  /** For token branches ending at a bound `code` element: the code system of its value set. */
  implicitSystem?: string;
}

interface ParamPlan {
  code: string;
  index: Indexer;
  branches: BranchPlan[];
}

/** Searched through the stored resource's own id and timestamp, not index rows. */
const NOT_INDEXED = new Set(['_id', '_lastUpdated']);

const plans = new Map<string, ParamPlan[]>();

/** All index rows of a resource, without duplicates. */
export function extractIndexRows(resource: Resource): IndexRow[] {
  const rows: IndexRow[] = [];
  const seen = new Set<string>();
  const emit: Emit = (row) => {
    const key = rowKey(row);
    if (!seen.has(key)) {
      seen.add(key);
      rows.push(row);
    }
  };
  const root = [typed(resource)];
  const fields = resource as unknown as Record<string, unknown>;
  for (const param of planFor(resource.resourceType)) {
    for (const branch of param.branches) {
      if (branch.rootKeys && !hasAnyKey(fields, branch.rootKeys)) continue;
      for (const value of branch.path.evaluateTyped(root)) param.index(param.code, value, emit, branch.implicitSystem);
    }
  }
  return rows;
}

/** The compiled extraction plan of a type (exported for tests and benchmarks). */
export function planFor(resourceType: string): ParamPlan[] {
  let plan = plans.get(resourceType);
  if (!plan) {
    plan = searchParametersFor(resourceType).flatMap((def) => compileParam(resourceType, def));
    plans.set(resourceType, plan);
  }
  return plan;
}

function compileParam(resourceType: string, def: SearchParameterDef): ParamPlan[] {
  const index = INDEXERS[def.type];
  if (!def.supported || !index || NOT_INDEXED.has(def.code)) return [];
  const branches = def.branches.map((expression) => {
    const branch: BranchPlan = { path: compileFhirPath(expression) };
    const simple = parseSimplePath(expression);
    const rootKeys = simple && rootElementKeys(simple, resourceType);
    if (rootKeys) branch.rootKeys = rootKeys;
    if (def.type === 'token') {
      const system = boundSystem(resourceType, expression);
      if (system) branch.implicitSystem = system;
    }
    return branch;
  });
  return [{ code: def.code, index, branches }];
}

/** The code system of the value set a dotted path's final `code` element is bound to. */
function boundSystem(resourceType: string, expression: string): string | undefined {
  const segments = simplePathSegments(expression);
  if (!segments || segments[0] !== resourceType) return undefined;
  let type = resourceType;
  for (let i = 1; i < segments.length; i++) {
    const element = elementOf(type, segments[i]);
    if (!element || element.type.length !== 1) return undefined;
    if (i === segments.length - 1) {
      const valueSet = element.binding?.valueSet;
      return element.type[0].code === 'code' && valueSet ? valueSetSystem(valueSet) : undefined;
    }
    type = element.type[0].code;
  }
  return undefined;
}

function hasAnyKey(fields: Record<string, unknown>, keys: readonly string[]): boolean {
  for (const key of keys) if (fields[key] !== undefined) return true;
  return false;
}

/** Null and the text "null" must not collide in keys. */
function k(v: string | null): string {
  return v === null ? '\u0001' : v;
}

function rowKey(row: IndexRow): string {
  switch (row.kind) {
    case 'string':
      return `s\u0000${row.param}\u0000${row.exact}`;
    case 'token':
      return `t\u0000${row.param}\u0000${k(row.system)}\u0000${k(row.code)}\u0000${k(row.text)}`;
    case 'reference':
      return `r\u0000${row.param}\u0000${k(row.targetType)}\u0000${k(row.targetId)}\u0000${k(row.url)}`;
    case 'date':
      return `d\u0000${row.param}\u0000${row.start}\u0000${row.end}`;
    case 'number':
      return `n\u0000${row.param}\u0000${row.value}`;
    case 'quantity':
      return `q\u0000${row.param}\u0000${row.value}\u0000${k(row.system)}\u0000${k(row.code)}\u0000${k(row.unit)}`;
    case 'uri':
      return `u\u0000${row.param}\u0000${row.value}`;
  }
}
