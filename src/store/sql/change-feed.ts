/**
 * How a transaction's committed writes travel to change listeners (`FhirStore.changes`): as short
 * JSON payloads, each under PostgreSQL's NOTIFY limit (8,000 bytes), announced by the driver
 * inside the transaction so they are delivered only if it commits.
 */
import type { ChangeFeed, ChangeListener, CommittedChange } from '../store.ts';
import type { SqlDriver } from './dialect.ts';

/** Below NOTIFY's 8,000-byte payload limit, with room for the tenant. */
const MAX_PAYLOAD = 7000;

type Wire = { t: string; c: Array<[string, string, string, 0 | 1]> };

/** One or more payloads carrying every change, in order. */
export function encodeChanges(tenant: string, changes: readonly CommittedChange[]): string[] {
  const payloads: string[] = [];
  let batch: Wire['c'] = [];
  let size = 0;
  const flush = (): void => {
    if (batch.length > 0) payloads.push(JSON.stringify({ t: tenant, c: batch } satisfies Wire));
    batch = [];
    size = 0;
  };
  for (const change of changes) {
    const item: Wire['c'][number] = [change.resourceType, change.id, change.versionId, change.deleted ? 1 : 0];
    const itemSize = JSON.stringify(item).length + 1;
    if (size + itemSize > MAX_PAYLOAD - tenant.length) flush();
    batch.push(item);
    size += itemSize;
  }
  flush();
  return payloads;
}

/** The changes of one payload; undefined for anything else (another program on the channel). */
export function decodeChanges(payload: string): { tenant: string; changes: CommittedChange[] } | undefined {
  let wire: unknown;
  try {
    wire = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof wire !== 'object' || wire === null) return undefined;
  const { t, c } = wire as Partial<Wire>;
  if (typeof t !== 'string' || !Array.isArray(c)) return undefined;
  const changes: CommittedChange[] = [];
  for (const item of c) {
    if (!Array.isArray(item) || typeof item[0] !== 'string' || typeof item[1] !== 'string' || typeof item[2] !== 'string') return undefined;
    changes.push({ resourceType: item[0], id: item[1], versionId: item[2], deleted: item[3] === 1 });
  }
  return { tenant: t, changes };
}

/** The store's feed over its driver's announcements; `filter` is what `announceWhen` set. */
export function sqlChangeFeed(driver: SqlDriver, onListenerError: (err: unknown) => void = () => {}): ChangeFeed & { filter: (tenant: string, resourceType: string) => boolean } {
  return {
    filter: () => true,
    announceWhen(filter) {
      this.filter = filter;
    },
    listen: (listener: ChangeListener) =>
      driver.listen((payload) => {
        const decoded = decodeChanges(payload);
        if (decoded === undefined) return;
        try {
          listener(decoded.tenant, decoded.changes);
        } catch (err) {
          onListenerError(err);
        }
      }),
  };
}
