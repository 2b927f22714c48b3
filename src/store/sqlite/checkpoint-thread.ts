/**
 * The SQLite checkpointer, on a thread of its own: copies committed pages from the WAL into the
 * database file every interval (PASSIVE: never waits for readers or writers). On the event-loop
 * thread an automatic checkpoint runs inside some unlucky commit and stops every request for as
 * long as it takes to write and fsync up to the whole WAL.
 * Started by `sqlite.ts` with argv: database file, interval in ms.
 */
import Database from 'better-sqlite3';
import { parentPort } from 'node:worker_threads';

const [file, interval] = process.argv.slice(-2);
const db = new Database(file);
db.pragma('busy_timeout = 1000');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const timer = setInterval(() => {
  try {
    checkpoint.run();
  } catch {
    // Busy or briefly locked: the next interval tries again; the WAL only grows meanwhile.
  }
}, Number(interval));
parentPort?.on('message', (message: string) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  try {
    checkpoint.run();
  } finally {
    db.close();
    parentPort?.postMessage('stopped');
  }
});
