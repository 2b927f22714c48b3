/**
 * Migration 0002: `idx_composite`, the index table of composite search parameters
 * (`code-value-quantity=http://loinc.org|8480-6$gt100`): one row per pair of component values
 * found in the same element, keyed like every index table by tenant first.
 */
import type { Dialect } from '../sql/dialect.ts';
import { INDEX_TABLES } from '../sql/index-tables.ts';
import { indexTableStatements } from './0001-initial.ts';
import type { Migration } from './migrate.ts';

export const compositeIndex: Migration = {
  id: '0002-composite-index',
  statements(d: Dialect): string[] {
    return indexTableStatements(d, INDEX_TABLES.composite);
  },
};
