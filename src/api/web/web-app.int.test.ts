/**
 * The web app's HTTP contract: index.html for every client-side route with the strict CSP and no
 * caching, hashed assets cached for a year, the API's prefixes never answered with the page, and
 * each practice's first-party client named in the page.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstPartyClientId } from '../../domain/clients/first-party-app.ts';
import { manualClock, type ManualClock } from '../../domain/clock.ts';
import { createPractice } from '../../domain/practices/create-practice.ts';
import { startTestApp, type TestApp } from '../test-app.ts';

const REDIRECT = 'http://localhost:8080/auth/callback';
const INDEX = '<!doctype html><html><head><title>Heron</title><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>';

describe('web app at /', () => {
  let t: TestApp;
  let dist: string;
  let clock: ManualClock;
  beforeAll(async () => {
    dist = await mkdtemp(join(tmpdir(), 'heron-web-dist-'));
    await mkdir(join(dist, 'assets'));
    await writeFile(join(dist, 'index.html'), INDEX);
    await writeFile(join(dist, 'assets/index-abc123.js'), 'console.log("app")');
    await writeFile(join(dist, 'assets/index-abc123.js.br'), brotliCompressSync('console.log("app")'));
    clock = manualClock();
    t = await startTestApp({ deps: { clock: clock.now, limits: { binaryBytes: 5 * 1024 * 1024 }, web: { distDir: dist, redirectUris: () => [REDIRECT] } } });
  });
  afterAll(async () => {
    await t?.close();
    await rm(dist, { recursive: true, force: true });
  });

  const get = (path: string) => t.fhir('GET', path, { token: null });

  it('answers / and client-side routes with index.html, not cached, under a strict CSP', async () => {
    for (const path of ['/', '/patients/123', '/auth/callback?code=x&state=y']) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      const csp = String(res.headers['content-security-policy']);
      for (const directive of ["script-src 'self'", "connect-src 'self'", "img-src 'self' data: blob:", "frame-src blob:", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "default-src 'none'"]) {
        expect(csp, path).toContain(directive);
      }
      // Styles: the app's own files and react-aria's two fixed style elements by hash; never 'unsafe-inline'.
      expect(csp).toMatch(/style-src 'self'( 'sha256-[A-Za-z0-9+/=]+')*;/);
      expect(csp).not.toContain('unsafe');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.text).toContain('<div id="root">');
    }
  });

  it('tells the page the issuer and the practice’s first-party client, in a meta element', async () => {
    const res = await get('/');
    const meta = /<meta name="heron-config" content="([^"]*)">/.exec(res.text);
    expect(meta).not.toBeNull();
    const config = JSON.parse(meta![1]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as { issuer: string; practices: Array<{ practice: string; client_id: string }>; redirect_uris: string[]; max_binary_bytes: number };
    expect(config.issuer).toBe('http://heron.test:8080');
    expect(config.redirect_uris).toEqual([REDIRECT]);
    // The documents' limit as configured, so the page refuses a bigger file before sending it.
    expect(config.max_binary_bytes).toBe(5 * 1024 * 1024);
    const clientId = firstPartyClientId(t.practiceId, [REDIRECT]);
    expect(config.practices.map((p) => p.client_id)).toContain(clientId);
    const client = await t.store.admin.getClient(clientId);
    expect(client).toMatchObject({ public: true, redirectUris: [REDIRECT], name: 'Heron' });
    expect(client!.scopes).toContain('online_access');
  });

  it('offers a practice created while the server runs within 30 seconds, each with its own client', async () => {
    const practices = async () => (JSON.parse(/<meta name="heron-config" content="([^"]*)">/.exec((await get('/')).text)![1]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as { practices: Array<{ practice: string; client_id: string }> }).practices;
    const before = await practices();
    const other = await createPractice(t.store, 'A second practice');
    expect(await practices()).toEqual(before);
    clock.advance(30_000);
    const after = await practices();
    expect(after.map((p) => p.practice)).toContain('A second practice');
    expect(after.find((p) => p.practice === 'A second practice')!.client_id).toBe(firstPartyClientId(other.id, [REDIRECT]));
    // An administrator who disables the app takes the practice off the page; it is not re-created.
    await t.store.admin.disableClient(firstPartyClientId(other.id, [REDIRECT]), Date.now());
    clock.advance(30_000);
    expect((await practices()).map((p) => p.practice)).not.toContain('A second practice');
  });

  it('serves hashed assets for a year and answers a missing one with 404', async () => {
    const asset = await get('/assets/index-abc123.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['x-content-type-options']).toBe('nosniff');
    expect(asset.headers['content-security-policy']).toBeDefined();
    // The build's brotli copy goes to a browser that accepts it.
    const compressed = await t.fhir('GET', '/assets/index-abc123.js', { token: null, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(compressed.headers['content-encoding']).toBe('br');
    expect(compressed.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const missing = await get('/assets/index-gone.js');
    expect(missing.status).toBe(404);
    expect(missing.text).not.toContain('<div id="root">');
  });

  it('never answers an API path with the page', async () => {
    for (const path of ['/fhir/R4/NoSuchType/1', '/oauth2/nope', '/admin/v1/nope', '/.well-known/nope', '/auth/nope', '/assets']) {
      const res = await get(path);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.text, path).not.toContain('<div id="root">');
    }
    const res = await get('/oauth2/nope');
    expect(res.body?.resourceType).toBe('OperationOutcome');
  });
});
