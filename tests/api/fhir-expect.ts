/**
 * Assertions and small lookups shared by the black-box API tests, so every file checks error
 * bodies and counts matches the same way.
 */
import { expect } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { HttpResult, Tenant } from '../fixtures/heron-server.ts';

/** Asserts an error answer: one of `statuses`, JSON content type and an OperationOutcome with an error issue. */
export function expectOutcome(res: HttpResult, statuses: number | number[]): void {
  const allowed = Array.isArray(statuses) ? statuses : [statuses];
  expect(allowed, `status ${res.status}, body ${res.text.slice(0, 500)}`).toContain(res.status);
  expect(res.headers.get('content-type') ?? '').toMatch(/json/);
  expect(res.body?.resourceType, res.text.slice(0, 500)).toBe('OperationOutcome');
  expect(Array.isArray(res.body.issue) && res.body.issue.length > 0).toBe(true);
  expect(['error', 'fatal']).toContain(res.body.issue[0].severity);
}

/** Asserts a status with the body in the failure message, which is what one needs when it fails. */
export function expectStatus(res: HttpResult, statuses: number | number[]): void {
  const allowed = Array.isArray(statuses) ? statuses : [statuses];
  expect(allowed, `status ${res.status}, body ${res.text.slice(0, 800)}`).toContain(res.status);
}

/** A fresh identifier system so each test's resources are found only by that test. */
export function uniqueSystem(label: string): string {
  return `urn:heron-test:${label}:${randomUUID()}`;
}

/** Follows `next` links and returns every `match` entry's resource. */
export async function searchAll(tenant: Tenant, query: string, maxPages = 50): Promise<any[]> {
  const found: any[] = [];
  let res = await tenant.fhir('GET', query);
  for (let page = 0; page < maxPages; page++) {
    expectStatus(res, 200);
    expect(res.body.resourceType).toBe('Bundle');
    expect(res.body.type).toBe('searchset');
    for (const entry of res.body.entry ?? []) {
      if ((entry.search?.mode ?? 'match') === 'match') found.push(entry.resource);
    }
    const next = (res.body.link ?? []).find((l: any) => l.relation === 'next')?.url;
    if (!next) return found;
    res = await tenant.fhir('GET', next);
  }
  throw new Error(`more than ${maxPages} pages for ${query}`);
}

/** Number of resources a search matches (all pages). */
export async function countMatches(tenant: Tenant, query: string): Promise<number> {
  return (await searchAll(tenant, query)).length;
}

/** A minimal valid Patient with one identifier. */
export function patient(system: string, value: string, extra: Record<string, unknown> = {}): any {
  return { resourceType: 'Patient', identifier: [{ system, value }], name: [{ family: 'Test', given: [value] }], ...extra };
}

/** `W/"3"` -> `3`. */
export function versionFromEtag(etag: string | null): string | undefined {
  return etag?.match(/^W\/"(.+)"$/)?.[1];
}

/** Maps `items` through `fn` with at most `width` calls in flight, keeping order. */
export async function inParallel<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]);
      }
    }),
  );
  return results;
}

/** The search query `identifier=system|value`, encoded. */
export function identifierQuery(system: string, value: string): string {
  return `identifier=${encodeURIComponent(`${system}|${value}`)}`;
}
