/**
 * Fetching a client's JWK Set from its registered URL (`private_key_jwt`: backend services and
 * asymmetric apps). A
 * fetch is an outbound request the client chose the target of, so it is bounded: https only
 * (loopback http for development), no redirects, a time limit and a size limit. The answer is
 * cached no longer than its `Cache-Control: max-age` (none, `no-store` or `no-cache`: not at
 * all), and never longer than an hour, so a client's key rotation or revocation takes effect.
 */
import { checkJwksUrl } from '../../domain/clients/client-keys.ts';
import type { JSONWebKeySet } from 'jose';
import type { Clock } from '../../domain/clock.ts';

export interface JwksFetcherOptions {
  timeoutMs?: number;
  maxBytes?: number;
  maxCacheSeconds?: number;
  now?: Clock;
  fetch?: typeof fetch;
}

export interface JwksFetcher {
  /** The key set at `url`; `fresh` skips the cache (a kid the cached set lacks: maybe rotated). */
  get(url: string, fresh?: boolean): Promise<JSONWebKeySet>;
}

const MAX_ENTRIES = 1000;

export function createJwksFetcher(o: JwksFetcherOptions = {}): JwksFetcher {
  const timeoutMs = o.timeoutMs ?? 5000;
  const maxBytes = o.maxBytes ?? 64 * 1024;
  const maxCacheMs = (o.maxCacheSeconds ?? 3600) * 1000;
  const now = o.now ?? Date.now;
  const doFetch = o.fetch ?? fetch;
  const cache = new Map<string, { jwks: JSONWebKeySet; until: number }>();

  return {
    async get(url, fresh = false) {
      const hit = cache.get(url);
      if (!fresh && hit && hit.until > now()) return hit.jwks;
      cache.delete(url);
      checkJwksUrl(url);
      const response = await doFetch(url, { redirect: 'error', signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json, application/jwk-set+json' } });
      if (!response.ok) throw new Error(`JWKS URL answered ${response.status}`);
      const jwks = JSON.parse(await readLimited(response, maxBytes)) as JSONWebKeySet;
      if (!jwks || !Array.isArray(jwks.keys)) throw new Error('The JWKS URL did not answer a JWK Set');
      const ttl = Math.min(cacheSeconds(response.headers.get('cache-control')) * 1000, maxCacheMs);
      if (ttl > 0) {
        if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
        cache.set(url, { jwks, until: now() + ttl });
      }
      return jwks;
    },
  };
}

/** Seconds the answer may be reused for: its max-age, or 0 without one or with no-store/no-cache. */
export function cacheSeconds(header: string | null): number {
  if (!header) return 0;
  const directives = header.toLowerCase().split(',').map((d) => d.trim());
  if (directives.some((d) => d === 'no-store' || d === 'no-cache')) return 0;
  const maxAge = directives.map((d) => /^max-age=(\d+)$/.exec(d)).find(Boolean);
  return maxAge ? Number(maxAge[1]) : 0;
}

async function readLimited(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw new Error('The JWK Set is too large');
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new Error('The JWK Set is too large');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
