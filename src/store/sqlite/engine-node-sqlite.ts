/**
 * SQLite through Node's built-in `node:sqlite` (Node 22.16+ and 24). Typed here by the few
 * members Heron uses, because the Node 20 type definitions the project builds against have no
 * `node:sqlite`.
 */
import type { OpenSqliteOptions, SqliteDatabase, SqliteStatement } from './engine.ts';

interface DatabaseSync {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
  close(): void;
  /** Node 22.15+. */
  readonly isOpen?: boolean;
  /** Node 22.16+. */
  readonly isTransaction?: boolean;
}

interface NodeSqliteModule {
  DatabaseSync: new (path: string, options?: { readOnly?: boolean }) => DatabaseSync;
}

let loaded: NodeSqliteModule | null | undefined;

/**
 * The module, or null when this runtime has none. Node 22 marks it experimental and warns once
 * when it loads; Heron relies on the part of the API it checks for in `nodeSqliteUsable` and
 * tests it on every supported runtime (the decision record says why), so that one warning is
 * not passed on: it would end up on every `heron` command's output.
 */
function nodeSqlite(): NodeSqliteModule | null {
  if (loaded === undefined) {
    loaded = withoutSqliteExperimentalWarning(() => (process.getBuiltinModule('node:sqlite') as NodeSqliteModule | undefined) ?? null);
  }
  return loaded;
}

/** Runs `load` with Node's "SQLite is an experimental feature" warning held back; every other warning passes. */
export function withoutSqliteExperimentalWarning<T>(load: () => T): T {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (warning: string | Error, ...rest: unknown[]) {
    const text = typeof warning === 'string' ? warning : warning.message;
    const type = typeof rest[0] === 'string' ? rest[0] : ((rest[0] as { type?: string } | undefined)?.type ?? (typeof warning === 'string' ? undefined : warning.name));
    if (type === 'ExperimentalWarning' && text.startsWith('SQLite is an experimental feature')) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return load();
  } finally {
    process.emitWarning = emitWarning;
  }
}

/**
 * Whether this runtime's node:sqlite has everything the store needs: Node 22.13 to 22.15 have
 * the module but cannot tell whether a transaction is open (needed after a failed statement).
 */
export function nodeSqliteUsable(): boolean {
  const sqlite = nodeSqlite();
  if (!sqlite) return false;
  const probe = new sqlite.DatabaseSync(':memory:');
  try {
    return typeof probe.isTransaction === 'boolean' && typeof probe.isOpen === 'boolean';
  } finally {
    probe.close();
  }
}

class NodeSqliteDatabase implements SqliteDatabase {
  readonly engine = 'node:sqlite';

  constructor(private readonly db: DatabaseSync) {}

  prepare(sql: string): SqliteStatement {
    return this.db.prepare(sql);
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  get isOpen(): boolean {
    return this.db.isOpen === true;
  }

  get inTransaction(): boolean {
    return this.db.isTransaction === true;
  }

  close(): void {
    this.db.close();
  }
}

export function openNodeSqlite(file: string, options: OpenSqliteOptions): SqliteDatabase {
  const sqlite = nodeSqlite();
  if (!sqlite) throw new Error(`Node ${process.versions.node} has no node:sqlite`);
  return new NodeSqliteDatabase(new sqlite.DatabaseSync(file, { readOnly: options.readonly === true }));
}
