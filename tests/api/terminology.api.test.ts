/**
 * The terminology operations over HTTP, on the subsets Heron ships (loaded with the CLI):
 * `ValueSet/$expand` as the clinician app's type-aheads call it, `CodeSystem/$lookup`, their
 * errors as OperationOutcomes, and who may call them.
 * @see https://hl7.org/fhir/R4/valueset-operation-expand.html
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { HeronServer, STORE_KINDS, type Tenant } from '../fixtures/heron-server.ts';
import { useHeronServer } from '../fixtures/use-heron-server.ts';
import { conceptWords, matchTier, parseFilter } from '../../src/fhir/terminology/words.ts';
import { expectOutcome, expectStatus } from './fhir-expect.ts';

const VS = 'https://heron.dev/fhir/ValueSet/';
const ICD = 'http://hl7.org/fhir/sid/icd-10-cm';
const SNOMED = 'http://snomed.info/sct';
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const CVX = 'http://hl7.org/fhir/sid/cvx';
const LOINC = 'http://loinc.org';

describe.each(STORE_KINDS)('terminology operations (%s)', (kind) => {
  let server: HeronServer;
  let t: Tenant;

  useHeronServer(kind, (started) => {
    server = started;
    t = started.default;
  });

  beforeAll(async () => {
    const loaded = await server.cli(['terminology', 'load', '--shipped', '--json']);
    expect(loaded.code, loaded.stderr).toBe(0);
    const systems = (JSON.parse(loaded.stdout) as { loaded: { system: string; total: number }[] }).loaded;
    expect(systems.map((s) => s.system)).toEqual(['icd-10-cm', 'snomed', 'rxnorm', 'cvx', 'loinc', 'ucum']);
  });

  const expand = async (query: string, tenant: Tenant = t) => {
    const res = await tenant.fhir('GET', `ValueSet/$expand?${query}`);
    expectStatus(res, 200);
    return res.body;
  };
  const codes = (vs: any) => (vs.expansion.contains ?? []).map((c: any) => `${c.system}|${c.code}`);
  const displays = (vs: any) => (vs.expansion.contains ?? []).map((c: any) => c.display);

  it('expands the problems value set by word prefixes in any order, best matches first', async () => {
    const vs = await expand(`url=${encodeURIComponent(VS + 'problems')}&filter=${encodeURIComponent('type 2 diab')}&count=5`);
    expect(vs).toMatchObject({ resourceType: 'ValueSet', id: 'problems', url: VS + 'problems', status: 'active' });
    expect(vs.expansion.total).toBeGreaterThan(20);
    expect(vs.expansion.offset).toBe(0);
    expect(vs.expansion.contains).toHaveLength(5);
    // Displays that start with the filter come first, shorter first.
    expect(displays(vs)[0]).toMatch(/^Type 2 diabetes mellitus/);
    for (const c of vs.expansion.contains) {
      expect([ICD, SNOMED]).toContain(c.system);
      expect(c.display.toLowerCase()).toMatch(/type/);
    }
    const anyOrder = await expand(`url=${encodeURIComponent(VS + 'problems')}&filter=${encodeURIComponent('DIAB 2 typ')}&count=1000`);
    expect(anyOrder.expansion.total).toBe(vs.expansion.total);
    expect(codes(anyOrder)).toContain(`${ICD}|E11.9`);
    expect(codes(anyOrder)).toContain(`${SNOMED}|44054006`);
    expect(anyOrder.expansion.parameter).toEqual(expect.arrayContaining([{ name: 'filter', valueString: 'DIAB 2 typ' }, { name: 'count', valueInteger: 1000 }]));
  });

  it('expands each picker value set from its code system', async () => {
    const meds = await expand(`url=${VS}medications&filter=metformin&count=50`);
    expect(meds.expansion.total).toBeGreaterThan(10);
    expect(meds.expansion.contains.every((c: any) => c.system === RXNORM && /metformin/i.test(c.display))).toBe(true);
    const vaccines = await expand(`url=${VS}vaccines&filter=influenza`);
    expect(vaccines.expansion.contains.every((c: any) => c.system === CVX)).toBe(true);
    expect(codes(await expand(`url=${VS}vaccines&filter=hep b&count=100`))).toContain(`${CVX}|08`);
    const allergens = await expand(`url=${VS}allergy-substances&filter=penicillin`);
    expect(codes(allergens)).toContain(`${RXNORM}|7980`);
    // Ingredients only: no clinical drugs in the allergy picker.
    expect(codes(allergens)).not.toContain(`${RXNORM}|731564`);
    const observations = await expand(`url=${VS}observations&filter=systolic blood`);
    expect(codes(observations)[0]).toBe(`${LOINC}|8480-6`);
    expect(displays(await expand(`url=${VS}units&filter=mercury`))).toContain('millimeter of mercury');
    // A code is found by its start.
    expect(codes(await expand(`url=${VS}problems&filter=e11.9`))).toEqual([`${ICD}|E11.9`]);
  });

  it('pages with offset and count, and reports the total', async () => {
    const all = await expand(`url=${VS}vaccines&count=1000`);
    expect(all.expansion.total).toBe(288);
    expect(all.expansion.contains).toHaveLength(288);
    const page = await expand(`url=${VS}vaccines&offset=280&count=10`);
    expect(page.expansion).toMatchObject({ total: 288, offset: 280 });
    expect(codes(page)).toEqual(codes(all).slice(280));
    const first = await expand(`url=${VS}vaccines`);
    expect(first.expansion.contains).toHaveLength(20);
    const none = await expand(`url=${VS}vaccines&filter=zzzz`);
    expect(none.expansion.total).toBe(0);
    expect(none.expansion.contains).toBeUndefined();
    expect((await expand(`url=${VS}vaccines&filter=${encodeURIComponent('()')}`)).expansion.total).toBe(0);
  });

  it('leaves the total out when every word of a filter starts thousands of entries, and still pages', async () => {
    // "fracture" starts ~9,000 problems' words and "o" more: counting them would cost more than the page.
    const many = await expand(`url=${VS}problems&filter=${encodeURIComponent('fracture o')}&count=10`);
    expect(many.expansion.total).toBeUndefined();
    expect(many.expansion.contains).toHaveLength(10);
    for (const c of many.expansion.contains) expect(c.display.toLowerCase()).toMatch(/fracture.*\bo|\bo.*fracture/);
    const next = await expand(`url=${VS}problems&filter=${encodeURIComponent('fracture o')}&count=10&offset=10`);
    expect(next.expansion.contains).toHaveLength(10);
    expect(codes(next).some((c: string) => codes(many).includes(c))).toBe(false);
    // A rarer word is still counted exactly, whatever the other word.
    expect((await expand(`url=${VS}problems&filter=${encodeURIComponent('migraine aura')}&count=5`)).expansion.total).toBeGreaterThan(5);
  });

  it('ranks and pages several words the same whichever word drives the search: rare, common, or the display prefix', async () => {
    // "atrial f": a rare first word; "low b": a rare first word with matches beyond the prefix ranks;
    // "heart f" and "migraine aura": rare words; "type 2 di": every word common, the display prefix rare;
    // "c chronic": the first word is not a term of its own.
    for (const filter of ['atrial f', 'low b', 'heart f', 'migraine aura', 'type 2 di', 'c chronic']) {
      const parsed = parseFilter(filter)!;
      const all = await expand(`url=${VS}problems&filter=${encodeURIComponent(filter)}&count=1000`);
      const tiers = displays(all).map((d: string) => matchTier(d, parsed));
      expect(tiers, filter).toEqual([...tiers].sort((a, b) => a - b));
      // Every term starts a word of the display or the code (synonyms, not shown, may match too: none of these do).
      for (const c of all.expansion.contains) for (const term of parsed.terms) expect(conceptWords(c.code, [c.display]).some((w) => w.startsWith(term)), `${filter}: ${c.code} ${c.display}`).toBe(true);
      if (all.expansion.total !== undefined) expect(all.expansion.total, filter).toBe(all.expansion.contains.length);
      const page = await expand(`url=${VS}problems&filter=${encodeURIComponent(filter)}&offset=3&count=4`);
      expect(codes(page), filter).toEqual(codes(all).slice(3, 7));
    }
  });

  it('expands by id and by POST with Parameters alike', async () => {
    const byUrl = await expand(`url=${VS}allergy-substances&filter=peanut`);
    const byId = await t.fhir('GET', 'ValueSet/allergy-substances/$expand?filter=peanut');
    expectStatus(byId, 200);
    expect(codes(byId.body)).toEqual(codes(byUrl));
    const posted = await t.fhir('POST', 'ValueSet/$expand', {
      body: { resourceType: 'Parameters', parameter: [{ name: 'url', valueUri: `${VS}allergy-substances` }, { name: 'filter', valueString: 'peanut' }, { name: 'count', valueInteger: 20 }] },
    });
    expectStatus(posted, 200);
    expect(codes(posted.body)).toEqual(codes(byUrl));
    expect(codes(byUrl).length).toBeGreaterThan(0);
  });

  it('looks up a concept in each code system', async () => {
    const res = await t.fhir('GET', `CodeSystem/$lookup?system=${encodeURIComponent(ICD)}&code=E11.9`);
    expectStatus(res, 200);
    expect(res.body.resourceType).toBe('Parameters');
    const value = (name: string) => res.body.parameter.find((p: any) => p.name === name);
    expect(value('name')).toEqual({ name: 'name', valueString: 'ICD10CM' });
    expect(value('display')).toEqual({ name: 'display', valueString: 'Type 2 diabetes mellitus without complications' });
    const snomed = await t.fhir('GET', `CodeSystem/$lookup?system=${encodeURIComponent(SNOMED)}&code=44054006`);
    expectStatus(snomed, 200);
    expect(snomed.body.parameter).toEqual(
      expect.arrayContaining([
        { name: 'display', valueString: 'Diabetes mellitus type 2' },
        { name: 'property', part: [{ name: 'code', valueCode: 'semanticTag' }, { name: 'value', valueString: 'disorder' }] },
        { name: 'property', part: [{ name: 'code', valueCode: 'inactive' }, { name: 'value', valueBoolean: false }] },
      ]),
    );
    const byId = await t.fhir('GET', 'CodeSystem/cvx/$lookup?code=08');
    expectStatus(byId, 200);
    expect(byId.body.parameter).toContainEqual({ name: 'display', valueString: 'Hep B, adolescent or pediatric' });
    const posted = await t.fhir('POST', 'CodeSystem/$lookup', { body: { resourceType: 'Parameters', parameter: [{ name: 'coding', valueCoding: { system: LOINC, code: '8480-6' } }] } });
    expectStatus(posted, 200);
    expect(posted.body.parameter).toContainEqual({ name: 'display', valueString: 'Systolic blood pressure' });
  });

  it('answers bad requests with an OperationOutcome: 404 for what is not there, 400 for bad parameters', async () => {
    const cases: [string, string, number, RegExp][] = [
      ['GET', `ValueSet/$expand?url=${VS}nothing&filter=a`, 404, /no value set/],
      ['GET', 'ValueSet/nothing/$expand?filter=a', 404, /no value set with id/],
      ['GET', 'ValueSet/$expand?filter=diab', 400, /needs the url/],
      ['GET', `ValueSet/$expand?url=${VS}problems&count=abc`, 400, /count must be a whole number/],
      ['GET', `ValueSet/$expand?url=${VS}problems&count=5000`, 400, /count must be at most 1000/],
      ['GET', `ValueSet/$expand?url=${VS}problems&offset=-1`, 400, /offset must be a whole number/],
      ['GET', `ValueSet/$expand?url=${VS}problems&filtr=diab`, 400, /no parameter "filtr"/],
      ['GET', `ValueSet/$expand?url=${VS}problems&filter=a&filter=b`, 400, /filter once/],
      ['GET', `ValueSet/problems/$expand?url=${VS}problems`, 400, /leave out url/],
      ['GET', `CodeSystem/$lookup?system=${ICD}`, 400, /needs the code/],
      ['GET', 'CodeSystem/$lookup?code=E11.9', 400, /needs the code system/],
      ['GET', 'CodeSystem/$lookup?system=http://example.org/none&code=1', 404, /not loaded/],
      ['GET', `CodeSystem/$lookup?system=${ICD}&code=Z99.999`, 404, /has no code "Z99.999"/],
      ['GET', `CodeSystem/$lookup?system=${ICD}&code=E11.9&coding=x`, 400, /coding/],
      ['GET', 'ValueSet/$lookup', 404, /not supported/],
    ];
    for (const [method, path, status, message] of cases) {
      const res = await t.fhir(method, path);
      expectOutcome(res, status);
      expect(res.body.issue[0].diagnostics, path).toMatch(message);
    }
    const notParameters = await t.fhir('POST', 'ValueSet/$expand', { body: { resourceType: 'Patient' } });
    expectOutcome(notParameters, 400);
    const put = await t.fhir('PUT', 'ValueSet/$expand', { body: { resourceType: 'Parameters' } });
    expectOutcome(put, 405);
  });

  it('needs a token, and scopes that allow reading ValueSet or CodeSystem', async () => {
    expectOutcome(await t.fhir('GET', `ValueSet/$expand?url=${VS}vaccines`, { token: null }), 401);
    const patientsOnly = await server.addTenant('Patients only', 'system/Patient.rs');
    expectOutcome(await patientsOnly.fhir('GET', `ValueSet/$expand?url=${VS}vaccines`), 403);
    expectOutcome(await patientsOnly.fhir('GET', `CodeSystem/$lookup?system=${CVX}&code=08`), 403);
    // Another practice sees the same terminology: it is every practice's.
    const terminologyReader = await server.addTenant('Terminology reader', 'system/ValueSet.rs system/CodeSystem.rs');
    expect(codes(await expand(`url=${VS}vaccines&filter=hep b&count=100`, terminologyReader))).toContain(`${CVX}|08`);
    expectStatus(await terminologyReader.fhir('GET', `CodeSystem/$lookup?system=${CVX}&code=08`), 200);
  });

  it('lists the operations in the CapabilityStatement', async () => {
    const res = await server.request('GET', '/fhir/R4/metadata');
    const resources = res.body.rest[0].resource;
    const ops = (type: string) => resources.find((r: any) => r.type === type).operation.map((o: any) => o.definition);
    expect(ops('ValueSet')).toContain('http://hl7.org/fhir/OperationDefinition/ValueSet-expand');
    expect(ops('CodeSystem')).toContain('http://hl7.org/fhir/OperationDefinition/CodeSystem-lookup');
  });

  it('lists the code systems and value sets, and refuses a file it cannot read', async () => {
    const list = await server.cli(['terminology', 'list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const listed = JSON.parse(list.stdout);
    expect(listed.valueSets.map((v: any) => v.url)).toEqual(['problems', 'medications', 'vaccines', 'allergy-substances', 'observations', 'units'].map((id) => VS + id));
    expect(listed.codeSystems.find((s: any) => s.system === 'cvx').concepts).toBe(288);
    const wrong = await server.cli(['terminology', 'load', 'snomed', 'terminology/cvx/cvx-codes.tsv']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/not in a layout Heron reads for snomed/);
    const unknown = await server.cli(['terminology', 'load', 'icd-9', 'x.txt']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/one of icd-10-cm, snomed/);
  });
});
