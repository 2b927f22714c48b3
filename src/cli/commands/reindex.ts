/**
 * `heron reindex`: will rebuild the search index rows from stored resources after search
 * parameters change. Not built yet; the command exists so that scripts and docs can name it.
 */
import type { Terminal } from '../terminal.ts';

export async function reindexCommand(deps: { terminal: Terminal }): Promise<number> {
  deps.terminal.err('heron reindex: not yet implemented (issue #3)');
  return 1;
}
