/**
 * Search over a realistic practice: the 80 Synthea sample patients (19,277 resources) are
 * imported once per store with `heron import`, then each query's count is compared with the
 * count computed here from the bundle JSON — never from Heron — so a wrong index row, a wrong
 * prefix or a lost page shows up as a wrong number.
 *
 * Imported ids are server-assigned (the bundles POST with `urn:uuid:` fullUrls), so patients
 * are found on the server by their Synthea identifier.
 * @see https://hl7.org/fhir/R4/search.html
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { HeronServer, STORE_KINDS, type HttpResult, type Tenant } from '../fixtures/heron-server.ts';
import { useHeronServer } from '../fixtures/use-heron-server.ts';
import { expectStatus } from './fhir-expect.ts';
import {
  SYNTHEA_SYSTEM,
  dateMatches,
  entriesOfType,
  hasCoding,
  loadSamples,
  ofType,
  periodRange,
  rangeOf,
  refersTo,
  sampleFiles,
  startsWithFolded,
  type SamplePatient,
} from './synthea-model.ts';

const FILES = sampleFiles();
const SAMPLES = loadSamples(FILES);
const all = (type: string) => SAMPLES.flatMap((s) => ofType(s, type));

/**
 * Patients whose compartments are checked one by one: the smallest and largest bundles and a
 * few in between, so both a sparse and a dense record are covered.
 */
const PROBES: SamplePatient[] = (() => {
  const bySize = [...SAMPLES].sort((a, b) => a.resources.length - b.resources.length);
  const picks = [0, Math.floor(bySize.length / 4), Math.floor(bySize.length / 2), Math.floor((3 * bySize.length) / 4), bySize.length - 1];
  return picks.map((i) => bySize[i]);
})();

const SNOMED = 'http://snomed.info/sct';
const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';

/** `total` of a `_summary=count` (or `_total=accurate`) search, with the body in the failure message. */
async function total(t: Tenant, query: string): Promise<number> {
  const res = await t.fhir('GET', query);
  expectStatus(res, 200);
  expect(res.body.resourceType).toBe('Bundle');
  expect(typeof res.body.total, `no total for ${query}: ${res.text.slice(0, 300)}`).toBe('number');
  return res.body.total as number;
}

function countQuery(query: string): string {
  return `${query}${query.includes('?') ? '&' : '?'}_summary=count`;
}

interface Entry {
  mode: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  resource: any;
}

function entries(res: HttpResult): Entry[] {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (res.body.entry ?? []).map((e: any) => ({ mode: e.search?.mode ?? 'match', resource: e.resource }));
}

function nextLink(res: HttpResult): string | undefined {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (res.body.link ?? []).find((l: any) => l.relation === 'next')?.url;
}

/** One page that must hold every match: fails rather than silently comparing a partial page. */
async function onePage(t: Tenant, query: string): Promise<{ matches: Entry[]; included: Entry[] }> {
  const res = await t.fhir('GET', query);
  expectStatus(res, 200);
  expect(nextLink(res), `${query} needs more than one page`).toBeUndefined();
  const list = entries(res).filter((e) => e.mode !== 'outcome');
  return { matches: list.filter((e) => e.mode === 'match'), included: list.filter((e) => e.mode === 'include') };
}

