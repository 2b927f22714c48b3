/**
 * Compiles search criteria to SQL conditions on a resources-table alias. Criteria are AND-ed,
 * the values of one criterion OR-ed. `_id` and `_lastUpdated` are columns of `resources`; every
 * other parameter is an `IN (SELECT … FROM idx_<kind>)` subquery, uncorrelated so each database
 * can drive the lookup from the (tenant, type, param, value) index. Chains and `_has` nest the
 * same way through `idx_reference`.
 */
import { CANONICAL_SUFFIX, IDENTIFIER_SUFFIX, OF_TYPE_SUFFIX } from '../../../fhir/search/types.ts';
import type { IndexRowKind, SearchCriterion, SearchParamType, SearchValue } from '../../../fhir/search/types.ts';
import { FhirError } from '../../../fhir/outcome.ts';
import { INDEX_TABLES } from '../index-tables.ts';
import { Binder, unsupported } from './binder.ts';
import { compositeMatch } from './composite.ts';
import { dateMatch, dateRangeMatch } from './date.ts';
import { numberMatch } from './number.ts';
import { quantityMatch } from './quantity.ts';
import { referenceMatch } from './reference.ts';
import { stringMatch } from './string.ts';
import { tokenMatch } from './token.ts';
import { uriMatch } from './uri.ts';
import { valueOf } from './values.ts';

/** The resources rows a condition applies to: an alias of `resources` and the types it may hold (empty = all). */
export interface Scope {
  alias: string;
  types: readonly string[];
  /**
   * Test each row of the alias with a correlated EXISTS (a probe of the index rows of that one
   * resource) instead of an id list built for the whole practice: right when another criterion
   * already narrowed the rows (see `driverIdsSql`).
   */
  correlated?: boolean;
}

type Matcher = (b: Binder, ia: string, value: SearchValue, modifier: string | undefined) => string;

const MATCHERS: Record<IndexRowKind, Matcher> = {
  string: stringMatch,
  token: tokenMatch,
  reference: referenceMatch,
  date: dateMatch,
  number: numberMatch,
  quantity: quantityMatch,
  uri: uriMatch,
  composite: compositeMatch,
};

/** The AND of all criteria, or `1 = 1` when there are none. */
export function criteriaSql(b: Binder, criteria: readonly SearchCriterion[], scope: Scope): string {
  if (criteria.length === 0) return '1 = 1';
  return criteria.map((c) => criterionSql(b, c, scope)).join(' AND ');
}

function criterionSql(b: Binder, c: SearchCriterion, scope: Scope): string {
  if (c.not) return `NOT (${criterionSql(b, { ...c, not: undefined }, scope)})`;
  if (c.types !== undefined) return typedSql(b, c, c.types, scope);
  if (c.anyOf !== undefined) return c.anyOf.length === 0 ? '1 = 0' : or(c.anyOf.map((inner) => criterionSql(b, inner, scope)));
  if (c.allOf !== undefined) return c.allOf.length === 0 ? '1 = 1' : `(${c.allOf.map((inner) => criterionSql(b, inner, scope)).join(' AND ')})`;
  if (c.has) return hasSql(b, c.has, scope);
  if (c.chain) return chainSql(b, c, scope);
  if (c.param === '_id') return idSql(b, c, scope);
  if (c.param === '_lastUpdated') return lastUpdatedSql(b, c, scope);
  const { kind, param, modifier } = rowsOf(c);
  const table = INDEX_TABLES[kind].table;
  if (c.modifier === 'missing' || c.values.some((v) => v.kind === 'missing')) {
    // Each value says "has none" or "has some"; OR-ed like any other values.
    const parts = c.values.map((v) => {
      const missing = valueOf(v, 'missing').missing;
      return member(b, scope, missing, { table, typeCol: 'type', idCol: 'id' }, (ia) => `${ia}.param = ${b.bind(param)}`);
    });
    return or(parts);
  }
  if (c.values.length === 0) throw new FhirError('invalid', `Search parameter ${c.param} has no value`);
  const negate = modifier === 'not';
  const match = MATCHERS[kind];
  // Values in UCUM base units match the canonical rows, the others the rows as written.
  const groups = new Map<string, SearchValue[]>();
  for (const v of c.values) {
    const p = isCanonical(v) ? param + CANONICAL_SUFFIX : param;
    groups.set(p, [...(groups.get(p) ?? []), v]);
  }
  // A substring match cannot seek the value index, only scan it; see `Source.scanValues`.
  const scanValues = kind === 'string' && modifier === 'contains';
  return member(b, scope, negate, { table, typeCol: 'type', idCol: 'id', scanValues }, (ia) => {
    const parts = [...groups].map(([p, values]) => `${ia}.param = ${b.bind(p)} AND ${or(values.map((v) => match(b, ia, v, modifier)))}`);
    return parts.length === 1 ? parts[0] : `(${parts.map((part) => `(${part})`).join(' OR ')})`;
  });
}

