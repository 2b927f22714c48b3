/**
 * The SQL that stores one version, shared by both drivers' `persistVersion`: the history row,
 * the current row (insert or update) and the index rows. Column lists live here once.
 */
import type { VersionRows } from './dialect.ts';

/**
 * The content of a version is stored once: in `resources` while it is current, and moved into its
 * `resource_history` row (by `ARCHIVE_PREVIOUS`) when a newer version replaces it. Imports write
 * each resource's JSON once instead of twice; reads of history join the current row back in
 * (`HISTORY_CONTENT` in read.ts).
 */
export const INSERT_HISTORY =
  'INSERT INTO resource_history (tenant, type, id, version_id, last_updated, deleted, method) VALUES (?, ?, ?, ?, ?, ?, ?)';
/** Copies the outgoing current content into its history row; run before the current row changes. */
export const ARCHIVE_PREVIOUS =
  'UPDATE resource_history SET content = (SELECT r.content FROM resources r WHERE r.tenant = ? AND r.type = ? AND r.id = ?) WHERE tenant = ? AND type = ? AND id = ? AND version_id = ?';
export const INSERT_CURRENT =
  'INSERT INTO resources (tenant, type, id, version_id, last_updated, deleted, method, index_kinds, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)';
export const UPDATE_CURRENT =
  'UPDATE resources SET version_id = ?, last_updated = ?, deleted = ?, method = ?, index_kinds = ?, content = ? WHERE tenant = ? AND type = ? AND id = ?';

export function historyParams(v: VersionRows): unknown[] {
  return [v.tenant, v.type, v.id, v.version, v.lastUpdated, v.deleted, v.method];
}

export function archiveParams(v: VersionRows): unknown[] {
  return [v.tenant, v.type, v.id, v.tenant, v.type, v.id, v.version - 1];
}

export function insertCurrentParams(v: VersionRows): unknown[] {
  return [v.tenant, v.type, v.id, v.version, v.lastUpdated, v.deleted, v.method, v.kinds, v.content];
}

export function updateCurrentParams(v: VersionRows): unknown[] {
  return [v.version, v.lastUpdated, v.deleted, v.method, v.kinds, v.content, v.tenant, v.type, v.id];
}
