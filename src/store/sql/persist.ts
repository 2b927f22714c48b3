/**
 * The SQL that stores one version, shared by both drivers' `persistVersion`: the history row,
 * the current row (insert or update) and the index rows. Column lists live here once.
 */
import type { VersionRows } from './dialect.ts';

export const INSERT_HISTORY =
  'INSERT INTO resource_history (tenant, type, id, version_id, last_updated, deleted, method, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';
export const INSERT_CURRENT =
  'INSERT INTO resources (tenant, type, id, version_id, last_updated, deleted, method, index_kinds, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)';
export const UPDATE_CURRENT =
  'UPDATE resources SET version_id = ?, last_updated = ?, deleted = ?, method = ?, index_kinds = ?, content = ? WHERE tenant = ? AND type = ? AND id = ?';

export function historyParams(v: VersionRows): unknown[] {
  return [v.tenant, v.type, v.id, v.version, v.lastUpdated, v.deleted, v.method, v.content];
}

export function insertCurrentParams(v: VersionRows): unknown[] {
  return [v.tenant, v.type, v.id, v.version, v.lastUpdated, v.deleted, v.method, v.kinds, v.content];
}

export function updateCurrentParams(v: VersionRows): unknown[] {
  return [v.version, v.lastUpdated, v.deleted, v.method, v.kinds, v.content, v.tenant, v.type, v.id];
}
