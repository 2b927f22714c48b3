/**
 * Reads `.json` import files on a worker thread. Reading, UTF-8 decoding and the strict JSON
 * scan of a file took ~4 ms of every ~50 ms bundle on the importer's thread, which also
 * validates, indexes and writes; on a second core they run while the previous bundle imports.
 * Only `JSON.parse` stays on the importer's thread: parsed objects cannot cross threads more
 * cheaply than they are parsed, while the text crosses as one copy.
 *
 * The thread runs TypeScript through `bin/run-ts.js` (tsx), as the `heron` command does.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ImportItem } from './import-unit.ts';
import { itemsOfJsonText, type JsonFileText } from './json-file.ts';

/** Sent to the thread. */
export interface JsonFileRequest {
  id: number;
  file: string;
}

/** Sent back. */
export interface JsonFileReply {
  id: number;
  result: JsonFileText;
}

const RUN_TS = new URL('../../../bin/run-ts.js', import.meta.url);
const THREAD = fileURLToPath(new URL('./json-file-thread.ts', import.meta.url));

export class JsonFileReader {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { file: string; resolve: (result: JsonFileText) => void }>();
  private nextId = 0;
  /** Set when the thread died: every load, pending or later, fails with it. */
  private broken: string | undefined;

  constructor() {
    this.worker = new Worker(RUN_TS, { argv: [THREAD] });
    this.worker.on('message', (reply: JsonFileReply) => {
      const request = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      request?.resolve(reply.result);
    });
    this.worker.on('error', (error) => this.fail(error.stack ?? error.message));
    this.worker.on('exit', (code) => this.fail(`exited with code ${code}`));
  }

  /** The file's items, like `loadJsonFile`; never rejects. */
  async load(file: string): Promise<ImportItem[]> {
    const read = await this.read(file);
    return 'failure' in read ? [read] : itemsOfJsonText(file, read.text);
  }

  /** Stops the thread; loads still pending fail. */
  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private read(file: string): Promise<JsonFileText> {
    if (this.broken !== undefined) return Promise.resolve(this.threadFailure(file));
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, { file, resolve });
      this.worker.postMessage({ id, file } satisfies JsonFileRequest);
    });
  }

  private fail(reason: string): void {
    this.broken ??= reason;
    for (const { file, resolve } of this.pending.values()) resolve(this.threadFailure(file));
    this.pending.clear();
  }

  private threadFailure(file: string): JsonFileText {
    return { failure: { file, message: `cannot read: the JSON reader thread stopped (${this.broken})` } };
  }
}
