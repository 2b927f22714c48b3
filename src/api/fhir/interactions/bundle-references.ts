/**
 * Identity inside a transaction: before any entry runs, every entry that creates a resource gets
 * its id, every `fullUrl` is mapped to the `Type/id` it will have, and every reference in every
 * entry's resource is rewritten once through that map (`urn:uuid:` and other fullUrls), with
 * conditional references (`Patient?identifier=s|v`) resolved by search inside the transaction.
 * Doing it up front lets entries reference each other in any order, cycles included, and costs
 * one walk per resource.
 * @see https://hl7.org/fhir/R4/http.html#trules
 */
import { newResourceId } from '../../../fhir/resource-id.ts';
import type { Resource } from '@medplum/fhirtypes';
import { errors } from '../../../fhir/outcome.ts';
import { visitReferences } from '../../../fhir/references.ts';
import { authorize } from '../../../domain/access/authorize.ts';
import type { Ctx } from '../../../domain/context.ts';
import type { StoreTransaction } from '../../../store/store.ts';
import type { BundleEntryRequest } from './bundle-entries.ts';
import { criteriaFromHeader, lockAndMatch, tooManyMatches } from './conditional.ts';

/**
 * Called before a condition is searched on `resourceType` for an interaction needing `letter`
 * (SMART permission letter); throws when the caller may not search it that way. The conditions
 * are searched before any entry is dispatched, so dispatch's own checks come too late for them.
 */
export type ConditionGuard = (resourceType: string, letter: string) => void;

/** `Type?criteria`: a conditional reference. */
const CONDITIONAL_REFERENCE = /^([A-Z][A-Za-z]+)\?(.+)$/;
/** `<base>/Type/id[/_history/n]`: an absolute RESTful fullUrl, and the base it names. */
const ABSOLUTE_RESOURCE_URL = /^(.*)\/[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[^/]+)?$/;

/**
 * Assigns ids, maps fullUrls and rewrites references of a transaction's entries (in place).
 * Returns, per entry index, the `Type/id` the entry must end up writing: the caller checks each
 * entry's response against it so a mismatch can never leave references dangling.
 * @throws FhirError `invalid` for a duplicate fullUrl, an unresolvable `urn:` reference or a
 *   conditional reference matching nothing; `precondition-failed` when a condition matches several.
 */
export async function resolveTransactionIdentities(ctx: Ctx, tx: StoreTransaction, entries: readonly BundleEntryRequest[], guard: ConditionGuard = () => {}): Promise<Map<number, string>> {
  const targets = new Map<string, string>();
  const expected = new Map<number, string>();
  for (const entry of entries) {
    if (entry.fullUrl !== undefined && targets.has(entry.fullUrl)) {
      throw errors.invalid(`Bundle.entry[${entry.index}].fullUrl ${entry.fullUrl} appears more than once in the transaction`, `Bundle.entry[${entry.index}].fullUrl`);
    }
    const target = await targetOf(ctx, tx, entry, guard);
    if (target === undefined) continue;
    expected.set(entry.index, target);
    if (entry.fullUrl !== undefined) targets.set(entry.fullUrl, target);
  }
  checkDistinctIdentities(entries, expected);

  const conditional = new Map<string, string>();
  for (const entry of entries) {
    const resource = entry.request.body;
    if (!isResource(resource)) continue;
    const pending: { reference?: string }[] = [];
    const base = entry.fullUrl === undefined ? undefined : ABSOLUTE_RESOURCE_URL.exec(entry.fullUrl)?.[1];
    visitReferences(resource, (ref) => {
      const value = ref.reference;
      if (value === undefined || value === '' || value.startsWith('#')) return;
      const target = targets.get(value) ?? (base !== undefined && !value.includes(':') ? targets.get(`${base}/${value}`) : undefined);
      if (target !== undefined) ref.reference = target;
      else if (value.startsWith('urn:')) {
        throw errors.invalid(`Bundle.entry[${entry.index}].resource refers to ${value}, which is not the fullUrl of any entry in the transaction`, `Bundle.entry[${entry.index}].resource`);
      } else if (CONDITIONAL_REFERENCE.test(value)) pending.push(ref);
    });
    for (const ref of pending) {
      const value = ref.reference as string;
      let target = conditional.get(value);
      if (target === undefined) {
        target = await resolveConditionalReference(ctx, tx, value, entry.index, guard);
        conditional.set(value, target);
      }
      ref.reference = target;
    }
  }
  return expected;
}

