/**
 * What a proxy sees, on both stores, through `dispatch`: a parent with full access to a young
 * child's record sees it all except resources labelled restricted; a parent with limited access
 * to an adolescent's record sees demographics, appointments, immunizations and allergies, and
 * nothing else of it by any route (read, search, count, compartment, include, chain, `_has`).
 * Also: staff using an app bound to one patient stay subject to the restricted-record rules.
 */
import type { Bundle } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../domain/access/principal.ts';
import type { Ctx } from '../../domain/context.ts';
import { dispatchAs, namedCreator, startTestApp, type TestApp } from '../test-app.ts';

const RESTRICTED = [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }];

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`proxy access (${kind})`, () => {
    let t: TestApp;
    const ids: Record<string, string> = {};
    const call = dispatchAs;
    const found = (b: Bundle | undefined) => (b?.entry ?? []).filter((e) => e.search?.mode !== 'outcome').map((e) => `${e.resource!.resourceType}/${e.resource!.id}`).sort();
    const as = (principal: Omit<Extract<Principal, { kind: 'user' }>, 'kind' | 'tenant'>): Ctx => ({
      tenant: t.practiceId,
      principal: { kind: 'user', tenant: t.practiceId, ...principal },
      store: t.store,
      audit: { record() {} },
      origin: {},
    });

    beforeAll(async () => {
      t = await startTestApp({ kind });
      const create = namedCreator(() => t, ids);
      await create('gp', { resourceType: 'Practitioner', name: [{ family: 'Gp' }] });
      await create('child', { resourceType: 'Patient', name: [{ family: 'Child' }], generalPractitioner: [{ reference: ids.gp }] });
      await create('teen', { resourceType: 'Patient', name: [{ family: 'Teen' }], generalPractitioner: [{ reference: ids.gp }] });
      for (const who of ['child', 'teen']) {
        const subject = { reference: ids[who] };
        await create(`${who}Obs`, { resourceType: 'Observation', status: 'final', code: { text: 'weight' }, subject });
        await create(`${who}Labelled`, { resourceType: 'Observation', meta: { security: RESTRICTED }, status: 'final', code: { text: 'sexual health' }, subject });
        await create(`${who}Cond`, { resourceType: 'Condition', code: { text: 'confidential' }, subject });
        await create(`${who}Imm`, { resourceType: 'Immunization', status: 'completed', vaccineCode: { text: 'MMR' }, occurrenceDateTime: '2020-01-01', patient: subject });
        await create(`${who}Allergy`, { resourceType: 'AllergyIntolerance', clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] }, patient: subject, code: { text: 'peanut' } });
        await create(`${who}Appt`, { resourceType: 'Appointment', status: 'booked', start: '2027-01-05T09:00:00Z', end: '2027-01-05T09:15:00Z', participant: [{ actor: subject, status: 'accepted' }] });
      }
    });
    afterAll(async () => {
      await t?.close();
    });

    const parent = (patient: 'child' | 'teen', limited: boolean): Ctx => {
      const id = ids[patient]!.split('/')[1]!;
      return as({ id: `parent-${patient}`, role: 'proxy', scopes: ['patient/*.rs'], fhirUser: 'RelatedPerson/parent', patients: [id], ...(limited ? { limitedPatients: [id] } : {}) });
    };

    it("a parent with full access sees the child's record except what is labelled restricted", async () => {
      const ctx = parent('child', false);
      expect(found((await call(ctx, 'GET', 'Observation')).body)).toEqual([ids.childObs]);
      expect((await call(ctx, 'GET', 'Observation?_summary=count')).body!.total).toBe(1);
      expect((await call(ctx, 'GET', ids.childCond!)).status).toBe(200);
      expect((await call(ctx, 'GET', ids.childLabelled!)).status).toBe('not-found');
      expect(found((await call(ctx, 'GET', `Patient?_has:Observation:subject:code:text=sexual`)).body)).toEqual([]);
      expect(found((await call(ctx, 'GET', `Patient?_has:Observation:subject:code:text=weight`)).body)).toEqual([ids.child]);
      expect(found((await call(ctx, 'GET', `${ids.child}/Observation`)).body)).toEqual([ids.childObs]);
      expect(found((await call(ctx, 'GET', `Patient?_revinclude=Observation:subject`)).body)).toEqual([ids.child, ids.childObs].sort());
    });

    it("a parent with limited access sees an adolescent's demographics, appointments, immunizations and allergies only", async () => {
      const ctx = parent('teen', true);
      for (const path of [ids.teen, ids.teenImm, ids.teenAllergy, ids.teenAppt]) expect((await call(ctx, 'GET', path!)).status, path).toBe(200);
      for (const path of [ids.teenObs, ids.teenCond, ids.teenLabelled, `${ids.teenObs}/_history`]) expect((await call(ctx, 'GET', path!)).status, path).toBe('not-found');
      expect(found((await call(ctx, 'GET', 'Observation')).body)).toEqual([]);
      expect((await call(ctx, 'GET', 'Condition?_summary=count')).body!.total).toBe(0);
      expect(found((await call(ctx, 'GET', 'Immunization')).body)).toEqual([ids.teenImm]);
      expect(found((await call(ctx, 'GET', `${ids.teen}/*`)).body)).toEqual([ids.teen, ids.teenAllergy, ids.teenAppt, ids.teenImm].sort());
      expect(found((await call(ctx, 'GET', 'Patient?_revinclude=Observation:subject&_revinclude=Immunization:patient')).body)).toEqual([ids.teen, ids.teenImm].sort());
      // Predicates over hidden types say nothing either.
      expect(found((await call(ctx, 'GET', 'Patient?_has:Condition:subject:code:text=confidential')).body)).toEqual([]);
      expect(found((await call(ctx, 'GET', 'Patient?_has:Immunization:patient:vaccine-code:text=MMR')).body)).toEqual([ids.teen]);
      // A Bundle entry fails like the request would.
      const bundle = { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: ids.teenCond } }, { request: { method: 'GET', url: ids.teenImm } }] };
      expect((await call(ctx, 'POST', '', bundle)).body!.entry!.map((e) => e.response!.status)).toEqual(['404 Not Found', '200 OK']);
    });

    it('the patient sees their own record whole, labelled resources included', async () => {
      const id = ids.teen!.split('/')[1]!;
      const ctx = as({ id: 'teen-user', role: 'patient', scopes: ['patient/*.rs'], fhirUser: ids.teen!, patients: [id] });
      expect((await call(ctx, 'GET', ids.teenLabelled!)).status).toBe(200);
      expect(found((await call(ctx, 'GET', 'Observation')).body)).toEqual([ids.teenObs, ids.teenLabelled].sort());
    });

    it("staff in an app bound to one patient cannot open that patient's restricted resources", async () => {
      const id = ids.teen!.split('/')[1]!;
      const ctx = as({ id: 'nurse-1', role: 'nurse', scopes: ['patient/*.rs'], fhirUser: 'Practitioner/not-the-gp', patients: [id] });
      const res = await call(ctx, 'GET', ids.teenLabelled!);
      expect([res.status, res.code]).toEqual(['forbidden', 'suppressed']);
      expect(found((await call(ctx, 'GET', 'Observation')).body)).toEqual([ids.teenObs]);
      // Their general practitioner, in the same kind of app, may.
      const gp = as({ id: 'gp-1', role: 'physician', scopes: ['patient/*.rs'], fhirUser: ids.gp!, patients: [id] });
      expect((await call(gp, 'GET', ids.teenLabelled!)).status).toBe(200);
    });
  });
}
