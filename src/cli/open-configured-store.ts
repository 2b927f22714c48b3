/**
 * Opens the store a configuration points at and brings its schema up to date. Every command
 * that touches the database starts here, so they all agree on where the data lives.
 */
import { mkdir } from 'node:fs/promises';
import { openStore } from '../store/open-store.ts';
import { extractIndexRows } from '../fhir/search/extract.ts';
import type { FhirStore, MigrationResult } from '../store/store.ts';
import type { StorageConfig } from './config.ts';

export interface OpenedStore {
  store: FhirStore;
  migrations: MigrationResult[];
}

/** Opens (PostgreSQL if `databaseUrl`, else SQLite under `dataDir`) and migrates. */
export async function openConfiguredStore(config: StorageConfig): Promise<OpenedStore> {
  // The data dir exists even with PostgreSQL: it holds the demo credentials file.
  // Owner-only: the directory holds health data and credentials (mode applies when it is created).
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const store = await openStore({ databaseUrl: config.databaseUrl, schema: config.pgSchema, dataDir: config.dataDir, indexer: extractIndexRows });
  try {
    const migrations = await store.migrate();
    return { store, migrations };
  } catch (error) {
    await store.close();
    throw error;
  }
}
