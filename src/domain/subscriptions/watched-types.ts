/**
 * Which resource types some active websocket Subscription of a practice watches, so that only
 * writes of those types are announced on the change feed (`FhirStore.changes.announceWhen`):
 * announcing costs every write transaction (measured on PostgreSQL: 8 concurrent writers made
 * about 40% fewer single-resource writes a second with NOTIFY on every commit), and most writes
 * are of types nobody subscribes to.
 *
 * Each app server keeps, per practice, the types its active Subscriptions' criteria name, read
 * again every `ttlMs` (5 s) while writes come; a Subscription created on another server is
 * therefore served by this one within that time (by the server it was written on, at once: a
 * Subscription write makes the practice unknown again). Unknown (not read yet, or too many
 * Subscriptions to read): everything is announced. Writes of Subscriptions themselves are always
 * announced, so turning one off or deleting it stops its pings everywhere.
 */
import type { Subscription } from '@medplum/fhirtypes';
import { parseSearch } from '../../fhir/search/parse.ts';
import { parseCriteria } from '../../fhir/subscriptions/criteria.ts';
import type { FhirStore } from '../../store/store.ts';
import { systemClock, type Clock } from '../clock.ts';

/** More active Subscriptions than this in one practice: every write is announced. */
const MAX_READ = 1000;

interface Entry {
  at: number;
  /** undefined: not known, announce everything. */
  types?: ReadonlySet<string>;
  loading?: Promise<void>;
}

export class WatchedTypes {
  private readonly practices = new Map<string, Entry>();

  constructor(
    private readonly store: FhirStore,
    private readonly clock: Clock = systemClock,
    private readonly ttlMs = 5000,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** Whether a write of `resourceType` in `tenant` is announced. Synchronous: it runs inside write transactions. */
  watches(tenant: string, resourceType: string): boolean {
    if (resourceType === 'Subscription') {
      // It may start watching a type: everything is announced until the practice is read again.
      this.forget(tenant);
      return true;
    }
    const now = this.clock();
    let entry = this.practices.get(tenant);
    if (entry === undefined) {
      entry = { at: Number.NEGATIVE_INFINITY };
      this.practices.set(tenant, entry);
    }
    if (entry.loading === undefined && entry.at + this.ttlMs <= now) this.load(tenant, entry, now);
    return entry.types === undefined || entry.types.has(resourceType);
  }

  /** Announces everything of the practice until it is read again, at its next write. */
  forget(tenant: string): void {
    this.practices.delete(tenant);
  }

  private load(tenant: string, entry: Entry, now: number): void {
    entry.loading = this.read(tenant)
      .then((types) => {
        // A forget meanwhile replaced the entry: this read may predate the change, so it is dropped.
        if (this.practices.get(tenant) !== entry) return;
        entry.types = types;
        entry.at = now;
      })
      .catch((err: unknown) => {
        // Unknown again: announce everything until a read succeeds.
        entry.types = undefined;
        entry.at = now;
        this.onError(err);
      })
      .finally(() => {
        entry.loading = undefined;
      });
  }

  private async read(tenant: string): Promise<ReadonlySet<string> | undefined> {
    const { request } = parseSearch(['Subscription'], new URLSearchParams({ status: 'active', type: 'websocket', _total: 'none' }), { strict: true, defaultCount: MAX_READ + 1, maxCount: MAX_READ + 1 });
    const page = await this.store.reader(tenant).search(request);
    if (page.resources.length > MAX_READ || page.nextCursor !== undefined) return undefined;
    const types = new Set<string>();
    for (const resource of page.resources) {
      try {
        types.add(parseCriteria((resource as Subscription).criteria).resourceType);
      } catch {
        // Stored before the rule or otherwise not deliverable: it watches nothing.
      }
    }
    return types;
  }
}
