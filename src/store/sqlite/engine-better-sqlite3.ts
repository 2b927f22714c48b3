/**
 * SQLite through better-sqlite3 12, the engine on Node 20 (which has no node:sqlite). Required
 * only when chosen: it is an optional dependency, and on Node 24 its native module aborts the
 * process when a statement is garbage-collected, so it must never be loaded there.
 */
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import type { OpenSqliteOptions, SqliteDatabase, SqliteStatement } from './engine.ts';

let Database: typeof BetterSqlite3 | undefined;

function load(): typeof BetterSqlite3 {
  if (Database) return Database;
  try {
    Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  } catch (err) {
    throw new Error(
      `Node ${process.versions.node} needs the better-sqlite3 package for SQLite, and it could not be loaded ` +
        `(run \`npm install\` with this Node version, or use Node 22.16+ or 24, which have node:sqlite built in)`,
      { cause: err },
    );
  }
  return Database;
}

class BetterSqlite3Database implements SqliteDatabase {
  readonly engine = 'better-sqlite3';

  constructor(private readonly db: BetterSqlite3.Database) {}

  prepare(sql: string): SqliteStatement {
    return this.db.prepare(sql);
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  get inTransaction(): boolean {
    return this.db.inTransaction;
  }

  close(): void {
    this.db.close();
  }
}

export function openBetterSqlite3(file: string, options: OpenSqliteOptions): SqliteDatabase {
  const Database = load();
  return new BetterSqlite3Database(new Database(file, { readonly: options.readonly === true }));
}
