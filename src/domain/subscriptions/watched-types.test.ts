import { describe, expect, it } from 'vitest';
import type { FhirStore, SearchPage } from '../../store/store.ts';
import { WatchedTypes } from './watched-types.ts';

function fakeStore(pages: Array<SearchPage | Error>) {
  const reads: string[] = [];
  const store = {
    reader: (tenant: string) => ({
      search: async () => {
        reads.push(tenant);
        const next = pages.shift() ?? { resources: [], included: [] };
        if (next instanceof Error) throw next;
        return next;
      },
    }),
  } as unknown as FhirStore;
  return { store, reads };
}

const subscription = (criteria: string) => ({ resourceType: 'Subscription', status: 'active', reason: 'x', criteria, channel: { type: 'websocket' } });
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('the types Subscriptions watch', () => {
  it('announces everything until a practice is read, then only the types its Subscriptions name', async () => {
    const { store, reads } = fakeStore([{ resources: [subscription('Task?owner=Practitioner/1'), subscription('Communication'), subscription('not a type')], included: [] } as SearchPage]);
    let now = 1000;
    const watched = new WatchedTypes(store, () => now);
    expect(watched.watches('p1', 'Observation')).toBe(true);
    await settle();
    expect(watched.watches('p1', 'Observation')).toBe(false);
    expect(watched.watches('p1', 'Task')).toBe(true);
    expect(watched.watches('p1', 'Communication')).toBe(true);
    expect(reads).toEqual(['p1']);
    // Read again once the time is up, not before.
    now += 4999;
    watched.watches('p1', 'Task');
    expect(reads).toHaveLength(1);
    now += 1;
    watched.watches('p1', 'Task');
    expect(reads).toHaveLength(2);
  });

  it('announces everything of a practice whose Subscriptions were just written here, until read again', async () => {
    const { store, reads } = fakeStore([]);
    const watched = new WatchedTypes(store, () => 1000);
    watched.watches('p1', 'Task');
    await settle();
    expect(watched.watches('p1', 'Task')).toBe(false);
    expect(watched.watches('p1', 'Subscription')).toBe(true);
    expect(watched.watches('p1', 'Task')).toBe(true);
    expect(reads).toEqual(['p1', 'p1']);
    await settle();
    expect(watched.watches('p1', 'Task')).toBe(false);
  });

  it('announces everything when the Subscriptions cannot be read', async () => {
    const errors: unknown[] = [];
    const { store } = fakeStore([new Error('database down')]);
    const watched = new WatchedTypes(store, () => 1000, 5000, (err) => errors.push(err));
    watched.watches('p1', 'Task');
    await settle();
    await settle();
    expect(watched.watches('p1', 'Observation')).toBe(true);
    expect(errors).toHaveLength(1);
  });
});
