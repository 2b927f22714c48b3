/**
 * SMART 2 granular scopes enforced: when the scopes that allow an interaction on a type all carry
 * a query (`user/Observation.rs?category=…|vital-signs`), only the resources matching one of those
 * queries exist for it. Applied on top of `authorize` (which lets the type through) and, like the
 * patient compartment, to every path:
 * - searches get a criterion (the union of the queries), so nothing else is matched, counted or
 *   paged; chained and `_has` targets are narrowed the same way, so a predicate cannot tell
 *   whether a resource outside the scopes matches it;
 * - included resources outside the scopes are dropped;
 * - a read, history, operation or write of one resource outside is absent: answered exactly like
 *   an id never used, so its existence does not leak (the rule of patient-bound access); a
 *   written resource must itself match, or the write fails with 403 and rolls back;
 * - conditional writes, `If-None-Exist` and conditional references are refused on such types:
 *   their criteria would search outside the scopes.
 * Whether a resource matches is decided by the store, by a search with `_id`, so every check means
 * exactly what the search criterion means, for any parameter a scope may hold.
 */
import type { Resource } from '@medplum/fhirtypes';
import { errors } from '../../fhir/outcome.ts';
import type { SearchCriterion } from '../../fhir/search/types.ts';
import { reader, type Ctx } from '../context.ts';
import { isAllowed, scopeQueries } from './authorize.ts';
import { resourceScope } from './scope-query.ts';

/** Most ids per matching query; well below every database's bind limit. */
const CHUNK = 500;

/** Cheap test that lets access without granular scopes (nearly all) skip everything below. */
function hasQueries(ctx: Ctx): boolean {
  return ctx.principal.scopes.some((scope) => scope.includes('?'));
}

/** The union of the granted queries for `letter` on one type, or undefined when unbounded. */
function typeRestriction(ctx: Ctx, resourceType: string, letter: string): SearchCriterion | undefined {
  const queries = scopeQueries(ctx.principal, resourceType, letter);
  if (queries === undefined) return undefined;
  // No allowing scope at all (authorize refuses that first) leaves an empty union: nothing matches.
  return { param: '_scope', type: 'token', values: [], anyOf: queries.map((criteria) => ({ param: '_scope', type: 'token', values: [], allOf: [...criteria] })) };
}

/**
 * The criterion limiting a search of `types` to what the granted scopes' queries allow, or
 * undefined when no query bounds any of them. Types without a query stay whole.
 */
export function scopeRestriction(ctx: Ctx, types: readonly string[], letter = 's'): SearchCriterion | undefined {
  if (!hasQueries(ctx)) return undefined;
  if (types.length === 1) return typeRestriction(ctx, types[0], letter);
  const bounded: SearchCriterion[] = [];
  const open: string[] = [];
  for (const type of types) {
    const restriction = typeRestriction(ctx, type, letter);
    if (restriction === undefined) open.push(type);
    else bounded.push({ ...restriction, types: [type] });
  }
  if (bounded.length === 0) return undefined;
  const whole: SearchCriterion[] = open.length === 0 ? [] : [{ param: '_scope', type: 'token', values: [], allOf: [], types: open }];
  return { param: '_scope', type: 'token', values: [], anyOf: [...bounded, ...whole] };
}

/**
 * The criteria with every chain and `_has` target narrowed to what the scopes allow searching.
 * The access rules' own predicates (a patient's care team, for restricted records) are narrowed
 * too, which can only hide more. Negated criteria are left alone: narrowing inside a negation
 * would widen what it matches (and only access rules, never a client, write them).
 */
export function scopePredicates(ctx: Ctx, criteria: SearchCriterion[]): SearchCriterion[] {
  if (!hasQueries(ctx)) return criteria;
  const within = (inner: SearchCriterion, type: string): SearchCriterion => {
    const narrowed = narrow(inner);
    const restriction = scopeRestriction(ctx, [type]);
    return restriction === undefined ? narrowed : { param: '_scope', type: inner.type, values: [], allOf: [narrowed, restriction] };
  };
  const narrow = (c: SearchCriterion): SearchCriterion => {
    if (c.not) return c;
    if (c.chain) return { ...c, chain: { ...c.chain, criterion: within(c.chain.criterion, c.chain.targetType) } };
    if (c.has) return { ...c, has: { ...c.has, criterion: within(c.has.criterion, c.has.sourceType) } };
    if (c.anyOf) return { ...c, anyOf: c.anyOf.map(narrow) };
    if (c.allOf) return { ...c, allOf: c.allOf.map(narrow) };
    return c;
  };
  return criteria.map(narrow);
}

