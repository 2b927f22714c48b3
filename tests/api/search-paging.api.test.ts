/**
 * Search paging while the data changes: a client walking `next` links while other clients
 * create matching resources must never get a resource twice, and must get every resource that
 * existed before it started (Heron pages by keyset cursor, not offset, for exactly this). Also
 * checks that `previous` links lead back through the same pages.
 * @see https://hl7.org/fhir/R4/http.html#paging
 * @see https://hl7.org/fhir/R4/search.html#count
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS, sleep, type HttpResult, type Tenant } from '../fixtures/heron-server.ts';
import { useHeronServer } from '../fixtures/use-heron-server.ts';
import { expectStatus, uniqueSystem } from './fhir-expect.ts';

/** Resources present before the walk; with `_count=7` that is 9 pages, so the writer has time to interleave. */
const N = 60;
const PAGE = 7;
/** Family names for the `_sort=family` walk, so new resources land before, between and after the cursor. */
const FAMILIES = ['Abbott', 'Baker', 'Clark', 'Dunn', 'Evans', 'Fox', 'Grant', 'Hill', 'Irwin', 'Jones', 'King', 'Lopez', 'Moore'];

function link(res: HttpResult, ...relations: string[]): string | undefined {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (res.body.link ?? []).find((l: any) => relations.includes(l.relation))?.url;
}

/** R4 Bundle.link uses the IANA relation `previous`; some servers write `prev`. */
const previousLink = (res: HttpResult): string | undefined => link(res, 'previous', 'prev');

function pageIds(res: HttpResult): string[] {
  expectStatus(res, 200);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (res.body.entry ?? []).filter((e: any) => (e.search?.mode ?? 'match') === 'match').map((e: any) => e.resource.id as string);
}

function patientBody(system: string, value: string, family: string): unknown {
  return { resourceType: 'Patient', identifier: [{ system, value }], name: [{ family, given: [value] }] };
}

async function create(t: Tenant, system: string, value: string, family: string): Promise<string> {
  const res = await t.fhir('POST', 'Patient', { body: patientBody(system, value, family) });
  expectStatus(res, 201);
  return res.body.id as string;
}

/** Creates `n` Patients in one system, a few requests at a time. */
async function seed(t: Tenant, system: string, n: number): Promise<Set<string>> {
  const ids = new Set<string>();
  for (let i = 0; i < n; i += 10) {
    const batch = Array.from({ length: Math.min(10, n - i) }, (_, j) => create(t, system, `seed-${i + j}`, FAMILIES[(i + j) % FAMILIES.length]));
    for (const id of await Promise.all(batch)) ids.add(id);
  }
  return ids;
}

interface Walk {
  seen: string[];
  pages: number;
  /** Resources the writer created while the walk was running. */
  written: Set<string>;
}

/**
 * Walks every page of `query` while a second loop keeps creating matching Patients. Before each
 * `next` page the walker waits until the writer has created at least one more, so every page
 * boundary has a concurrent insert on both stores however the two loops are scheduled.
 */
async function walkWhileWriting(t: Tenant, system: string, query: string): Promise<Walk> {
  const written = new Set<string>();
  let done = false;
  let writes = 0;
  const writer = (async () => {
    for (let i = 0; !done; i++) {
      written.add(await create(t, system, `during-${i}`, FAMILIES[(i * 7) % FAMILIES.length]));
      writes++;
    }
  })();
  const seen: string[] = [];
  let pages = 0;
  try {
    let res = await t.fhir('GET', query);
    for (;;) {
      pages++;
      expect(pages, 'paging does not end').toBeLessThan(100);
      seen.push(...pageIds(res));
      const next = link(res, 'next');
      if (!next) break;
      const before = writes;
      for (let waited = 0; writes === before && waited < 5_000; waited += 5) await sleep(5);
      res = await t.fhir('GET', next);
    }
  } finally {
    done = true;
    await writer;
  }
  return { seen, pages, written };
}

function expectCompleteWalk(walk: Walk, existing: Set<string>): void {
  expect(new Set(walk.seen).size, 'a resource came back on two pages').toBe(walk.seen.length);
  const missing = [...existing].filter((id) => !walk.seen.includes(id));
  expect(missing, 'resources that existed before the walk were skipped').toEqual([]);
  // Nothing else matches the system, so anything seen is one of ours.
  const stray = walk.seen.filter((id) => !existing.has(id) && !walk.written.has(id));
  expect(stray).toEqual([]);
  expect(walk.written.size, 'the writer did not interleave with the walk').toBeGreaterThanOrEqual(walk.pages - 1);
}

describe.each(STORE_KINDS)('search paging under concurrent writes (%s)', (kind) => {
  let t: Tenant;
  useHeronServer(kind, (started) => {
    t = started.default;
  });

  it('default order (_lastUpdated, id): no repeats, nothing that existed is skipped', async () => {
    const system = uniqueSystem('paging-default');
    const existing = await seed(t, system, N);
    const walk = await walkWhileWriting(t, system, `Patient?identifier=${encodeURIComponent(system + '|')}&_count=${PAGE}`);
    expectCompleteWalk(walk, existing);
  });

  it('_sort=family: new resources land on both sides of the cursor; no repeats, nothing skipped', async () => {
    const system = uniqueSystem('paging-family');
    const existing = await seed(t, system, N);
    const walk = await walkWhileWriting(t, system, `Patient?identifier=${encodeURIComponent(system + '|')}&_sort=family&_count=${PAGE}`);
    expectCompleteWalk(walk, existing);
  });

  it('_sort=-_lastUpdated: new resources sort first; no repeats, nothing skipped', async () => {
    const system = uniqueSystem('paging-newest');
    const existing = await seed(t, system, N);
    const walk = await walkWhileWriting(t, system, `Patient?identifier=${encodeURIComponent(system + '|')}&_sort=-_lastUpdated&_count=${PAGE}`);
    expectCompleteWalk(walk, existing);
  });

  describe('previous links', () => {
    let system: string;
    /** The pages of a forward walk over data nobody changes. */
    const forward: string[][] = [];
    let lastPage: HttpResult;

    beforeAll(async () => {
      system = uniqueSystem('paging-prev');
      await seed(t, system, 30);
      let res = await t.fhir('GET', `Patient?identifier=${encodeURIComponent(system + '|')}&_sort=family&_count=${PAGE}`);
      for (;;) {
        forward.push(pageIds(res));
        const next = link(res, 'next');
        if (!next) break;
        res = await t.fhir('GET', next);
      }
      lastPage = res;
    });

    it('the first page has no previous link, later pages have one', async () => {
      expect(forward.length).toBe(Math.ceil(30 / PAGE));
      const first = await t.fhir('GET', `Patient?identifier=${encodeURIComponent(system + '|')}&_sort=family&_count=${PAGE}`);
      expect(previousLink(first)).toBeUndefined();
      expect(previousLink(lastPage), `links: ${JSON.stringify(lastPage.body.link)}`).toBeDefined();
    });

    it('following previous from the last page gives the forward pages in reverse', async () => {
      let res = lastPage;
      const backward: string[][] = [pageIds(res)];
      for (;;) {
        const prev = previousLink(res);
        if (!prev) break;
        expect(backward.length, 'previous links do not end').toBeLessThanOrEqual(forward.length);
        res = await t.fhir('GET', prev);
        backward.unshift(pageIds(res));
      }
      expect(backward).toEqual(forward);
      // And from the first page reached backwards, next leads forward again.
      const next = link(res, 'next');
      expect(next).toBeDefined();
      expect(pageIds(await t.fhir('GET', next!))).toEqual(forward[1]);
    });
  });
});
