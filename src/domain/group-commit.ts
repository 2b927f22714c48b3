/**
 * Group commit: the items of one moment written by one call. A flush starts at the end of the
 * event-loop turn, or as soon as the previous one finished (one write in flight at a time); each
 * caller's promise settles with the write that carried its item, so a caller that awaits it knows
 * its item is stored (or why not). Used for audit entries of reads and for failure counters,
 * where one database transaction per request would cost more than the request.
 */
export function groupCommit<T>(write: (batch: T[]) => Promise<void>): (item: T) => Promise<void> {
  let pending: { item: T; resolve: () => void; reject: (err: unknown) => void }[] = [];
  let flushing = false;
  let scheduled = false;
  const flush = async (): Promise<void> => {
    scheduled = false;
    if (flushing || pending.length === 0) return;
    flushing = true;
    const batch = pending;
    pending = [];
    try {
      await write(batch.map((p) => p.item));
      for (const p of batch) p.resolve();
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      flushing = false;
      if (pending.length > 0) schedule();
    }
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => void flush());
  };
  return (item) =>
    new Promise<void>((resolve, reject) => {
      pending.push({ item, resolve, reject });
      if (!flushing) schedule();
    });
}
