/**
 * The floor for the benchmark: a bare Fastify server answering one small JSON document, run as
 * its own process exactly like `heron serve`, so Heron's figures can be read as a ratio to it.
 * Usage: node bin/run-ts.js tests/bench/bare-server.ts PORT
 */
import Fastify from 'fastify';

const port = Number(process.argv[3]);
const app = Fastify({ logger: false });
const document = JSON.stringify({ resourceType: 'Patient', id: 'bare', meta: { versionId: '1', lastUpdated: '2024-01-01T00:00:00.000Z' }, gender: 'female', birthDate: '1970-01-01' });

app.get('/bare', async (_request, reply) => {
  reply.header('content-type', 'application/fhir+json; charset=utf-8');
  return document;
});
app.get('/healthz', async () => ({ status: 'ok' }));

await app.listen({ port, host: '127.0.0.1' });
process.stdout.write(`bare server listening on http://127.0.0.1:${port}\n`);
const stop = () => void app.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
// The benchmark holds our stdin open; when it dies, even by SIGKILL, stdin ends and so do we.
if (!process.stdin.isTTY) {
  process.stdin.on('end', stop);
  process.stdin.resume();
}
