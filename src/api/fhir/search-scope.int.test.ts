/**
 * Search features that shape which resources a query reaches, over `buildApp().inject()` on both
 * stores: compartment search, wildcard includes, terminology modifiers (`:in`, `:not-in`,
 * `:below`, `:above`) and the bounds on expensive requests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { MAX_INCLUDED } from '../../store/sql/search/include.ts';
import { startTestApp, type Reply, type TestApp } from '../test-app.ts';

const KINDS = ['sqlite', 'postgres'] as const;
const CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const idsOf = (r: Reply, mode = 'match'): string[] => (r.body.entry ?? []).filter((e: any) => e.search?.mode === mode).map((e: any) => `${e.resource.resourceType}/${e.resource.id}`).sort();

for (const kind of KINDS) {
  describe(`search scope (${kind})`, () => {
    let t: TestApp;
    const tag = `urn:scope:${randomUUID()}`;
    const made: Record<string, string> = {};
    const create = async (name: string, resource: Record<string, unknown>): Promise<string> => {
      const res = await t.fhir('POST', resource.resourceType as string, { body: { ...resource, meta: { tag: [{ system: tag, code: 'x' }] } } });
      expect(res.status, res.text).toBe(201);
      made[name] = `${resource.resourceType}/${res.body.id}`;
      return res.body.id as string;
    };
    const search = async (path: string): Promise<Reply> => {
      const res = await t.fhir('GET', path);
      expect(res.status, res.text).toBe(200);
      return res;
    };

    beforeAll(async () => {
      t = await startTestApp({ kind });
      const a = await create('patientA', { resourceType: 'Patient', name: [{ family: 'Alpha' }], gender: 'female' });
      const b = await create('patientB', { resourceType: 'Patient', name: [{ family: 'Beta' }], gender: 'male' });
      const practitioner = await create('practitioner', { resourceType: 'Practitioner', name: [{ family: 'Doc' }] });
      const enc = await create('encounterA', { resourceType: 'Encounter', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, subject: { reference: `Patient/${a}` } });
      const obs = (code: string, subject: string, extra: object = {}) => ({
        resourceType: 'Observation',
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code }] },
        subject: { reference: `Patient/${subject}` },
        ...extra,
      });
      await create('obsA1', obs('8480-6', a, { encounter: { reference: `Encounter/${enc}` }, performer: [{ reference: `Practitioner/${practitioner}` }] }));
      await create('obsA2', obs('8462-4', a));
      await create('obsB1', obs('8480-6', b));
      // In A's compartment through `performer`, not `subject`.
      await create('obsPerformedByA', { ...obs('8310-5', b), performer: [{ reference: `Patient/${a}` }] });
      await create('conditionA', { resourceType: 'Condition', subject: { reference: `Patient/${a}` }, clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] } });
      const condition = (code: string | undefined) => ({
        resourceType: 'Condition',
        subject: { reference: `Patient/${b}` },
        ...(code ? { clinicalStatus: { coding: [{ system: CLINICAL, code }] } } : {}),
      });
      await create('conditionRelapse', condition('relapse'));
      await create('conditionResolved', condition('resolved'));
      await create('conditionNoStatus', condition(undefined));
    });
    afterAll(async () => {
      await t?.close();
    });

    it('Patient/[id]/[type] finds the resources in that patient compartment through any of its parameters', async () => {
      const a = made.patientA.split('/')[1];
      const res = await search(`Patient/${a}/Observation?_tag=${encodeURIComponent(tag)}|x`);
      expect(idsOf(res)).toEqual([made.obsA1, made.obsA2, made.obsPerformedByA].sort());
      expect(res.body.link.find((l: { relation: string }) => l.relation === 'self').url).toContain(`/Patient/${a}/Observation?`);
      const coded = await search(`Patient/${a}/Observation?code=http://loinc.org|8480-6`);
      expect(idsOf(coded)).toEqual([made.obsA1]);
    });

    it('Patient/[id]/* searches every member type, the patient included; _type narrows it', async () => {
      const a = made.patientA.split('/')[1];
      const all = await search(`Patient/${a}/*?_count=100`);
      expect(idsOf(all)).toEqual([made.patientA, made.encounterA, made.obsA1, made.obsA2, made.obsPerformedByA, made.conditionA].sort());
      const some = await search(`Patient/${a}/*?_type=Condition,Encounter`);
      expect(idsOf(some)).toEqual([made.encounterA, made.conditionA].sort());
    });

    it('compartment search refuses types outside the compartment and other compartments', async () => {
      const a = made.patientA.split('/')[1];
      const outside = await t.fhir('GET', `Patient/${a}/Organization`);
      expect(outside.status).toBe(400);
      expect(outside.body.issue[0].diagnostics).toContain('not part of the Patient compartment');
      const other = await t.fhir('GET', `Practitioner/${made.practitioner.split('/')[1]}/Observation`);
      expect(other.status).toBe(404);
      expect(other.body.resourceType).toBe('OperationOutcome');
    });

    it('_include=* follows every reference; Type:*:Target narrows by target; _revinclude=* finds every referrer', async () => {
      const obsA1 = made.obsA1.split('/')[1];
      const all = await search(`Observation?_id=${obsA1}&_include=*`);
      expect(idsOf(all, 'include')).toEqual([made.patientA, made.encounterA, made.practitioner].sort());
      const encounters = await search(`Observation?_id=${obsA1}&_include=Observation:*:Encounter`);
      expect(idsOf(encounters, 'include')).toEqual([made.encounterA]);
      const a = made.patientA.split('/')[1];
      const referrers = await search(`Patient?_id=${a}&_revinclude=*`);
      expect(idsOf(referrers, 'include')).toEqual([made.encounterA, made.obsA1, made.obsA2, made.obsPerformedByA, made.conditionA].sort());
      const iterated = await search(`Encounter?_id=${made.encounterA.split('/')[1]}&_revinclude=Observation:encounter&_include:iterate=Observation:performer`);
      expect(idsOf(iterated, 'include')).toEqual([made.obsA1, made.practitioner].sort());
    });

    it('includes stop at the per-page bound and the searchset says so in an outcome entry', async () => {
      const subject = await create('crowded', { resourceType: 'Patient', name: [{ family: 'Crowded' }] });
      const entry = Array.from({ length: MAX_INCLUDED + 5 }, () => ({
        request: { method: 'POST', url: 'Observation' },
        resource: { resourceType: 'Observation', status: 'final', code: { text: 'n' }, subject: { reference: `Patient/${subject}` } },
      }));
      const tx = await t.fhir('POST', '', { body: { resourceType: 'Bundle', type: 'transaction', entry } });
      expect(tx.status, tx.text.slice(0, 500)).toBe(200);
      const res = await search(`Patient?_id=${subject}&_revinclude=Observation:subject`);
      expect(idsOf(res, 'include')).toHaveLength(MAX_INCLUDED);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const outcome = res.body.entry.find((e: any) => e.search.mode === 'outcome');
      expect(outcome.resource.issue[0]).toMatchObject({ severity: 'warning', code: 'too-costly' });
    });

    it(':in, :not-in, :below and :above expand the value sets and code systems published with R4', async () => {
      const tagged = `_tag=${encodeURIComponent(tag)}|x`;
      const conditions = async (query: string) => idsOf(await search(`Condition?${tagged}&${query}`));
      expect(await conditions(`clinical-status:below=${CLINICAL}|active`)).toEqual([made.conditionA, made.conditionRelapse].sort());
      expect(await conditions(`clinical-status:above=${CLINICAL}|relapse`)).toEqual([made.conditionA, made.conditionRelapse].sort());
      expect(await conditions(`clinical-status:below=${CLINICAL}|inactive`)).toEqual([made.conditionResolved]);
      expect(await conditions('clinical-status:in=http://hl7.org/fhir/ValueSet/condition-clinical')).toEqual([made.conditionA, made.conditionRelapse, made.conditionResolved].sort());
      expect(await conditions('clinical-status:not-in=http://hl7.org/fhir/ValueSet/condition-clinical')).toEqual([made.conditionNoStatus]);
      const patients = await search(`Patient?${tagged}&gender:in=http://hl7.org/fhir/ValueSet/administrative-gender`);
      expect(idsOf(patients)).toEqual([made.patientA, made.patientB].sort());
    });

    it('terminology modifiers Heron cannot evaluate are refused with not-supported, never an empty match', async () => {
      for (const query of ['Observation?code:below=http://loinc.org|8480-6', 'Observation?code:in=http://example.org/ValueSet/local', `Condition?clinical-status:below=${CLINICAL}|no-such-code`]) {
        const res = await t.fhir('GET', query);
        expect(res.status, query).toBe(400);
        expect(res.body.issue[0].code, query).toBe('not-supported');
      }
      const bad = await t.fhir('GET', 'Condition?clinical-status:below=active');
      expect(bad.status).toBe(400);
      expect(bad.body.issue[0].diagnostics).toContain('system|code');
    });

    it('a client scoped to Observation searches a compartment for Observations; * covers only what it may search; naming other types is refused', async () => {
      const a = made.patientA.split('/')[1];
      const token = await t.tokenFor('system/Observation.read');
      expect((await t.fhir('GET', `Patient/${a}/Observation`, { token })).status).toBe(200);
      const everything = await t.fhir('GET', `Patient/${a}/*?_count=100`, { token });
      expect(everything.status).toBe(200);
      expect(idsOf(everything)).toEqual([made.obsA1, made.obsA2, made.obsPerformedByA].sort());
      expect((await t.fhir('GET', `Patient/${a}/*?_type=Condition`, { token })).status).toBe(403);
      expect((await t.fhir('GET', `Patient/${a}/*`, { token: await t.tokenFor('system/Practitioner.read') })).status).toBe(403);
    });
  });
}
