/**
 * Reading single versions: the current row of a resource or one historic version. Both tables
 * share the row shape, so one mapper turns either into a `StoredVersion`.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { StoredVersion } from '../store.ts';
import { stmt, type SqlConn } from './dialect.ts';

/** A row of `resources` or `resource_history` as selected by `VERSION_COLUMNS`. */
export interface VersionRow {
  type: string;
  id: string;
  version_id: number;
  last_updated: number;
  deleted: number;
  method: string;
  content: string | null;
}

export const VERSION_COLUMNS = 'type, id, version_id, last_updated, deleted, method, content';

const READ_CURRENT = stmt(`SELECT ${VERSION_COLUMNS} FROM resources WHERE tenant = ? AND type = ? AND id = ?`);
/**
 * History rows hold their content only once superseded; the current version's content is in
 * `resources` (see persist.ts). Select from `HISTORY_FROM` with `HISTORY_COLUMNS` to get both.
 */
export const HISTORY_COLUMNS = 'h.type, h.id, h.version_id, h.last_updated, h.deleted, h.method, COALESCE(h.content, r.content) AS content';
export const HISTORY_FROM =
  'resource_history h LEFT JOIN resources r ON r.tenant = h.tenant AND r.type = h.type AND r.id = h.id AND r.version_id = h.version_id';

const READ_VERSION = stmt(`SELECT ${HISTORY_COLUMNS} FROM ${HISTORY_FROM} WHERE h.tenant = ? AND h.type = ? AND h.id = ? AND h.version_id = ?`);

export function toStoredVersion(row: VersionRow): StoredVersion {
  const lastUpdated = new Date(Number(row.last_updated)).toISOString();
  const method = row.method as StoredVersion['method'];
  if (row.deleted !== 0 || row.content === null) {
    return { resourceType: row.type, id: row.id, versionId: String(row.version_id), lastUpdated, deleted: row.deleted !== 0, method };
  }
  return new RowVersion(row.type, row.id, String(row.version_id), lastUpdated, method, row.content);
}

/**
 * A stored version with content whose `resource` is parsed on first use, so a read by id can send
 * the stored text (`json`) without parsing and re-serialising it. `resource` is an own enumerable
 * property (copies and equality checks see it as on any version); `json` lives on the prototype
 * (copies do not carry it) and is dropped when `resource` is replaced. Built as a class with one
 * shared property descriptor because per-object accessors cost as much as the parse they avoid.
 */
class RowVersion implements StoredVersion {
  declare resource?: Resource;
  readonly deleted = false;
  #json: string | undefined;
  #resource: Resource | undefined;

  private static readonly RESOURCE: PropertyDescriptor = {
    get(this: RowVersion): Resource | undefined {
      if (this.#resource === undefined && this.#json !== undefined) this.#resource = JSON.parse(this.#json) as Resource;
      return this.#resource;
    },
    set(this: RowVersion, value: Resource | undefined) {
      this.#resource = value;
      this.#json = undefined;
    },
    enumerable: true,
    configurable: true,
  };

  constructor(
    readonly resourceType: string,
    readonly id: string,
    readonly versionId: string,
    readonly lastUpdated: string,
    readonly method: StoredVersion['method'],
    json: string,
  ) {
    this.#json = json;
    Object.defineProperty(this, 'resource', RowVersion.RESOURCE);
  }

  get json(): string | undefined {
    return this.#json;
  }
}

export async function readCurrent(conn: SqlConn, tenant: string, type: string, id: string): Promise<StoredVersion | undefined> {
  const row = await conn.get<VersionRow>(READ_CURRENT, [tenant, type, id]);
  return row && toStoredVersion(row);
}

export async function readVersion(conn: SqlConn, tenant: string, type: string, id: string, versionId: string): Promise<StoredVersion | undefined> {
  // Version ids are positive integers; anything else cannot name a stored version.
  if (!/^[1-9][0-9]{0,9}$/.test(versionId)) return undefined;
  const row = await conn.get<VersionRow>(READ_VERSION, [tenant, type, id, Number(versionId)]);
  return row && toStoredVersion(row);
}