/**
 * Where a criterion's rows are: `subject:identifier` and `identifier:of-type` search token rows
 * stored under those names (see `IDENTIFIER_SUFFIX`), everything else its type's table.
 */
function rowsOf(c: SearchCriterion): { kind: IndexRowKind; param: string; modifier: string | undefined } {
  if (c.type === 'reference' && c.modifier === 'identifier') return { kind: 'token', param: c.param + IDENTIFIER_SUFFIX, modifier: undefined };
  if (c.type === 'token' && c.modifier === 'of-type') return { kind: 'token', param: c.param + OF_TYPE_SUFFIX, modifier: undefined };
  return { kind: indexKind(c.type, c.param), param: c.param, modifier: c.modifier };
}

/** Composite rows carry their canonical quantity in the row itself (see composite.ts). */
function isCanonical(v: SearchValue): boolean {
  return v.kind === 'quantity' && v.canonical === true;
}

/** A criterion limited to some types: other rows of the scope do not match it. */
function typedSql(b: Binder, c: SearchCriterion, types: readonly string[], scope: Scope): string {
  const applicable = scope.types.length === 0 ? types : types.filter((t) => scope.types.includes(t));
  if (applicable.length === 0) return '1 = 0';
  const narrowed = { ...scope, types: applicable };
  if (applicable.length === scope.types.length) return criterionSql(b, { ...c, types: undefined }, narrowed);
  // Placeholders are positional: bind the type test before the criterion that follows it.
  const type = applicable.length === 1 ? `${scope.alias}.type = ${b.bind(applicable[0])}` : `${scope.alias}.type IN (${b.list(applicable)})`;
  return `(${type} AND ${criterionSql(b, { ...c, types: undefined }, narrowed)})`;
}

function idSql(b: Binder, c: SearchCriterion, scope: Scope): string {
  if (c.modifier !== undefined && c.modifier !== 'not') throw unsupported(`modifier :${c.modifier} on _id`);
  const ids = c.values.map((v) => (v.kind === 'string' ? v.value : valueOf(v, 'token').code));
  if (ids.some((id) => id === undefined) || ids.length === 0) throw new FhirError('invalid', '_id needs a value');
  return `${scope.alias}.id ${c.modifier === 'not' ? 'NOT IN' : 'IN'} (${b.list(ids)})`;
}

function lastUpdatedSql(b: Binder, c: SearchCriterion, scope: Scope): string {
  if (c.modifier !== undefined) throw unsupported(`modifier :${c.modifier} on _lastUpdated`);
  const column = `${scope.alias}.last_updated`;
  return or(c.values.map((v) => dateRangeMatch(b, column, column, v)));
}

/** `subject:Patient.name=x`: the reference's targets must match the inner criterion. */
function chainSql(b: Binder, c: SearchCriterion, scope: Scope): string {
  const chain = c.chain!;
  return member(b, scope, false, { table: 'idx_reference', typeCol: 'type', idCol: 'id' }, (ia) => {
    const head = `${ia}.param = ${b.bind(c.param)} AND ${ia}.target_type = ${b.bind(chain.targetType)}`;
    return `${head} AND ${matching(b, chain.targetType, chain.criterion, `${ia}.target_id`, scope)}`;
  });
}

/** `_has:Observation:patient:code=x`: some Observation matching the criterion refers here via `patient`. */
function hasSql(b: Binder, has: NonNullable<SearchCriterion['has']>, scope: Scope): string {
  return member(b, scope, false, { table: 'idx_reference', typeCol: 'target_type', idCol: 'target_id' }, (ia) => {
    const head = `${ia}.type = ${b.bind(has.sourceType)} AND ${ia}.param = ${b.bind(has.referenceParam)}`;
    return `${head} AND ${matching(b, has.sourceType, has.criterion, `${ia}.id`, scope)}`;
  });
}