describe.each(STORE_KINDS)('search over the Synthea sample practice (%s)', (kind) => {
  let server: HeronServer;
  let t: Tenant;
  /** Synthea identifier -> server-assigned Patient id. */
  const serverIds = new Map<string, string>();

  useHeronServer(kind, (started) => {
    server = started;
    t = started.default;
  });

  // One import per store for the whole file; vitest runs beforeAll hooks in the order they are
  // declared, so the server above is up when this starts.
  beforeAll(async () => {
    const result = await server.cli(['import', ...FILES, '--practice', t.practiceId]);
    if (result.code !== 0) throw new Error(`heron import exited ${result.code}\n${result.stdout}\n${result.stderr.slice(-4000)}`);
    for (const s of PROBES) {
      const res = await t.fhir('GET', `Patient?identifier=${encodeURIComponent(`${SYNTHEA_SYSTEM}|${s.syntheaId}`)}`);
      expectStatus(res, 200);
      expect(res.body.entry, `patient ${s.syntheaId} of ${s.file}`).toHaveLength(1);
      serverIds.set(s.syntheaId, res.body.entry[0].resource.id as string);
    }
  }, 300_000);

  const idOf = (s: SamplePatient): string => serverIds.get(s.syntheaId)!;

  it('holds every imported resource, per type', async () => {
    for (const type of ['Patient', 'Observation', 'Encounter', 'Condition', 'MedicationRequest', 'Organization']) {
      // Besides the imported ones, the practice's own Organization (its settings), made by `practice create`.
      expect(await total(t, countQuery(type)), type).toBe(all(type).length + (type === 'Organization' ? 1 : 0));
    }
  });

  it("each probe patient's Observations, by reference in both forms", async () => {
    for (const s of PROBES) {
      const expected = ofType(s, 'Observation').filter((o) => refersTo(o.subject, s.urn)).length;
      expect(await total(t, countQuery(`Observation?patient=Patient/${idOf(s)}`)), s.file).toBe(expected);
      expect(await total(t, countQuery(`Observation?subject=${idOf(s)}`)), s.file).toBe(expected);
    }
  });

  it("each probe patient's active Conditions (clinical-status token)", async () => {
    for (const s of PROBES) {
      const expected = ofType(s, 'Condition').filter((c) => refersTo(c.subject, s.urn) && hasCoding(c.clinicalStatus, undefined, 'active')).length;
      expect(await total(t, countQuery(`Condition?patient=${idOf(s)}&clinical-status=active`)), s.file).toBe(expected);
    }
  });

  it('Conditions by SNOMED code, with and without the system', async () => {
    for (const code of ['444814009', '38341003', '15777000', '271737000']) {
      const expected = all('Condition').filter((c) => hasCoding(c.code, SNOMED, code)).length;
      expect(expected).toBeGreaterThan(0);
      expect(await total(t, countQuery(`Condition?code=${encodeURIComponent(`${SNOMED}|${code}`)}`)), code).toBe(expected);
      expect(await total(t, countQuery(`Condition?code=${code}`)), code).toBe(expected);
    }
    // A known code in the wrong system matches nothing.
    expect(await total(t, countQuery(`Condition?code=${encodeURIComponent(`${LOINC}|444814009`)}`))).toBe(0);
  });

  it('Encounters in a date range, by Encounter.period with range semantics', async () => {
    // Encounter `date` is Encounter.period; ge/lt compare the period's range with the day's.
    const cases: Array<[string, string]> = [
      ['2015-01-01', '2016-01-01'],
      ['2019-06-01', '2019-07-01'],
      ['1960', '1980'],
    ];
    for (const [from, to] of cases) {
      const expected = all('Encounter').filter((e) => {
        const p = periodRange(e.period);
        return dateMatches('ge', p, rangeOf(from)) && dateMatches('lt', p, rangeOf(to));
      }).length;
      expect(expected).toBeGreaterThan(0);
      expect(await total(t, countQuery(`Encounter?date=ge${from}&date=lt${to}`)), `${from}..${to}`).toBe(expected);
    }
  });

  it('Patients by family name: prefix, case- and accent-insensitive', async () => {
    const families = [...new Set(SAMPLES.flatMap((s) => (s.patient.name ?? []).map((n) => n.family!)))];
    // Shared family names, an accented one searched without its accent, and a bare prefix.
    const searches = ['Witting', 'McDermott', 'alcantar', 'ONDRICKA', 'Sch', 'Ma'];
    for (const search of searches) {
      const expected = SAMPLES.filter((s) => (s.patient.name ?? []).some((n) => startsWithFolded(n.family, search))).length;
      expect(expected, `${search} among ${families.length} family names`).toBeGreaterThan(0);
      expect(await total(t, countQuery(`Patient?family=${encodeURIComponent(search)}`)), search).toBe(expected);
    }
    // `name` searches every part of HumanName (family, given, prefix, suffix, text).
    const search = 'Mar';
    const expected = SAMPLES.filter((s) =>
      (s.patient.name ?? []).some((n) => [n.family, ...(n.given ?? []), ...(n.prefix ?? []), ...(n.suffix ?? []), n.text].some((p) => startsWithFolded(p, search))),
    ).length;
    expect(await total(t, countQuery(`Patient?name=${search}`))).toBe(expected);
  });

  it('Patients by birthdate: a year, and ge/lt a day', async () => {
    const cases: Array<['eq' | 'ge' | 'lt', string]> = [
      ['eq', '1970'],
      ['eq', '2011'],
      ['ge', '1980-01-01'],
      ['lt', '1950-01-01'],
    ];
    for (const [prefix, value] of cases) {
      const expected = SAMPLES.filter((s) => dateMatches(prefix, rangeOf(s.patient.birthDate!), rangeOf(value))).length;
      const query = `Patient?birthdate=${prefix === 'eq' ? '' : prefix}${value}`;
      expect(await total(t, countQuery(query)), query).toBe(expected);
    }
  });

  it('Patients by gender', async () => {
    for (const gender of ['male', 'female', 'other', 'unknown']) {
      const expected = SAMPLES.filter((s) => s.patient.gender === gender).length;
      expect(await total(t, countQuery(`Patient?gender=${gender}`)), gender).toBe(expected);
    }
  });

  it('Observations by LOINC code with a value-quantity prefix', async () => {
    const weights = all('Observation').filter((o) => hasCoding(o.code, LOINC, '29463-7'));
    const values = weights.map((o) => o.valueQuantity.value as number);
    // Written with one decimal, so the search value's implicit precision is ±0.05 (search.html#number).
    for (const [prefix, written] of [
      ['gt', '100.0'],
      ['lt', '20.0'],
      ['ge', '75.0'],
    ] as const) {
      const threshold = Number(written);
      // A value within that precision would make the count depend on how the server reads it for
      // gt/lt/ge, which the spec leaves loose; the chosen thresholds keep clear of every value.
      expect(values.some((v) => Math.abs(v - threshold) <= 0.05), `a weight lies within 0.05 of ${written}`).toBe(false);
      const expected = values.filter((v) => (prefix === 'gt' ? v > threshold : prefix === 'lt' ? v < threshold : v >= threshold)).length;
      expect(expected).toBeGreaterThan(0);
      const code = `code=${encodeURIComponent(`${LOINC}|29463-7`)}`;
      expect(await total(t, countQuery(`Observation?${code}&value-quantity=${prefix}${written}`)), `${prefix}${written}`).toBe(expected);
      const withUnit = encodeURIComponent(`${prefix}${written}|${UCUM}|kg`);
      expect(await total(t, countQuery(`Observation?${code}&value-quantity=${withUnit}`)), `${prefix}${written} kg`).toBe(expected);
    }
    // The right number in the wrong unit matches nothing (no unit conversion between kg and cm).
    expect(await total(t, countQuery(`Observation?code=${encodeURIComponent(`${LOINC}|29463-7`)}&value-quantity=${encodeURIComponent(`gt100|${UCUM}|cm`)}`))).toBe(0);
  });

  it('MedicationRequests by status', async () => {
    for (const status of ['active', 'stopped', 'completed']) {
      const expected = all('MedicationRequest').filter((m) => m.status === status).length;
      expect(await total(t, countQuery(`MedicationRequest?status=${status}`)), status).toBe(expected);
    }
  });

  it('_has: patients with a given condition code', async () => {
    for (const code of ['38341003', '444814009', '162864005']) {
      const expected = SAMPLES.filter((s) => ofType(s, 'Condition').some((c) => refersTo(c.subject, s.urn) && hasCoding(c.code, SNOMED, code))).length;
      expect(expected).toBeGreaterThan(0);
      expect(await total(t, countQuery(`Patient?_has:Condition:patient:code=${encodeURIComponent(`${SNOMED}|${code}`)}`)), code).toBe(expected);
    }
  });

  it('chain: Observations of patients with a family name', async () => {
    for (const family of ['Witting', 'McDermott', 'Sch']) {
      const expected = SAMPLES.filter((s) => (s.patient.name ?? []).some((n) => startsWithFolded(n.family, family)))
        .flatMap((s) => ofType(s, 'Observation').filter((o) => refersTo(o.subject, s.urn)))
        .length;
      expect(expected).toBeGreaterThan(0);
      expect(await total(t, countQuery(`Observation?patient.family=${family}`)), family).toBe(expected);
    }
  });

  it("_revinclude: a patient's Encounters with the Observations made in them", async () => {
    for (const s of PROBES) {
      const encounters = entriesOfType(s, 'Encounter').filter((e) => refersTo((e.resource as { subject?: { reference?: string } }).subject, s.urn));
      const urls = new Set(encounters.map((e) => e.fullUrl));
      const observations = ofType(s, 'Observation').filter((o) => o.encounter && urls.has(o.encounter.reference)).length;
      const { matches, included } = await onePage(t, `Encounter?patient=${idOf(s)}&_revinclude=Observation:encounter&_count=1000`);
      expect(matches, s.file).toHaveLength(encounters.length);
      expect(included.filter((e) => e.resource.resourceType === 'Observation'), s.file).toHaveLength(observations);
      expect(included.every((e) => e.resource.resourceType === 'Observation')).toBe(true);
    }
  });

  it("_include: a patient's Encounters with their service providers, and a patient with its Conditions", async () => {
    for (const s of PROBES) {
      const encounters = ofType(s, 'Encounter').filter((e) => refersTo(e.subject, s.urn));
      // Each bundle carries its own copies of its Organizations, so distinct fullUrls are distinct resources.
      const providers = new Set(encounters.map((e) => e.serviceProvider?.reference).filter((r): r is string => r !== undefined));
      const inc = await onePage(t, `Encounter?patient=${idOf(s)}&_include=Encounter:service-provider&_count=1000`);
      expect(inc.matches, s.file).toHaveLength(encounters.length);
      expect(inc.included, s.file).toHaveLength(providers.size);
      expect(inc.included.every((e) => e.resource.resourceType === 'Organization')).toBe(true);

      const conditions = ofType(s, 'Condition').filter((c) => refersTo(c.subject, s.urn)).length;
      const rev = await onePage(t, `Patient?_id=${idOf(s)}&_revinclude=Condition:patient`);
      expect(rev.matches).toHaveLength(1);
      expect(rev.included.filter((e) => e.resource.resourceType === 'Condition'), s.file).toHaveLength(conditions);
    }
  });

  it("_sort=-date: a patient's body heights newest first", async () => {
    for (const s of PROBES) {
      const heights = ofType(s, 'Observation').filter((o) => refersTo(o.subject, s.urn) && hasCoding(o.code, LOINC, '8302-2'));
      const { matches } = await onePage(t, `Observation?patient=${idOf(s)}&code=${encodeURIComponent(`${LOINC}|8302-2`)}&_sort=-date&_count=1000`);
      expect(matches, s.file).toHaveLength(heights.length);
      const got = matches.map((e) => Date.parse(e.resource.effectiveDateTime as string));
      const expected = heights.map((o) => Date.parse(o.effectiveDateTime as string)).sort((a, b) => b - a);
      expect(got, s.file).toEqual(expected);
    }
  });

  it('_total=accurate gives the full count with a small page', async () => {
    const expected = all('Observation').filter((o) => hasCoding(o.category, undefined, 'vital-signs')).length;
    const res = await t.fhir('GET', 'Observation?category=vital-signs&_total=accurate&_count=5');
    expectStatus(res, 200);
    expect(res.body.total).toBe(expected);
    expect(entries(res).filter((e) => e.mode === 'match')).toHaveLength(5);
  });

  it('pages through a large result with _count and next links, without repeats or gaps', async () => {
    // 693 body heights in 50-row pages: 14 pages.
    const query = `Observation?code=${encodeURIComponent(`${LOINC}|8302-2`)}&_count=50`;
    const expected = all('Observation').filter((o) => hasCoding(o.code, LOINC, '8302-2')).length;
    const ids: string[] = [];
    let res = await t.fhir('GET', query);
    let pages = 0;
    for (;;) {
      expectStatus(res, 200);
      pages++;
      expect(pages, 'paging does not end').toBeLessThanOrEqual(Math.ceil(expected / 50) + 1);
      const page = entries(res).filter((e) => e.mode === 'match');
      const next = nextLink(res);
      // Every page but the last is full.
      if (next) expect(page).toHaveLength(50);
      ids.push(...page.map((e) => e.resource.id as string));
      if (!next) break;
      res = await t.fhir('GET', next);
    }
    expect(new Set(ids).size, 'an id came back twice').toBe(ids.length);
    expect(ids).toHaveLength(expected);
    expect(pages).toBe(Math.ceil(expected / 50));
    // The same set as one large page, so paging lost nothing and invented nothing.
    const whole = await onePage(t, `Observation?code=${encodeURIComponent(`${LOINC}|8302-2`)}&_count=1000`);
    expect(new Set(ids)).toEqual(new Set(whole.matches.map((e) => e.resource.id as string)));
  });
});
