/**
 * Opens the configured store: PostgreSQL when a database URL is given, otherwise SQLite in
 * the data directory (or a private temporary file for tests). The composition root calls
 * this; nothing else chooses a database. Does not migrate — callers call `store.migrate()`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openPostgresStore } from './postgres/postgres.ts';
import { openSqliteStore } from './sqlite/sqlite.ts';
import type { FhirStore, Indexer } from './store.ts';

export interface OpenStoreOptions {
  /** `postgres://…`; when set, PostgreSQL is used and `dataDir`/`memory` are ignored. */
  databaseUrl?: string;
  /** Directory of the SQLite file `heron.sqlite`; created if missing. */
  dataDir?: string;
  /** A temporary SQLite database deleted on close. */
  memory?: boolean;
  /** PostgreSQL schema; default `public`. */
  schema?: string;
  indexer: Indexer;
  durability?: 'full' | 'normal';
}

export async function openStore(o: OpenStoreOptions): Promise<FhirStore> {
  if (o.databaseUrl) {
    return openPostgresStore({ url: o.databaseUrl, schema: o.schema, indexer: o.indexer, durability: o.durability });
  }
  if (o.memory) return openSqliteStore({ memory: true, indexer: o.indexer, durability: o.durability });
  if (!o.dataDir) throw new Error('openStore needs a databaseUrl, a dataDir or memory: true');
  mkdirSync(o.dataDir, { recursive: true });
  return openSqliteStore({ file: join(o.dataDir, 'heron.sqlite'), indexer: o.indexer, durability: o.durability });
}