/**
 * The `Type/id` an entry will write, deciding it now: creates get a fresh id (or, for a
 * conditional create that matches, the match's id); updates keep theirs. Undefined for entries
 * that write nothing new (reads, deletes, patches and operations).
 */
async function targetOf(ctx: Ctx, tx: StoreTransaction, entry: BundleEntryRequest, guard: ConditionGuard): Promise<string | undefined> {
  const { method, path, headers, query } = entry.request;
  const type = entry.resourceType;
  if (type === undefined || path !== (entry.id === undefined ? type : `${type}/${entry.id}`)) return undefined;
  if (method === 'POST' && entry.id === undefined) {
    if (headers.ifNoneExist !== undefined && headers.ifNoneExist.trim() !== '') {
      const criteria = criteriaFromHeader(type, headers.ifNoneExist);
      guard(type, 'c');
      const matches = await lockAndMatch(ctx, tx, type, criteria);
      if (matches.length > 1) throw tooManyMatches(type, criteria);
      if (matches.length === 1) return `${type}/${matches[0].id}`;
    }
    return `${type}/${assignId(entry)}`;
  }
  if (method === 'PUT') {
    if (entry.id !== undefined) return `${type}/${entry.id}`;
    if (entry.fullUrl === undefined) return undefined; // nobody can refer to it; the update decides
    guard(type, 'u');
    const matches = await lockAndMatch(ctx, tx, type, query);
    if (matches.length > 1) throw tooManyMatches(type, query);
    if (matches.length === 1) return `${type}/${matches[0].id}`;
    const bodyId = (entry.request.body as Resource).id;
    return `${type}/${bodyId ?? assignId(entry)}`;
  }
  return undefined;
}

function assignId(entry: BundleEntryRequest): string {
  entry.request.assignedId = newResourceId();
  return entry.request.assignedId;
}

/**
 * R4: a transaction fails when two entries write or delete the same resource, since the result
 * would depend on processing order.
 */
function checkDistinctIdentities(entries: readonly BundleEntryRequest[], expected: ReadonlyMap<number, string>): void {
  const seen = new Map<string, number>();
  for (const entry of entries) {
    const { method } = entry.request;
    if (method === 'GET' || method === 'HEAD') continue;
    const identity = expected.get(entry.index) ?? (entry.id !== undefined && entry.resourceType !== undefined && entry.request.path === `${entry.resourceType}/${entry.id}` ? `${entry.resourceType}/${entry.id}` : undefined);
    if (identity === undefined) continue;
    const other = seen.get(identity);
    if (other !== undefined) {
      throw errors.invalid(`Bundle.entry[${other}] and Bundle.entry[${entry.index}] both change ${identity}; a transaction may change a resource only once`, `Bundle.entry[${entry.index}]`);
    }
    seen.set(identity, entry.index);
  }
}

async function resolveConditionalReference(ctx: Ctx, tx: StoreTransaction, reference: string, index: number, guard: ConditionGuard): Promise<string> {
  const [, type, query] = CONDITIONAL_REFERENCE.exec(reference) as RegExpExecArray;
  const criteria = new URLSearchParams(query);
  // Resolving it is a search of that type: the caller must be allowed one, and (in lockAndMatch)
  // sees only what such a search would show.
  authorize(ctx, { interaction: 'search-type', resourceType: type });
  guard(type, 's');
  const matches = await lockAndMatch(ctx, tx, type, criteria);
  if (matches.length > 1) throw tooManyMatches(type, criteria);
  if (matches.length === 0) {
    throw errors.invalid(`Bundle.entry[${index}].resource: the conditional reference ${reference} matches no resource`, `Bundle.entry[${index}].resource`);
  }
  return `${type}/${matches[0].id}`;
}

function isResource(value: unknown): value is Resource {
  return value !== null && typeof value === 'object' && typeof (value as Resource).resourceType === 'string';
}