/**
 * "The live `type` resource with id `idExpr` matches `criterion`": an id list of every match,
 * or — when the scope is probed row by row — a probe of that one resource, so that walking a
 * sorted index never first collects every resource a chain's target criterion matches.
 */
function matching(b: Binder, type: string, criterion: SearchCriterion, idExpr: string, scope: Scope): string {
  if (!scope.correlated) return `${idExpr} IN (${matchingIds(b, type, criterion)})`;
  const t = b.alias('t');
  const row = `${t}.tenant = ${b.bind(b.tenant)} AND ${t}.type = ${b.bind(type)} AND ${t}.id = ${idExpr} AND ${t}.deleted = 0`;
  return `EXISTS (SELECT 1 FROM resources ${t} WHERE ${row} AND ${criterionSql(b, criterion, { alias: t, types: [type], correlated: true })}${b.probeEnd()})`;
}

/**
 * The ids a selective criterion matches, to drive a single-type search from: a reference to one
 * resource (`Observation?patient=123`) names a few hundred rows at most, while the practice may
 * hold millions of the type. Undefined when the criterion is not such a reference.
 */
export function driverIdsSql(b: Binder, c: SearchCriterion, scope: Scope): string | undefined {
  if (scope.types.length === 1 && c.chain && !c.not && !c.types && c.modifier === undefined) return chainDriverSql(b, c, scope);
  if (scope.types.length !== 1 || c.type !== 'reference' || c.not || c.chain || c.has || c.anyOf || c.allOf || c.types) return undefined;
  if (c.modifier !== undefined && !/^[A-Z][A-Za-z]+$/.test(c.modifier)) return undefined;
  if (c.values.length !== 1) return undefined;
  const value = c.values[0];
  if (value.kind !== 'reference' || value.targetId === undefined) return undefined;
  const ia = b.alias('d');
  const where = `${ia}.tenant = ${b.bind(b.tenant)} AND ${ia}.type = ${b.bind(scope.types[0])} AND ${ia}.param = ${b.bind(c.param)}`;
  return `SELECT ${ia}.id FROM idx_reference ${ia} WHERE ${where} AND ${referenceMatch(b, ia, value, c.modifier)}`;
}

/**
 * The ids of the index rows one plain criterion matches — `Patient?name=lo` as `SELECT i.id FROM
 * idx_string i WHERE …`, an id once per matching row (`DISTINCT` gives each resource once) — to
 * count matches from the lookup index alone; undefined for a criterion that is not one id list
 * (negated, several types, chains…). Index rows exist only for live resources, so every id is a
 * live match.
 */
export function idRowsSql(b: Binder, c: SearchCriterion, scope: Scope): string | undefined {
  if (scope.types.length !== 1 || c.chain || c.has) return undefined;
  const sql = criterionSql(b, c, { ...scope, correlated: false });
  // `member` writes a single-type id list as `<alias>.id IN (SELECT <ia>.id FROM …)`.
  const prefix = `${scope.alias}.id IN (SELECT `;
  if (!sql.startsWith(prefix) || !sql.endsWith(')')) return undefined;
  return `SELECT ${sql.slice(prefix.length, -1)}`;
}

/**
 * A chain whose end names one resource (`Observation?encounter.subject=Patient/1`): the resources
 * that refer to the few targets referring to it. Index rows exist only for live resources, so
 * no liveness check of the targets is needed.
 */
function chainDriverSql(b: Binder, c: SearchCriterion, scope: Scope): string | undefined {
  const chain = c.chain!;
  const target = { alias: 'x', types: [chain.targetType] };
  // Placeholders are positional: find out first, on a scratch binder, whether the inner one drives.
  if (driverIdsSql(new Binder(b.tenant, b.dialect), chain.criterion, target) === undefined) return undefined;
  const ia = b.alias('d');
  const head = `${ia}.tenant = ${b.bind(b.tenant)} AND ${ia}.type = ${b.bind(scope.types[0])} AND ${ia}.param = ${b.bind(c.param)} AND ${ia}.target_type = ${b.bind(chain.targetType)}`;
  return `SELECT DISTINCT ${ia}.id FROM idx_reference ${ia} WHERE ${head} AND ${ia}.target_id IN (${driverIdsSql(b, chain.criterion, target)})`;
}

