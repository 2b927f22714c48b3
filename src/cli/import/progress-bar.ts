/**
 * The import progress bar: files done, resources stored and resources per second, drawn on an
 * interactive terminal only (redirected output gets just the final summary, not escape codes).
 */
import cliProgress from 'cli-progress';
import type { ImportProgressState } from './run-import.ts';

export interface ProgressDisplay {
  update(state: ImportProgressState): void;
  stop(): void;
}

const silent: ProgressDisplay = { update() {}, stop() {} };

export function progressBar(stream: NodeJS.WriteStream | undefined, totalFiles: number): ProgressDisplay {
  if (!stream) return silent;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: ' {bar} {value}/{total} files | {resources} resources | {rate} resources/s | {duration_formatted}',
      hideCursor: true,
      clearOnComplete: false,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(totalFiles, 0, { resources: 0, rate: 0 });
  return {
    update(state) {
      bar.update(state.filesDone, { resources: state.resources, rate: ratePerSecond(state.resources, state.elapsedMs) });
    },
    stop: () => bar.stop(),
  };
}

/** Whole resources per second; 0 before any time has passed. */
export function ratePerSecond(count: number, elapsedMs: number): number {
  return elapsedMs <= 0 ? 0 : Math.round((count * 1000) / elapsedMs);
}
