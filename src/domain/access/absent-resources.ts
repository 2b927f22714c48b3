/**
 * Resources a caller may not see are absent to it: another patient's record for patient-bound
 * access (`compartment-access.ts`), what granular scopes' queries leave out (`scope-access.ts`).
 * "Absent" means every answer about one — read, vread, history, update, patch, delete, an
 * operation, as a Bundle entry too — is the answer for an id that was never used, to the byte.
 * Rather than each interaction imitating that answer, the interaction runs as usual against a
 * view of the store in which the resource does not exist (`withoutResource`), so no route can
 * answer differently.
 *
 * One write cannot run that way: update-as-create (`PUT` to an id not in use) would create the
 * resource for an unused id but could neither create nor overwrite one that exists and is
 * absent. So where resources can be absent, update-as-create is not offered at all
 * (`mayCreateAtChosenId`): a `PUT` to an id that is not there for the caller answers 405,
 * whether the id is unused or taken by a resource it may not see.
 */
import type { FhirStore, HistoryQuery, StoreReader, StoreTransaction, VersionWrite } from '../../store/store.ts';
import type { Ctx } from '../context.ts';
import { overlay } from '../overlay.ts';
import { compartmentHides } from './compartment-access.ts';
import { scopesHide } from './scope-access.ts';

/**
 * The ctx with `type/id` absent from every read through it (committed reads, the open
 * transaction, transactions it opens): reads find nothing, its history is empty. Writing it
 * through this view is a bug (an interaction must not reach the write for an id it found absent)
 * and throws.
 */
export function withoutResource(ctx: Ctx, type: string, id: string): Ctx {
  const isIt = (t: string | undefined, i: string | undefined) => t === type && i === id;
  function hide<R extends StoreReader>(view: R): R {
    const overrides: Partial<StoreTransaction> = {
      readCurrent: async (t, i) => (isIt(t, i) ? undefined : view.readCurrent(t, i)),
      readVersion: async (t, i, v) => (isIt(t, i) ? undefined : view.readVersion(t, i, v)),
      history: async (query: HistoryQuery) => (isIt(query.resourceType, query.id) ? { entries: [], total: 0 } : view.history(query)),
      writeVersion: async (write: VersionWrite) => {
        if (isIt(write.resourceType, write.id)) throw new Error(`${type}/${id} is absent to the caller and cannot be written for it`);
        return (view as unknown as StoreTransaction).writeVersion(write);
      },
    };
    return overlay(view, overrides as Partial<R>);
  }
  const store = overlay<FhirStore>(ctx.store, {
    reader: (tenant) => hide(ctx.store.reader(tenant)),
    transaction: (tenant, fn) => ctx.store.transaction(tenant, (tx) => fn(hide(tx))),
  });
  return { ...ctx, store, ...(ctx.tx === undefined ? {} : { tx: hide(ctx.tx) }) };
}

/**
 * Whether this caller may create `type` resources at an id of its choice (update-as-create): not
 * where stored resources of the type can be absent to it, since an id in use by one of them
 * could be neither written nor told apart from an unused one.
 */
export function mayCreateAtChosenId(ctx: Ctx, type: string): boolean {
  return !compartmentHides(ctx, type) && !scopesHide(ctx, type, 'u');
}
