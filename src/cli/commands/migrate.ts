/**
 * `heron migrate`: brings the database schema up to date and lists what was applied. The store
 * is already migrated when this runs (every command migrates on open), so this command only
 * reports; it exists for deploy scripts that migrate before starting servers.
 */
import type { MigrationResult } from '../../store/store.ts';
import type { Terminal } from '../terminal.ts';

export interface MigrateDeps {
  /** The result of `store.migrate()` from opening the store. */
  migrations: MigrationResult[];
  terminal: Terminal;
}

export async function migrateCommand(deps: MigrateDeps): Promise<number> {
  const applied = deps.migrations.filter((m) => m.status === 'applied');
  for (const migration of deps.migrations) deps.terminal.out(`${migration.status === 'applied' ? 'applied' : 'already applied'}  ${migration.id}`);
  deps.terminal.out(applied.length === 0 ? 'Database schema is up to date.' : `Applied ${applied.length} migration(s).`);
  return 0;
}
