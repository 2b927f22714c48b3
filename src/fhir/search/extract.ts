/**
 * Search index extraction: what a resource contributes to search, as `IndexRow`s written with
 * each version. The same per-type modules (`string.ts`, `token.ts`...) normalise the query side,
 * so a value found here is found by a search for it.
 *
 * Why plans: extraction runs on every write, so per resource type we compile once the list of
 * indexable parameters with their FHIRPath branches (narrowed to that type) and reuse it.
 * Special parameters (and `_text`/`_content`/`_query`, which have no expression) are not
 * indexed, nor `_id` and `_lastUpdated`: every store keeps the id and the version's timestamp
 * with the resource itself (and sets `meta.lastUpdated` only as it writes).
 *
 * A composite parameter's expression gives elements (the Observation, each
 * `Observation.component`); its components are evaluated on each element separately and
 * paired only within it, so `component-code-value-quantity` never pairs one component's code
 * with another's value.
 */
import type { Resource } from '@medplum/fhirtypes';
import { elementOf } from '../definitions.ts';
import { compileFhirPath, typed } from '../fhirpath.ts';
import type { CompiledFhirPath, TypedValue } from '../fhirpath.ts';
import { parseSimplePath, rootElementKeys, simplePathSegments } from '../simple-path.ts';
import type { SimplePath } from '../simple-path.ts';
import { valueSetSystem } from '../value-sets.ts';
import { indexDate } from './date.ts';
import { indexNumber } from './number.ts';
import { searchParametersFor } from './parameters.ts';
import type { ComponentDef, SearchParameterDef } from './parameters.ts';
import { indexQuantity } from './quantity.ts';
import { indexReference } from './reference.ts';
import { latestRows } from './latest.ts';
import { indexString } from './string.ts';
import { indexToken } from './token.ts';
import type { IndexRow, SearchParamType } from './types.ts';
import { CANONICAL_SUFFIX } from './types.ts';
import type { QuantityRow, ValueRow } from './types.ts';
import { indexUri } from './uri.ts';

type Emit = (row: IndexRow) => void;
type Indexer = (param: string, value: TypedValue, emit: Emit, implicitSystem?: string, memo?: ComponentMemo) => void;

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
  const memo: ComponentMemo = new Map();
  for (const param of planFor(resource.resourceType)) {
    for (const branch of param.branches) {
      if (branch.rootKeys && !hasAnyKey(fields, branch.rootKeys)) continue;
      for (const value of branch.path.evaluateTyped(root)) param.index(param.code, value, emit, branch.implicitSystem, memo);
    }
  }
  for (const row of latestRows(resource.resourceType, rows)) emit(row);
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
  const index = def.components ? compositeIndexer(resourceType, def.branches, def.components) : INDEXERS[def.type];
  if (!def.supported || !index || NOT_INDEXED.has(def.code)) return [];
  const branches = def.branches.map((expression) => {
    const branch: BranchPlan = { path: compileFhirPath(expression) };
    const simple = parseSimplePath(expression);
    const rootKeys = simple && rootElementKeys(simple, resourceType);
    if (simple && rootKeys) branch.rootKeys = narrowed(simple, rootKeys);
    else if (def.components && expression === resourceType) {
      const valueKeys = componentRootKeys(resourceType, def.components[1]);
      if (valueKeys) branch.rootKeys = valueKeys;
    }
    if (def.type === 'token') {
      const system = boundSystem(resourceType, expression);
      if (system) branch.implicitSystem = system;
    }
    return branch;
  });
  return [{ code: def.code, index, branches }];
}

/**
 * For a composite on the resource itself (`code-value-quantity`): the keys its value component
 * starts from, so an Observation with another value type skips it.
 */
function componentRootKeys(resourceType: string, component: ComponentDef): string[] | undefined {
  const keys: string[] = [];
  for (const b of component.branches) {
    const simple = parseSimplePath(`${resourceType}.${b.replace(/^\((.*)\)$/, '$1')}`);
    const found = simple && rootElementKeys(simple, resourceType);
    if (!simple || !found) return undefined;
    keys.push(...narrowed(simple, found));
  }
  return keys;
}

