import Fastify from 'fastify';
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { FhirError } from '../../fhir/outcome.ts';
import { installErrorHandlers } from '../errors.ts';
import { parseJsonBody, refuseOversizedBody, registerBodyParsers, unsupportedMediaType } from './body.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

function rejection(run: () => unknown): FhirError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(FhirError);
    return err as FhirError;
  }
  throw new Error('expected a FhirError');
}

describe('parseJsonBody', () => {
  it('parses a FHIR resource', () => {
    const body = parseJsonBody(bytes('{"resourceType":"Patient","name":[{"given":["A","B"]}],"active":true,"x":-1.5e3,"y":null}'), 64);
    expect(body).toEqual({ resourceType: 'Patient', name: [{ given: ['A', 'B'] }], active: true, x: -1500, y: null });
  });

  it('returns undefined for an empty or blank body', () => {
    expect(parseJsonBody(bytes(''), 64)).toBeUndefined();
    expect(parseJsonBody(bytes('  \n'), 64)).toBeUndefined();
  });

  it.each([
    ['{"a":}', 'line 1 column 6'],
    ['{"a":1,\n "b":2,}', 'line 2 column 8'],
    ['[1,2', 'position 4'],
    ['{"a":01}', 'Leading zeros'],
    ['{"a":"x\ny"}', 'Control character'],
    ['{"a":1} x', 'after the JSON value'],
    ["{'a':1}", 'property name'],
    ['{"a":tru}', 'Unexpected token'],
    ['{"a":"\\x"}', 'Invalid escape'],
  ])('rejects malformed JSON %j with a position', (text, expected) => {
    const err = rejection(() => parseJsonBody(bytes(text), 64));
    expect(err.category).toBe('invalid');
    expect(err.message).toContain(expected);
  });

  it('rejects duplicate keys, also when written with escapes', () => {
    expect(rejection(() => parseJsonBody(bytes('{"id":"1","name":[],"id":"2"}'), 64)).message).toContain('Duplicate property "id"');
    expect(rejection(() => parseJsonBody(bytes('{"id":"1","\\u0069d":"2"}'), 64)).message).toContain('Duplicate property "id"');
  });

  it('allows the same key in different objects', () => {
    expect(parseJsonBody(bytes('{"a":{"id":1},"b":{"id":2},"c":[{"id":3},{"id":4}]}'), 64)).toBeDefined();
  });

  it('rejects __proto__ and constructor.prototype keys', () => {
    expect(rejection(() => parseJsonBody(bytes('{"a":{"__proto__":{"x":1}}}'), 64)).message).toContain('__proto__');
    expect(rejection(() => parseJsonBody(bytes('{"\\u005f_proto__":{"x":1}}'), 64)).message).toContain('__proto__');
    expect(rejection(() => parseJsonBody(bytes('{"constructor":{"prototype":{"x":1}}}'), 64)).message).toContain('constructor.prototype');
    expect(parseJsonBody(bytes('{"constructor":{"name":"ok"},"prototype":1}'), 64)).toEqual({ constructor: { name: 'ok' }, prototype: 1 });
  });

  it('accepts nesting up to the limit and rejects one level more', () => {
    const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    expect(parseJsonBody(bytes(nested(64)), 64)).toBeDefined();
    expect(rejection(() => parseJsonBody(bytes(nested(65)), 64)).message).toContain('deeper than 64');
    expect(rejection(() => parseJsonBody(bytes('{"a":'.repeat(100_000)), 64)).message).toContain('deeper than 64');
  });

  it('rejects invalid UTF-8 instead of replacing it', () => {
    const invalid = new Uint8Array([...bytes('{"a":"'), 0xc3, 0x28, ...bytes('"}')]);
    expect(rejection(() => parseJsonBody(invalid, 64)).message).toContain('UTF-8');
    const surrogate = new Uint8Array([...bytes('{"a":"'), 0xed, 0xa0, 0x80, ...bytes('"}')]);
    expect(rejection(() => parseJsonBody(surrogate, 64)).message).toContain('UTF-8');
    expect(parseJsonBody(bytes('{"a":"Zoë 🐦"}'), 64)).toEqual({ a: 'Zoë 🐦' });
  });
});

