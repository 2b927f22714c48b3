/**
 * What every conformance file gets: the store under test (opened and migrated once, lazily,
 * so the migrations file can see a fresh database first), extra instances on the same
 * database, unique tenants so tests never see each other's rows, and a `test` that honours
 * the implementation's declared skips.
 */
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { FhirError, type ErrorCategory } from '../../fhir/outcome.ts';
import type { FhirStore, Indexer } from '../store.ts';

export interface ConformanceOptions {
  /** Shown in test names, e.g. `sqlite`. */
  name: string;
  /**
   * Opens a new store instance on the database under test. Every call must reach the same
   * database, which must be empty (unmigrated) when the suite starts. `indexer` replaces the
   * suite's test indexer (to write an index that is out of date, for reindex).
   */
  open: (indexer?: Indexer) => Promise<FhirStore>;
  /** Tests this implementation does not pass yet, by name, each with the reason. */
  skip?: { reason: string; tests: string[] }[];
}

export interface Harness {
  readonly name: string;
  /** The shared, migrated store. */
  store(): Promise<FhirStore>;
  /** Another instance on the same database, optionally with another indexer; the caller closes it. */
  open(indexer?: Indexer): Promise<FhirStore>;
  /** A tenant id no other test uses. */
  tenant(): string;
  test(name: string, fn: () => Promise<void>, timeoutMs?: number): void;
  close(): Promise<void>;
}

export function createHarness(o: ConformanceOptions): Harness {
  let shared: Promise<FhirStore> | undefined;
  const skipped = new Map<string, string>();
  for (const s of o.skip ?? []) for (const t of s.tests) skipped.set(t, s.reason);
  return {
    name: o.name,
    store() {
      shared ??= o.open().then(async (store) => {
        await store.migrate();
        return store;
      });
      return shared;
    },
    open: o.open,
    tenant: () => 'tenant-' + randomUUID(),
    test(name, fn, timeoutMs) {
      const reason = skipped.get(name);
      if (reason !== undefined) it.skip(`${name} (skipped: ${reason})`, fn);
      else it(name, fn, timeoutMs);
    },
    async close() {
      if (shared) await (await shared).close();
    },
  };
}

/** Asserts that `promise` rejects with a FhirError of `category`. */
export async function expectFhirError(promise: Promise<unknown>, category: ErrorCategory): Promise<FhirError> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected a FhirError').toBeInstanceOf(FhirError);
  expect((caught as FhirError).category).toBe(category);
  return caught as FhirError;
}
