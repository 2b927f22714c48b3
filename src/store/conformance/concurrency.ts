/**
 * Lost updates are impossible: two transactions that both expect version n race to write
 * n+1; exactly one wins every round. Run on one store and across two store instances.
 */
import { describe, expect } from 'vitest';
import { FhirError } from '../../fhir/outcome.ts';
import type { FhirStore } from '../store.ts';
import type { Harness } from './harness.ts';
import { patient, put } from './fixtures.ts';

async function race(first: FhirStore, second: FhirStore, tenant: string, rounds: number): Promise<void> {
  await first.transaction(tenant, (tx) => put(tx, patient('hot', { family: 'R0' })));
  for (let round = 1; round <= rounds; round++) {
    // Both writers last saw version `round`.
    const attempt = (store: FhirStore, who: string) => store.transaction(tenant, (tx) => put(tx, patient('hot', { family: `R${round}${who}` }), round));
    const results = await Promise.allSettled([attempt(first, 'a'), attempt(second, 'b')]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won, `round ${round}`).toHaveLength(1);
    expect(lost[0].reason).toBeInstanceOf(FhirError);
    expect((lost[0].reason as FhirError).category).toBe('precondition-failed');
  }
  const final = await first.reader(tenant).readCurrent('Patient', 'hot');
  expect(final?.versionId).toBe(String(rounds + 1));
  const history = await first.reader(tenant).history({ resourceType: 'Patient', id: 'hot', count: 1 });
  expect(history.total).toBe(rounds + 1);
}

export function concurrencySuite(h: Harness): void {
  describe('concurrency', () => {
    h.test(
      'concurrency: 1,000 rounds of two writers with the same expectedVersion, exactly one wins each round',
      async () => {
        const store = await h.store();
        await race(store, store, h.tenant(), 1000);
      },
      120_000,
    );

    h.test(
      'concurrency: two store instances on one database never lose an update',
      async () => {
        const store = await h.store();
        const other = await h.open();
        try {
          await race(store, other, h.tenant(), 100);
        } finally {
          await other.close();
        }
      },
      120_000,
    );

    h.test('concurrency: concurrent creates of the same new id with expectedVersion 0 yield one winner', async () => {
      const store = await h.store();
      const tenant = h.tenant();
      for (let round = 0; round < 20; round++) {
        const id = `new-${round}`;
        const results = await Promise.allSettled([1, 2, 3].map(() => store.transaction(tenant, (tx) => put(tx, patient(id), 0))));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect((r.reason as FhirError).category).toBe('precondition-failed');
      }
    });
  });
}