describe('unsupportedMediaType', () => {
  it('says that XML is not supported', () => {
    expect(unsupportedMediaType('application/fhir+xml').message).toContain('XML is not supported');
    expect(unsupportedMediaType('text/xml; charset=utf-8').message).toContain('XML is not supported');
    expect(unsupportedMediaType('text/plain').message).toContain('text/plain is not supported');
    expect(unsupportedMediaType(undefined).category).toBe('unsupported-media-type');
  });
});

describe('registerBodyParsers over HTTP', () => {
  async function app() {
    const fastify = Fastify();
    installErrorHandlers(fastify, () => false);
    await fastify.register(async (scope) => {
      const limits = { maxBytes: 1000, maxDepth: 64, binaryBytes: 2000 };
      registerBodyParsers(scope, limits);
      scope.post('/echo', { preParsing: refuseOversizedBody(limits) }, async (request) => ({ body: request.body instanceof URLSearchParams ? request.body.toString() : request.body }));
    });
    return fastify;
  }

  it('parses each accepted media type', async () => {
    const fastify = await app();
    for (const type of ['application/fhir+json', 'application/json; charset=utf-8', 'application/json-patch+json', 'application/fhir+json;fhirVersion=4.0']) {
      const res = await fastify.inject({ method: 'POST', url: '/echo', headers: { 'content-type': type }, payload: '{"a":1}' });
      expect(res.statusCode, type).toBe(200);
      expect(res.json()).toEqual({ body: { a: 1 } });
    }
    const form = await fastify.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'name=a&name=b' });
    expect(form.json()).toEqual({ body: 'name=a&name=b' });
  });

  it('answers 413, 415 and 400 as OperationOutcomes', async () => {
    const fastify = await app();
    const big = await fastify.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/fhir+json' }, payload: JSON.stringify({ a: 'x'.repeat(2000) }) });
    expect(big.statusCode).toBe(413);
    expect(big.json().issue[0].diagnostics).toContain('exceeds the limit of 1000 bytes');
    const xml = await fastify.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/fhir+xml' }, payload: '<Patient/>' });
    expect(xml.statusCode).toBe(415);
    expect(xml.json().issue[0].diagnostics).toContain('XML');
    const csv = await fastify.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'text/csv' }, payload: 'a,b' });
    expect(csv.statusCode).toBe(415);
    // A document's own type is read as a file (for POST Binary), within the documents' limit.
    const text = await fastify.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'text/plain' }, payload: 'hi' });
    expect(text.statusCode).toBe(200);
    const pdf = await fastify.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/pdf' }, payload: Buffer.alloc(1500, 0x25) });
    expect(pdf.statusCode).toBe(200);
    expect((await fastify.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/pdf' }, payload: Buffer.alloc(2500) })).statusCode).toBe(413);
    const dup = await fastify.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/fhir+json' }, payload: '{"a":1,"a":2}' });
    expect(dup.statusCode).toBe(400);
    expect(dup.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
    expect(dup.json().issue[0]).toMatchObject({ severity: 'error', code: 'invalid' });
  });

  it('reads an oversized upload to its end before answering 413, so the client sees the answer', async () => {
    const fastify = await app();
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    const { port } = fastify.server.address() as { port: number };
    const socket = connect(port, '127.0.0.1');
    try {
      await once(socket, 'connect');
      let received = '';
      socket.on('data', (d: Buffer) => (received += d.toString()));
      const size = 2 * 1024 * 1024;
      socket.write(`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/fhir+json\r\nContent-Length: ${size}\r\n\r\n`);
      socket.write('x'.repeat(size / 2));
      await new Promise((r) => setTimeout(r, 200));
      // Answering now and closing would make the client's remaining upload fail (EPIPE).
      expect(received).toBe('');
      socket.write('x'.repeat(size / 2));
      await vi.waitFor(() => expect(received).toContain('OperationOutcome'), { timeout: 5000 });
      expect(received).toMatch(/^HTTP\/1.1 413 /);
    } finally {
      socket.destroy();
      await fastify.close();
    }
  });
});
