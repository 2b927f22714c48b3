/**
 * `POST [base]` with a batch or transaction Bundle. Each entry becomes an ordinary
 * `FhirRequest` run through `dispatch`, so entries share the one implementation of every
 * interaction (validation, versioning, conditional logic, authorisation, audit).
 *
 * - transaction: all entries in ONE store transaction, processed DELETE, POST, PUT/PATCH,
 *   GET/HEAD (R4 §3.1.0.11.2), ids assigned and references rewritten up front
 *   (`bundle-references.ts`); the first failing entry rolls everything back and its error,
 *   pointing at the entry, is the response.
 * - batch: entries one by one, each in its own transaction; a failing entry becomes its own
 *   response entry with an OperationOutcome. References between batch entries are not resolved
 *   (R4 forbids them).
 * @see https://hl7.org/fhir/R4/http.html#transaction
 */
import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import { authorize } from '../../../domain/access/authorize.ts';
import { checkScopedConditional } from '../../../domain/access/scope-access.ts';
import { type Ctx, inTransaction } from '../../../domain/context.ts';
import { errors, FhirError, issue } from '../../../fhir/outcome.ts';
import { dispatch } from '../dispatch.ts';
import type { FhirRequest, FhirResponse } from '../fhir-request.ts';
import { type BundleEntryRequest, type BundleKind, DEFAULT_MAX_BUNDLE_ENTRIES, entryRequest, readBundle } from './bundle-entries.ts';
import { resolveTransactionIdentities } from './bundle-references.ts';
import { atEntry, failureEntry, successEntry, writtenIdentity } from './bundle-response.ts';

export interface BundleOptions {
  /** Most entries accepted in one Bundle (413 beyond); 10,000 by default. */
  maxEntries?: number;
}

/** Processing rank per method: R4 fixes the order deletes, creates, updates, reads. */
const RANK: Record<FhirRequest['method'], number> = { DELETE: 0, POST: 1, PUT: 2, PATCH: 2, GET: 3, HEAD: 3 };

/**
 * Processes a batch or transaction Bundle and returns the `batch-response` /
 * `transaction-response` Bundle (200).
 * @throws FhirError for a malformed envelope and, for a transaction, the first failing entry.
 */
export async function processBundle(ctx: Ctx, req: FhirRequest, options: BundleOptions = {}): Promise<FhirResponse> {
  const { kind, entries } = readBundle(req.body, options.maxEntries ?? DEFAULT_MAX_BUNDLE_ENTRIES);
  authorize(ctx, { interaction: kind });
  if (ctx.tx) throw errors.invalid('A batch or transaction cannot run inside another transaction');
  let outcome: 'success' | 'failure' = 'failure';
  try {
    const responseEntries = kind === 'transaction' ? await runTransaction(ctx, req, entries) : await runBatch(ctx, req, entries);
    outcome = 'success';
    return { status: 200, body: responseBundle(kind, responseEntries) };
  } finally {
    await ctx.audit.record({
      tenant: ctx.tenant,
      principal: ctx.principal,
      action: kind,
      outcome,
      resourceType: 'Bundle',
      origin: ctx.origin,
      at: new Date().toISOString(),
    });
  }
}

async function runTransaction(ctx: Ctx, req: FhirRequest, rawEntries: unknown[]): Promise<BundleEntry[]> {
  const entries = rawEntries.map((raw, i) => entryRequest(raw, i, req));
  const report = entries.find((e) => e.request.method === 'POST' && e.request.path.replace(/^\/+/, '') === 'AuditEvent');
  if (report !== undefined) {
    // Its id is its place in the audit chain, known only once appended: it cannot be assigned up
    // front for references, and appending mid-transaction would hold every writer's audit chain.
    const message = 'An AuditEvent cannot be reported inside a transaction; send it on its own or in a batch Bundle';
    throw atEntry(new FhirError('invalid', [issue('not-supported', message)]), report);
  }
  const order = processingOrder(entries);
  const deletes = order.filter((e) => e.request.method === 'DELETE');
  const others = order.filter((e) => e.request.method !== 'DELETE');
  return ctx.store.transaction(ctx.tenant, async (tx) => {
    const txCtx = inTransaction(ctx, tx);
    const results: BundleEntry[] = new Array(entries.length);
    for (const entry of deletes) results[entry.index] = successEntry(await run(txCtx, entry), entry.request);
    // After the deletes, as R4 orders it: conditions of creates and conditional references then
    // see the deletes, as they would if the entries ran one by one.
    // Conditions searched up front must stay within granular scopes, as in a request of their own.
    const expected = await resolveTransactionIdentities(txCtx, tx, entries, (type, letter) => checkScopedConditional(txCtx, type, letter));
    for (const entry of others) {
      const res = await run(txCtx, entry);
      const identity = expected.get(entry.index);
      if (identity !== undefined && res.status < 300 && writtenIdentity(res) !== identity) {
        // The interaction did not write what references were rewritten to (a concurrent write
        // changed what a condition matches): committing would leave references dangling.
        throw atEntry(errors.conflict(`The entry wrote ${writtenIdentity(res) ?? 'an unknown resource'} instead of ${identity}; retry the transaction`), entry);
      }
      results[entry.index] = successEntry(res, entry.request);
    }
    return results;
  });
}

/** Dispatches one transaction entry; its error names the entry. */
async function run(txCtx: Ctx, entry: BundleEntryRequest): Promise<FhirResponse> {
  try {
    return await dispatch(txCtx, entry.request);
  } catch (error) {
    throw atEntry(error, entry);
  }
}

async function runBatch(ctx: Ctx, req: FhirRequest, rawEntries: unknown[]): Promise<BundleEntry[]> {
  const results: BundleEntry[] = [];
  for (let i = 0; i < rawEntries.length; i++) {
    let entry: BundleEntryRequest | undefined;
    try {
      entry = entryRequest(rawEntries[i], i, req);
      results.push(successEntry(await dispatch(ctx, entry.request), entry.request));
    } catch (error) {
      if (!(error instanceof FhirError)) throw error;
      results.push(failureEntry(entry ? (atEntry(error, entry) as FhirError) : error));
    }
  }
  return results;
}

/** Entries in R4 processing order; stable, so entries of one method keep their Bundle order. */
function processingOrder(entries: BundleEntryRequest[]): BundleEntryRequest[] {
  return [...entries].sort((a, b) => RANK[a.request.method] - RANK[b.request.method] || a.index - b.index);
}

function responseBundle(kind: BundleKind, entry: BundleEntry[]): Bundle {
  return { resourceType: 'Bundle', type: kind === 'transaction' ? 'transaction-response' : 'batch-response', entry };
}