/**
 * The root keys of `Type.choice as T` reduced to the one choice it reads (`valueQuantity`):
 * a type filter right after a choice element keeps only values of that type.
 */
function narrowed(simple: SimplePath, keys: string[]): string[] {
  const [, element, filter] = simple.steps;
  if (element?.kind !== 'name' || filter?.kind !== 'as') return keys;
  const key = element.name + filter.type[0].toUpperCase() + filter.type.slice(1);
  const kept = keys.filter((k) => k === key || k === '_' + key);
  return kept.length > 0 ? kept : keys;
}

interface ComponentPlan {
  /** Type and branches: composites sharing a component (`code` in `code-value-quantity` and `combo-code-value-quantity`) share its rows. */
  key: string;
  paths: CompiledFhirPath[];
  index: Indexer;
  implicitSystem?: string;
}

/** A component value; a UCUM quantity with its canonical form. */
interface ComponentValue {
  row: ValueRow;
  canonical?: QuantityRow;
}

/** Component values already computed for the resource being indexed, by element and component. */
type ComponentMemo = Map<unknown, Map<string, ComponentValue[]>>;

/** Indexes one element of a composite's expression: every pair of its component values. */
function compositeIndexer(resourceType: string, bases: readonly string[], components: readonly ComponentDef[]): Indexer | undefined {
  const plans: ComponentPlan[] = [];
  for (const c of components) {
    const index = INDEXERS[c.type];
    if (!index) return undefined;
    const plan: ComponentPlan = { key: `${c.type}:${c.branches.join('|')}`, paths: c.branches.map((b) => compileFhirPath(b)), index };
    // A bound `code` (DocumentReference.relatesTo.code) gets its system, as in its own parameter.
    const systems = new Set(bases.flatMap((base) => c.branches.map((b) => (c.type === 'token' ? boundSystem(resourceType, `${base}.${b}`) : undefined))));
    const [system] = systems;
    if (systems.size === 1 && system) {
      plan.implicitSystem = system;
      plan.key += `:${system}`;
    }
    plans.push(plan);
  }
  const [first, second] = plans;
  return (param, element, emit, _system, memo) => {
    // The value component first: most elements have one value type, so most composites of an
    // element stop here without evaluating the code.
    const values = componentValues(second, element, memo);
    if (values.length === 0) return;
    for (const code of componentValues(first, element, memo)) {
      if (code.row.kind !== 'token') continue;
      for (const value of values) {
        const row: IndexRow = { kind: 'composite', param, first: code.row, second: value.row };
        if (value.canonical) row.canonical = value.canonical;
        emit(row);
      }
    }
  };
}

/**
 * The values of one component in one element, without the text-only tokens that serve `:text`
 * and the `:of-type`/`:identifier` rows, which composites do not search.
 */
function componentValues(plan: ComponentPlan, element: TypedValue, memo: ComponentMemo | undefined): ComponentValue[] {
  let byPlan = memo?.get(element.value);
  const known = byPlan?.get(plan.key);
  if (known) return known;
  const rows: IndexRow[] = [];
  for (const path of plan.paths) for (const v of path.evaluateTyped([element])) plan.index('', v, (row) => rows.push(row), plan.implicitSystem);
  const values: ComponentValue[] = [];
  for (const row of rows) {
    if (row.param === CANONICAL_SUFFIX && row.kind === 'quantity') {
      // indexQuantity emits the canonical row right after the row as written.
      const last = values[values.length - 1];
      if (last) last.canonical = row;
    } else if (row.param === '' && row.kind !== 'composite' && !(row.kind === 'token' && row.system === null && row.code === null)) {
      values.push({ row });
    }
  }
  if (memo) {
    if (!byPlan) memo.set(element.value, (byPlan = new Map()));
    byPlan.set(plan.key, values);
  }
  return values;
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
    case 'composite':
      return `c\u0000${row.param}\u0000${rowKey(row.first)}\u0000${rowKey(row.second)}\u0000${row.subject ?? ''}`;
  }
}
