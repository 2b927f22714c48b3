/**
 * Migration 0014: the terminology store (`store/terminology.ts`), shared by every practice, so
 * without a tenant. `terminology_concepts` holds each code system's concepts with the parts of
 * their display that ranking needs; `terminology_words` every word of a concept's code and names
 * (led by the word, for prefix ranges; and by the concept, to check a further term);
 * `terminology_rules` the rules that define a value set and `terminology_members` the concepts
 * they select, kept as concepts load; `terminology_resources` the CodeSystem and ValueSet
 * resources themselves (without concepts).
 */
import type { Dialect } from '../sql/dialect.ts';
import type { Migration } from './migrate.ts';

export const terminology: Migration = {
  id: '0014-terminology',
  statements(d: Dialect): string[] {
    const { text, json, bigint, int, seqPk } = d.types;
    return [
      `CREATE TABLE terminology_resources (
        resource_type ${text} NOT NULL,
        url ${text} NOT NULL,
        id ${text} NOT NULL,
        content ${json} NOT NULL,
        PRIMARY KEY (resource_type, url)
      )`,
      `CREATE UNIQUE INDEX terminology_resources_id ON terminology_resources (resource_type, id)`,
      `CREATE TABLE terminology_concepts (
        concept_id ${seqPk},
        system ${text} NOT NULL,
        code ${text} NOT NULL,
        display ${text} NOT NULL,
        display_key ${text} NOT NULL,
        first_word ${text} NOT NULL,
        display_len ${int} NOT NULL,
        kind ${text} NOT NULL,
        inactive ${int} NOT NULL,
        designations ${json},
        properties ${json}
      )`,
      `CREATE UNIQUE INDEX terminology_concepts_code ON terminology_concepts (system, code)`,
      `CREATE INDEX terminology_concepts_kind ON terminology_concepts (system, kind)`,
      `CREATE TABLE terminology_words (
        word ${text} NOT NULL,
        concept_id ${bigint} NOT NULL,
        PRIMARY KEY (word, concept_id)
      )`,
      `CREATE INDEX terminology_words_concept ON terminology_words (concept_id, word)`,
      `CREATE TABLE terminology_rules (
        value_set ${text} NOT NULL,
        system ${text} NOT NULL,
        kind ${text} NOT NULL,
        PRIMARY KEY (value_set, system, kind)
      )`,
      `CREATE TABLE terminology_members (
        value_set ${text} NOT NULL,
        concept_id ${bigint} NOT NULL,
        PRIMARY KEY (value_set, concept_id)
      )`,
      `CREATE INDEX terminology_members_concept ON terminology_members (concept_id)`,
    ];
  },
};
