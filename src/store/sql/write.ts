/**
 * `writeVersion`: the only way a resource changes. Reads (and on PostgreSQL row-locks) the
 * current row, checks the expected version, appends a history row, moves the current pointer
 * and replaces the index rows — all on the caller's transaction connection.
 */
import type { Resource } from '@medplum/fhirtypes';
import { errors, FhirError } from '../../fhir/outcome.ts';
import type { Indexer, StoredVersion, VersionWrite } from '../store.ts';
import { stmt, type Dialect, type SqlDriver, type Stmt, type TxConn } from './dialect.ts';
import { kindsOf } from './index-tables.ts';

interface CurrentRow {
  version_id: number;
  last_updated: number;
  deleted: number;
  index_kinds: number;
}

/** Statements whose text depends on the dialect (row locking), built once per store. */
export interface WriteStatements {
  current: Stmt;
}

export function writeStatements(d: Dialect): WriteStatements {
  return {
    current: stmt(`SELECT version_id, last_updated, deleted, index_kinds FROM resources WHERE tenant = ? AND type = ? AND id = ?${d.forUpdate}`),
  };
}

export interface WriteDeps {
  conn: TxConn;
  driver: SqlDriver;
  statements: WriteStatements;
  indexer: Indexer;
  tenant: string;
}

export async function writeVersion(deps: WriteDeps, write: VersionWrite): Promise<StoredVersion> {
  const { conn, tenant, statements: s } = deps;
  const { resourceType: type, id } = write;
  const deleted = write.method === 'DELETE';
  if (!type || !id) throw new Error('writeVersion needs resourceType and id');
  if (!deleted && write.resource?.resourceType !== type) throw new Error(`writeVersion for ${type}/${id} needs a ${type} resource`);

  const current = await conn.get<CurrentRow>(s.current, [tenant, type, id]);
  checkExpectedVersion(type, id, current, write.expectedVersion);

  const version = (current?.version_id ?? 0) + 1;
  let ms = Date.now();
  // Strictly increasing per resource, so `_at` and `_since` can order a resource's versions by time.
  if (current && ms <= current.last_updated) ms = Number(current.last_updated) + 1;
  const lastUpdated = new Date(ms).toISOString();

  let resource: Resource | undefined;
  let content: string | null = null;
  let rows: ReturnType<Indexer> = [];
  if (!deleted) {
    resource = withMeta(write.resource as Resource, id, String(version), lastUpdated);
    content = JSON.stringify(resource);
    rows = deps.indexer(resource);
  }
  try {
    await deps.driver.persistVersion(conn, {
      tenant,
      type,
      id,
      version,
      lastUpdated: ms,
      deleted: deleted ? 1 : 0,
      method: write.method,
      content,
      exists: current !== undefined,
      oldKinds: current?.index_kinds ?? 0,
      kinds: kindsOf(rows),
      rows,
    });
  } catch (err) {
    // A unique violation means a concurrent transaction created the same version first.
    if (err instanceof FhirError && err.category === 'conflict' && write.expectedVersion !== undefined) {
      throw errors.preconditionFailed(`${type}/${id} was changed by a concurrent request; expected version ${write.expectedVersion}`);
    }
    throw err;
  }
  const out: StoredVersion = { resourceType: type, id, versionId: String(version), lastUpdated, deleted, method: write.method };
  if (resource) out.resource = resource;
  return out;
}

function checkExpectedVersion(type: string, id: string, current: CurrentRow | undefined, expected: number | undefined): void {
  if (expected === undefined) return;
  const ok = expected === 0 ? !current || current.deleted !== 0 : current?.version_id === expected;
  if (!ok) {
    const actual = current ? `version ${current.version_id}${current.deleted ? ' (deleted)' : ''}` : 'no version';
    throw errors.preconditionFailed(`${type}/${id} has ${actual}; expected ${expected === 0 ? 'none' : 'version ' + expected}`);
  }
}

/**
 * A copy with server-owned id and meta; other meta elements (profile, tag, security) are kept.
 * Keys come out in the conventional order: resourceType, id, meta, then the rest.
 */
function withMeta(resource: Resource, id: string, versionId: string, lastUpdated: string): Resource {
  // One object built key by key: destructuring `...rest` and spreading it again copied twice.
  const source = resource as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { resourceType: resource.resourceType, id, meta: { ...resource.meta, versionId, lastUpdated } };
  for (const key in source) {
    if (key !== 'resourceType' && key !== 'id' && key !== 'meta') out[key] = source[key];
  }
  return out as unknown as Resource;
}
