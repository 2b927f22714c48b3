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
  const bar = drawnBar(stream, ' {bar} {value}/{total} files | {resources} resources | {rate} resources/s | {duration_formatted}', totalFiles, { resources: 0, rate: 0 });
  if (!bar) return silent;
  return {
    update(state) {
      bar.update(state.filesDone, { resources: state.resources, rate: ratePerSecond(state.resources, state.elapsedMs) });
    },
    stop: () => bar.stop(),
  };
}

/** A started bar with Heron's look, or undefined when there is no interactive stream to draw on. */
export function drawnBar(stream: NodeJS.WriteStream | undefined, format: string, total: number, payload: object): cliProgress.SingleBar | undefined {
  if (!stream) return undefined;
  const bar = new cliProgress.SingleBar({ stream, format, hideCursor: true, clearOnComplete: false, fps: 5 }, cliProgress.Presets.shades_classic);
  bar.start(total, 0, payload);
  return bar;
}

/** Whole resources per second; 0 before any time has passed. */
export function ratePerSecond(count: number, elapsedMs: number): number {
  return elapsedMs <= 0 ? 0 : Math.round((count * 1000) / elapsedMs);
}
