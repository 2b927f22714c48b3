/**
 * Migration 0019: the entries' concept index carries the value set and the word, so checking a
 * candidate for a filter's further term is one seek, `(concept_id, value_set, word range)`, on
 * both databases. PostgreSQL estimates a word-prefix range at one row whatever its size, plans
 * nested loops on that estimate, and with only `(concept_id)` here rescanned a term's whole range
 * for every candidate (40-170 ms for "heart fa", "chronic kidney di").
 */
import type { Migration } from './migrate.ts';

export const terminologyEntriesByConcept: Migration = {
  id: '0019-terminology-entries-by-concept',
  statements(): string[] {
    return ['DROP INDEX terminology_entries_concept', 'CREATE INDEX terminology_entries_concept ON terminology_entries (concept_id, value_set, word)'];
  },
};
