/**
 * Migration 0018: the members' display index carries every column an expansion ranks by
 * (`display_len`, `code`) and the concept id, so the best-ranked matches of a filter are read
 * from the index alone instead of one table row each.
 */
import type { Migration } from './migrate.ts';

export const terminologyMembersCovering: Migration = {
  id: '0018-terminology-members-covering',
  statements(): string[] {
    return [
      'DROP INDEX terminology_members_display',
      'CREATE INDEX terminology_members_display ON terminology_members (value_set, display_key, display_len, code, concept_id)',
    ];
  },
};
