/**
 * The reader thread's side of `json-file-reader.ts`: reads, decodes and checks each file it is
 * asked for and posts back the checked text (or the failure), in request order.
 */
import { parentPort } from 'node:worker_threads';
import { readJsonFileText } from './json-file.ts';
import type { JsonFileRequest, JsonFileReply } from './json-file-reader.ts';

if (!parentPort) throw new Error('json-file-thread.ts runs as a worker thread of the importer');
const port = parentPort;
port.on('message', async (request: JsonFileRequest) => {
  const reply: JsonFileReply = { id: request.id, result: await readJsonFileText(request.file) };
  port.postMessage(reply);
});
