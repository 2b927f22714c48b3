/**
 * `heron db app-role NAME`: run as the schema owner (after `heron migrate`, and again after each
 * upgrade) to create or refresh the PostgreSQL role Heron's servers should connect as, which can
 * only add to the audit trail. The password, if any, comes from `HERON_DB_ROLE_PASSWORD` so it is
 * not in the process list.
 */
import { grantAppRole } from '../../store/postgres/app-role.ts';
import type { StorageConfig } from '../config.ts';
import type { Terminal } from '../terminal.ts';

export async function dbAppRoleCommand(
  deps: { terminal: Terminal; config: StorageConfig; password?: string },
  options: { role: string; json?: boolean },
): Promise<number> {
  const url = deps.config.databaseUrl;
  if (url === undefined || !/^postgres(ql)?:/.test(url)) {
    deps.terminal.err('heron db app-role is for PostgreSQL: set DATABASE_URL to the schema owner\'s postgres:// URL');
    return 1;
  }
  const result = await grantAppRole({ url, schema: deps.config.pgSchema ?? 'public', role: options.role, ...(deps.password !== undefined ? { password: deps.password } : {}) });
  if (options.json) {
    deps.terminal.out(JSON.stringify({ role: options.role, ...result }));
    return 0;
  }
  deps.terminal.out(`${result.created ? 'Created' : 'Updated'} role ${options.role}: read and write on ${result.dataTables.length} tables; read and append only on ${result.appendOnlyTables.join(', ')}.`);
  deps.terminal.out(`Connect Heron's servers as it, e.g. DATABASE_URL=postgres://${options.role}@host/db; keep migrations on the owner's URL.`);
  return 0;
}
