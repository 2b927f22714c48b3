/**
 * `Patient/$everything` on both stores: the patient first, then their compartment, paged;
 * `_since` and `_type` narrow it; another patient's record is never in it (a patient asking for
 * another's gets the answer for an id never used); a front-desk user gets the demographics only;
 * unsupported parameters are refused with an OperationOutcome.
 */
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../domain/access/principal.ts';
import type { Ctx } from '../../domain/context.ts';
import { dispatchAs, startTestApp, type TestApp } from '../test-app.ts';

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`Patient/$everything (${kind})`, () => {
    let t: TestApp;
    const ids: Record<string, string> = {};
    let patientA: Ctx;
    let frontDesk: Ctx;
    let between = '';

    const refs = (bundle: Bundle | undefined) => (bundle?.entry ?? []).filter((e) => e.search?.mode !== 'outcome').map((e) => `${e.resource!.resourceType}/${e.resource!.id}`);
    const create = async (name: string, resource: object) => {
      const res = await t.fhir('POST', (resource as Resource).resourceType, { body: resource });
      expect(res.status, res.text).toBe(201);
      ids[name] = res.body.id;
    };

    beforeAll(async () => {
      t = await startTestApp({ kind });
      await create('a', { resourceType: 'Patient', name: [{ family: 'Alpha', given: ['Ann'] }], birthDate: '1990-01-01' });
      await create('b', { resourceType: 'Patient', name: [{ family: 'Beta', given: ['Bob'] }], birthDate: '1990-01-01' });
      await create('condA', { resourceType: 'Condition', subject: { reference: `Patient/${ids.a}` }, code: { text: 'Asthma' } });
      await create('condB', { resourceType: 'Condition', subject: { reference: `Patient/${ids.b}` }, code: { text: 'secret diagnosis' } });
      await new Promise((r) => setTimeout(r, 20));
      between = new Date().toISOString();
      await new Promise((r) => setTimeout(r, 20));
      for (const code of ['8480-6', '8462-4', '8867-4']) {
        await create(`obsA-${code}`, { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code }] }, subject: { reference: `Patient/${ids.a}` }, effectiveDateTime: '2024-03-01' });
      }
      await create('allergyA', { resourceType: 'AllergyIntolerance', clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] }, patient: { reference: `Patient/${ids.a}` }, code: { text: 'Peanut' } });
      const principal: Principal = { kind: 'user', id: 'user-a', tenant: t.practiceId, role: 'patient', scopes: ['patient/*.rs'], fhirUser: `Patient/${ids.a}`, patients: [ids.a] };
      patientA = { tenant: t.practiceId, principal, store: t.store, audit: { record() {} }, origin: {} };
      const desk: Principal = { kind: 'user', id: 'desk', tenant: t.practiceId, role: 'front-desk', scopes: ['user/*.cruds'] };
      frontDesk = { tenant: t.practiceId, principal: desk, store: t.store, audit: { record() {} }, origin: {} };
    });
    afterAll(async () => {
      await t?.close();
    });

    it('answers the patient first, then their whole compartment and nothing of another patient', async () => {
      const res = await t.fhir('GET', `Patient/${ids.a}/$everything`);
      expect(res.status, res.text).toBe(200);
      const all = refs(res.body);
      expect(all[0]).toBe(`Patient/${ids.a}`);
      expect(all.slice(1).sort()).toEqual([`AllergyIntolerance/${ids.allergyA}`, `Condition/${ids.condA}`, ...['8480-6', '8462-4', '8867-4'].map((c) => `Observation/${ids[`obsA-${c}`]}`)].sort());
      expect(res.body.type).toBe('searchset');
    });

    it('pages with _count, its next links staying on $everything, with every resource once', async () => {
      const seen: string[] = [];
      let url: string | undefined = `Patient/${ids.a}/$everything?_count=2`;
      for (let pages = 0; url !== undefined && pages < 10; pages++) {
        const res = await t.fhir('GET', url);
        expect(res.status, res.text).toBe(200);
        seen.push(...refs(res.body));
        const next = (res.body as Bundle).link?.find((l) => l.relation === 'next')?.url;
        if (next !== undefined) expect(next).toContain(`/Patient/${ids.a}/$everything?`);
        url = next?.slice(next.indexOf('Patient/'));
      }
      expect(seen[0]).toBe(`Patient/${ids.a}`);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toHaveLength(6);
    });

    it('narrows by _since and _type', async () => {
      const since = await t.fhir('GET', `Patient/${ids.a}/$everything?_since=${encodeURIComponent(between)}`);
      expect(refs(since.body).sort()).toEqual([`AllergyIntolerance/${ids.allergyA}`, ...['8480-6', '8462-4', '8867-4'].map((c) => `Observation/${ids[`obsA-${c}`]}`)].sort());
      const typed = await t.fhir('GET', `Patient/${ids.a}/$everything?_type=Condition,Patient`);
      expect(refs(typed.body)).toEqual([`Patient/${ids.a}`, `Condition/${ids.condA}`]);
      expect(refs((await t.fhir('GET', `Patient/${ids.a}/$everything?_type=Patient`)).body)).toEqual([`Patient/${ids.a}`]);
    });

    it("gives a patient their own record, and another's as an id never used", async () => {
      const own = await dispatchAs(patientA, 'GET', `Patient/${ids.a}/$everything`);
      expect(own.status).toBe(200);
      expect(refs(own.body)).toContain(`Condition/${ids.condA}`);
      const other = await dispatchAs(patientA, 'GET', `Patient/${ids.b}/$everything`);
      const never = await dispatchAs(patientA, 'GET', `Patient/unused-id-0000/$everything`);
      expect(other.status).toBe('not-found');
      expect(other.status).toBe(never.status);
      expect(other.code).toBe(never.code);
    });

    it('gives the front desk the demographics only (no clinical types)', async () => {
      const res = await dispatchAs(frontDesk, 'GET', `Patient/${ids.a}/$everything`);
      expect(res.status).toBe(200);
      const types = new Set(refs(res.body).map((r) => r.split('/')[0]));
      expect(types.has('Patient')).toBe(true);
      for (const clinical of ['Condition', 'Observation', 'AllergyIntolerance']) expect(types.has(clinical), clinical).toBe(false);
      expect((await dispatchAs(frontDesk, 'GET', `Patient/${ids.a}/$everything?_type=Condition`)).status).toBe('forbidden');
    });

    it('refuses what it does not support, with an OperationOutcome naming the parameter', async () => {
      for (const [query, param] of [['start=2024-01-01', 'start'], ['_since=yesterday', '_since'], ['_since=2024-01-01', '_since']] as const) {
        const res = await t.fhir('GET', `Patient/${ids.a}/$everything?${query}`);
        expect(res.status, query).toBe(400);
        expect(res.body.resourceType).toBe('OperationOutcome');
        expect(JSON.stringify(res.body.issue), query).toContain(param);
      }
      expect((await t.fhir('POST', `Patient/${ids.a}/$everything`, { body: { resourceType: 'Parameters' } })).status).toBe(405);
    });
  });
}
