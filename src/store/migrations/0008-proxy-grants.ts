/**
 * Migration 0008: `users.limited_patients`, the patients a proxy acts for with limited access
 * (an adolescent's parent: demographics, appointments, billing, immunizations and allergies, not
 * the rest of the chart). A JSON list, like `users.patients`, which still lists every patient.
 */
import type { Dialect } from '../sql/dialect.ts';
import type { Migration } from './migrate.ts';

export const proxyGrants: Migration = {
  id: '0008-proxy-grants',
  statements(d: Dialect): string[] {
    return [`ALTER TABLE users ADD COLUMN limited_patients ${d.types.text}`];
  },
};
