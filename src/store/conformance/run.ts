/**
 * The storage conformance suite: one set of behaviours every `FhirStore` must show, run
 * unchanged against SQLite and PostgreSQL by their `*.conformance.test.ts` files.
 */
import { afterAll, describe } from 'vitest';
import { adminSuite } from './admin.ts';
import { changesSuite } from './changes.ts';
import { concurrencySuite } from './concurrency.ts';
import { conditionalLockSuite } from './conditional-lock.ts';
import { crudSuite } from './crud.ts';
import { createHarness, type ConformanceOptions } from './harness.ts';
import { historySuite } from './history.ts';
import { latestSuite } from './latest.ts';
import { anyOfSuite } from './any-of.ts';
import { migrationsSuite } from './migrations.ts';
import { auditSuite } from './audit.ts';
import { emergencyAccessSuite } from './emergency-access.ts';
import { healthLinksSuite } from './health-links.ts';
import { explainSuite } from './explain.ts';
import { rateLimitsSuite } from './rate-limits.ts';
import { reindexSuite } from './reindex.ts';
import { searchBroadSuite } from './search-broad.ts';
import { searchCompositeSuite } from './search-composite.ts';
import { searchDateSuite } from './search-date.ts';
import { searchIncludeSuite } from './search-include.ts';
import { searchNumberSuite } from './search-number.ts';
import { searchPagingSuite } from './search-paging.ts';
import { searchReferenceSuite } from './search-reference.ts';
import { searchStringSuite } from './search-string.ts';
import { searchTokenSuite } from './search-token.ts';
import { tenancySuite } from './tenancy.ts';
import { terminologySuite } from './terminology.ts';
import { transactionsSuite } from './transactions.ts';
import { versioningSuite } from './versioning.ts';

export type { ConformanceOptions } from './harness.ts';

export function runConformance(options: ConformanceOptions): void {
  describe(`FhirStore conformance (${options.name})`, () => {
    const h = createHarness(options);
    afterAll(() => h.close());
    // Migrations first: they expect a database nobody has migrated yet.
    migrationsSuite(h);
    crudSuite(h);
    versioningSuite(h);
    historySuite(h);
    searchStringSuite(h);
    searchTokenSuite(h);
    searchDateSuite(h);
    searchNumberSuite(h);
    searchReferenceSuite(h);
    searchCompositeSuite(h);
    searchIncludeSuite(h);
    latestSuite(h);
    anyOfSuite(h);
    reindexSuite(h);
    auditSuite(h);
    emergencyAccessSuite(h);
    healthLinksSuite(h);
    rateLimitsSuite(h);
    terminologySuite(h);
    searchPagingSuite(h);
    explainSuite(h);
    changesSuite(h);
    searchBroadSuite(h);
    transactionsSuite(h);
    tenancySuite(h);
    concurrencySuite(h);
    conditionalLockSuite(h);
    adminSuite(h);
  });
}
