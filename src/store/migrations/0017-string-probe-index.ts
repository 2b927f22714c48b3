/**
 * Migration 0017: a resource's string index rows by parameter and value — `(tenant, id, type,
 * param, value)` instead of 0001's `(tenant, id, type)` — so a probe of one resource's rows
 * (does this Patient have a name starting "ma"? what is its smallest given name?) is answered
 * from the index alone. Before, each probe visited the table for every string row of the
 * resource (six per Patient in the benchmark) to read the parameter and the value: the first
 * page of `Patient?_sort=family,given` makes two such probes for each of the ~700 Patients of
 * the first family. Same name and leading columns, so every statement that used the old index
 * (deletes by resource, `INDEXED BY idx_string_resource`) uses this one.
 */
import type { Dialect } from '../sql/dialect.ts';
import type { Migration } from './migrate.ts';

export const stringProbeIndex: Migration = {
  id: '0017-string-probe-index',
  statements(_d: Dialect): string[] {
    return ['DROP INDEX idx_string_resource', 'CREATE INDEX idx_string_resource ON idx_string (tenant, id, type, param, value)'];
  },
};
