/**
 * Migration 0016: expansions read each value set's own rows, so a broad filter ("co", "in") no
 * longer checks thousands of concepts one by one for membership and rank.
 *
 * - `terminology_members` gains each member's `display_key`, `display_len` and `code`, indexed
 *   by `(value_set, display_key)`: the members whose display starts with the filter's first word
 *   (the best-ranked ones) are one range, and an expansion without a filter walks the index.
 * - `terminology_entries` (new): every word of every member, per value set, keyed
 *   `(value_set, word, concept_id)`: a filter term's matches in a value set, and their count, are
 *   one index range.
 * - `terminology_words` becomes `terminology_concept_words`, keyed `(concept_id, word)` only: it
 *   checks a concept for a further term; the word-led key moved to the entries.
 *
 * Members and entries are derived (from the rules, concepts and words), so they are rebuilt here.
 */
import type { Dialect } from '../sql/dialect.ts';
import type { Migration } from './migrate.ts';

export const terminologyEntries: Migration = {
  id: '0016-terminology-entries',
  statements(d: Dialect): string[] {
    const { text, bigint, int } = d.types;
    return [
      `CREATE TABLE terminology_concept_words (
        concept_id ${bigint} NOT NULL,
        word ${text} NOT NULL,
        PRIMARY KEY (concept_id, word)
      )`,
      'INSERT INTO terminology_concept_words (concept_id, word) SELECT concept_id, word FROM terminology_words',
      'DROP TABLE terminology_words',
      'DROP TABLE terminology_members',
      `CREATE TABLE terminology_members (
        value_set ${text} NOT NULL,
        concept_id ${bigint} NOT NULL,
        display_key ${text} NOT NULL,
        display_len ${int} NOT NULL,
        code ${text} NOT NULL,
        PRIMARY KEY (value_set, concept_id)
      )`,
      'CREATE INDEX terminology_members_display ON terminology_members (value_set, display_key)',
      'CREATE INDEX terminology_members_concept ON terminology_members (concept_id)',
      'INSERT INTO terminology_members (value_set, concept_id, display_key, display_len, code) ' +
        'SELECT DISTINCT r.value_set, c.concept_id, c.display_key, c.display_len, c.code ' +
        "FROM terminology_rules r JOIN terminology_concepts c ON c.system = r.system AND (r.kind = '' OR c.kind = r.kind) WHERE c.inactive = 0",
      `CREATE TABLE terminology_entries (
        value_set ${text} NOT NULL,
        word ${text} NOT NULL,
        concept_id ${bigint} NOT NULL,
        PRIMARY KEY (value_set, word, concept_id)
      )`,
      'CREATE INDEX terminology_entries_concept ON terminology_entries (concept_id)',
      'INSERT INTO terminology_entries (value_set, word, concept_id) SELECT m.value_set, w.word, m.concept_id FROM terminology_members m JOIN terminology_concept_words w ON w.concept_id = m.concept_id',
    ];
  },
};