/** `SELECT id` of live resources of one type matching one criterion. */
function matchingIds(b: Binder, type: string, criterion: SearchCriterion): string {
  const t = b.alias('t');
  const head = `SELECT ${t}.id FROM resources ${t} WHERE ${t}.tenant = ${b.bind(b.tenant)} AND ${t}.type = ${b.bind(type)} AND ${t}.deleted = 0`;
  return `${head} AND ${criterionSql(b, criterion, { alias: t, types: [type] })}`;
}

interface Source {
  table: string;
  /** Columns of `table` holding the type and id that must equal the scope's row. */
  typeCol: string;
  idCol: string;
  /**
   * The condition on the value can only be tested row by row (`:contains`): an id list should scan
   * the parameter's own rows of the `(…, param, value, id)` index. SQLite would otherwise read
   * every string row of the practice in id order, with a visit to the table for each (51 ms for
   * 50,000 Patients, 9 ms through the value index).
   */
  scanValues?: boolean;
}

/**
 * `<scope row> [NOT] IN (SELECT type, id FROM source WHERE tenant AND type filter AND rest)`.
 * With a single type only the id is compared, which keeps the common case a plain `id IN`.
 */
function member(b: Binder, scope: Scope, negate: boolean, src: Source, rest: (ia: string) => string): string {
  const ia = b.alias('i');
  const single = scope.types.length === 1;
  if (scope.correlated && single) {
    // SQLite would otherwise probe the (tenant, type, param, value) lookup index, which has the
    // same number of equality columns but reads every row of the parameter.
    const hint = b.dialect === 'sqlite' && src.typeCol === 'type' ? ` INDEXED BY ${src.table}_resource` : '';
    const row = `${ia}.tenant = ${scope.alias}.tenant AND ${ia}.${src.idCol} = ${scope.alias}.id AND ${ia}.${src.typeCol} = ${scope.alias}.type`;
    return `${negate ? 'NOT ' : ''}EXISTS (SELECT 1 FROM ${src.table} ${ia}${hint} WHERE ${row} AND ${rest(ia)}${b.probeEnd()})`;
  }
  const lhs = single ? `${scope.alias}.id` : `(${scope.alias}.type, ${scope.alias}.id)`;
  const select = single ? `${ia}.${src.idCol}` : `${ia}.${src.typeCol}, ${ia}.${src.idCol}`;
  const tenant = `${ia}.tenant = ${b.bind(b.tenant)}`;
  const type =
    scope.types.length === 0
      ? `${ia}.${src.typeCol} IS NOT NULL`
      : single
        ? `${ia}.${src.typeCol} = ${b.bind(scope.types[0])}`
        : `${ia}.${src.typeCol} IN (${b.list(scope.types)})`;
  const where = `${tenant} AND ${type} AND ${rest(ia)}`;
  const hint = src.scanValues && single && b.dialect === 'sqlite' ? ` INDEXED BY ${src.table}_value` : '';
  return `${lhs} ${negate ? 'NOT IN' : 'IN'} (SELECT ${select} FROM ${src.table} ${ia}${hint} WHERE ${where})`;
}

/**
 * ORs the parts as a balanced tree: a flat `a OR b OR …` nests one level per value, and SQLite
 * refuses expressions deeper than 1,000, so a search with ~500 comma-separated values failed.
 */
function or(parts: string[]): string {
  if (parts.length === 1) return parts[0];
  if (parts.length <= 8) return `(${parts.join(' OR ')})`;
  const half = Math.ceil(parts.length / 2);
  return `(${or(parts.slice(0, half))} OR ${or(parts.slice(half))})`;
}

/** The index table that holds a parameter type's rows. */
export function indexKind(type: SearchParamType, param: string): IndexRowKind {
  switch (type) {
    case 'string':
    case 'token':
    case 'reference':
    case 'date':
    case 'number':
    case 'quantity':
    case 'uri':
    case 'composite':
      return type;
    default:
      throw unsupported(`parameter ${param} of type ${type}`);
  }
}
