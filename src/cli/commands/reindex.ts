/**
 * `heron reindex`: rebuilds the search-index rows of every stored resource from its JSON, for
 * when search parameter definitions or extraction changed (a new Heron version says so in its
 * release notes). It runs in batches and may run while servers are up; searches see old or new
 * rows per resource, never none.
 */
import { drawnBar, ratePerSecond } from '../import/progress-bar.ts';
import type { FhirStore } from '../../store/store.ts';
import type { Terminal } from '../terminal.ts';

export interface ReindexDeps {
  store: FhirStore;
  terminal: Terminal;
}

export async function reindexCommand(deps: ReindexDeps, options: { json?: boolean } = {}): Promise<number> {
  const started = Date.now();
  let bar: ReturnType<typeof drawnBar>;
  const result = await deps.store.reindex((p) => {
    bar ??= drawnBar(deps.terminal.progressStream, ' {bar} {value}/{total} resources | {rate} resources/s | {duration_formatted}', p.total, { rate: 0 });
    bar?.update(p.done, { rate: ratePerSecond(p.done, Date.now() - started) });
  });
  bar?.stop();
  // Every index row is new: statistics from before describe rows that are gone.
  await deps.store.refreshStatistics();
  const seconds = (Date.now() - started) / 1000;
  if (options.json) {
    deps.terminal.out(JSON.stringify({ resources: result.done, indexRows: result.rows, seconds }));
  } else {
    deps.terminal.out(`Reindexed ${result.done} resources (${result.rows} index rows) in ${seconds.toFixed(1)} s (${ratePerSecond(result.done, seconds * 1000)} resources/s).`);
  }
  return 0;
}
