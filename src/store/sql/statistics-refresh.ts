/**
 * When a driver refreshes the planner's statistics in the background while serving: once
 * `afterVersions` versions were written since the last refresh — in however many transactions, so
 * a `batch` Bundle of single-entry transactions counts like one big transaction — and at most once
 * per `intervalMs`. One refresh runs at a time; its error goes to `onError` (nobody awaits it).
 */
export class StatisticsRefresh {
  private written = 0;
  private running: Promise<void> | undefined;
  private finishedAt = 0;

  constructor(
    private readonly refresh: () => Promise<void>,
    private readonly onError: (err: Error) => void,
    private readonly afterVersions = 500,
    private readonly intervalMs = 60_000,
  ) {}

  /** Called after each commit with the versions it wrote. */
  wrote(versions: number): void {
    this.written += versions;
    if (this.written < this.afterVersions || this.running || Date.now() - this.finishedAt < this.intervalMs) return;
    this.written = 0;
    this.running = this.refresh()
      .catch((err: unknown) => this.onError(err as Error))
      .finally(() => {
        this.finishedAt = Date.now();
        this.running = undefined;
      });
  }

  /** Resolves when no refresh is running (before the driver closes its connections). */
  async settled(): Promise<void> {
    await this.running;
  }
}