/** Drops included resources that the scopes' queries do not allow searching. */
export async function withinScopes(ctx: Ctx, resources: Resource[]): Promise<Resource[]> {
  if (!hasQueries(ctx) || resources.length === 0) return resources;
  const byType = new Map<string, string[]>();
  for (const r of resources) byType.set(r.resourceType, [...(byType.get(r.resourceType) ?? []), r.id as string]);
  const outside = new Set<string>();
  for (const [type, ids] of byType) {
    const restriction = typeRestriction(ctx, type, 's');
    if (restriction === undefined) continue;
    const matching = await matchingIds(ctx, type, ids, restriction);
    for (const id of ids) if (!matching.has(id)) outside.add(`${type}/${id}`);
  }
  return outside.size === 0 ? resources : resources.filter((r) => !outside.has(`${r.resourceType}/${r.id}`));
}

/**
 * Whether the stored `type/id` is outside the queries bounding `letter` and so absent to the
 * caller (deleted resources too, since whether they matched can no longer be told): the
 * interaction then answers exactly as for an id never used (`absent-resources.ts`). Throws
 * forbidden instead when the scopes let the caller read it anyway, which reveals nothing it
 * could not read. False for ids never used and resources within the scopes.
 */
export async function outsideScopes(ctx: Ctx, type: string, id: string, letter: string): Promise<boolean> {
  if (!hasQueries(ctx)) return false;
  const restriction = typeRestriction(ctx, type, letter);
  if (restriction === undefined || (await matchingIds(ctx, type, [id], restriction)).has(id)) return false;
  if ((await reader(ctx).readCurrent(type, id)) === undefined) return false;
  if (letter !== 'r' && (await readable(ctx, type, id))) {
    throw errors.forbidden(`The granted scopes allow this interaction only on ${type} resources matching their query, which ${type}/${id} does not`);
  }
  return true;
}

/** Whether the scopes bound `letter` on `type` by a query, so that some stored resources of it are absent to the caller for it. */
export function scopesHide(ctx: Ctx, type: string, letter: string): boolean {
  return hasQueries(ctx) && typeRestriction(ctx, type, letter) !== undefined;
}

/** Whether the caller may read `type/id` as far as role and scopes go; never said for patient-bound access, whose compartment check answers 404 instead. */
async function readable(ctx: Ctx, type: string, id: string): Promise<boolean> {
  if (ctx.principal.kind === 'user' && ctx.principal.patients !== undefined) return false;
  if (!isAllowed(ctx, { interaction: 'read', resourceType: type })) return false;
  const restriction = typeRestriction(ctx, type, 'r');
  return restriction === undefined || (await matchingIds(ctx, type, [id], restriction)).has(id);
}

/**
 * Throws forbidden when the resource just written as `type/id` (inside the write's transaction,
 * so the failure rolls the write back) is outside the queries bounding `letter`.
 */
export async function checkScopedWrite(ctx: Ctx, type: string, id: string, letter: string): Promise<void> {
  if (!hasQueries(ctx)) return;
  const restriction = typeRestriction(ctx, type, letter);
  if (restriction === undefined || (await matchingIds(ctx, type, [id], restriction)).has(id)) return;
  const granted = ctx.principal.scopes.filter((s) => resourceScope(s)?.resourceType === type && resourceScope(s)?.criteria !== undefined);
  throw errors.forbidden(`The ${type} written does not match the query of any scope granted for it (${granted.join(', ')})`);
}

/**
 * Throws forbidden when a condition on `type` (a conditional write, `If-None-Exist`, a
 * transaction's conditional reference) would search beyond the scopes: its criteria run
 * unbounded, so matches outside them would be written or referred to, or revealed by a 412.
 */
export function checkScopedConditional(ctx: Ctx, type: string, letter: string): void {
  if (!hasQueries(ctx)) return;
  if (typeRestriction(ctx, type, letter) !== undefined || typeRestriction(ctx, type, 's') !== undefined) {
    throw errors.forbidden(`Conditional writes, If-None-Exist and conditional references are not available on ${type} when the granted scopes limit it by a query`);
  }
}

async function matchingIds(ctx: Ctx, type: string, ids: readonly string[], restriction: SearchCriterion): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const page = await reader(ctx).search({
      resourceTypes: [type],
      criteria: [{ param: '_id', type: 'token', values: chunk.map((code) => ({ kind: 'token', code })) }, restriction],
      sort: [],
      count: chunk.length,
      total: 'none',
      include: [],
      revinclude: [],
    });
    for (const r of page.resources) found.add(r.id as string);
  }
  return found;
}
