/**
 * Patient-bound access, on both stores: patient A's access tried against every way of reaching
 * patient B's record — read, vread, history, search (direct, by reference, by id, compartment,
 * chained, reverse-chained, counted, included), writes, conditional operations and Bundles. Runs
 * through `dispatch` (the path HTTP takes) with the principal a patient's token gives.
 */
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../domain/access/principal.ts';
import type { Ctx } from '../../domain/context.ts';
import { dispatchAs, startTestApp, type TestApp } from '../test-app.ts';
import { SAMPLE_FILES } from '../../../tests/fixtures/document-files.ts';

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`patient-bound access (${kind})`, () => {
    let t: TestApp;
    const ids: Record<string, string> = {};
    let patientCtx: Ctx;

    const call = dispatchAs;
    const matches = (bundle: Bundle | undefined) => (bundle?.entry ?? []).filter((e) => e.search?.mode !== 'outcome').map((e) => `${e.resource!.resourceType}/${e.resource!.id}`).sort();

    beforeAll(async () => {
      t = await startTestApp({ kind });
      const create = async (name: string, resource: object) => {
        const res = await t.fhir('POST', (resource as Resource).resourceType, { body: resource });
        expect(res.status, res.text).toBe(201);
        ids[name] = res.body.id;
      };
      await create('practitioner', { resourceType: 'Practitioner', name: [{ family: 'Doc' }] });
      await create('a', { resourceType: 'Patient', name: [{ family: 'Alpha', given: ['Ann'] }], birthDate: '1990-01-01', generalPractitioner: [{ reference: `Practitioner/${ids.practitioner}` }] });
      await create('b', { resourceType: 'Patient', name: [{ family: 'Beta', given: ['Bob'] }], birthDate: '1990-01-01', generalPractitioner: [{ reference: `Practitioner/${ids.practitioner}` }] });
      const obs = (subject: string, code: string) => ({ resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code }] }, subject: { reference: `Patient/${subject}` }, performer: [{ reference: `Practitioner/${ids.practitioner}` }], effectiveDateTime: '2024-03-01' });
      await create('obsA', obs(ids.a, '8480-6'));
      await create('obsB', obs(ids.b, '8480-6'));
      await create('condB', { resourceType: 'Condition', subject: { reference: `Patient/${ids.b}` }, code: { text: 'secret diagnosis' } });
      const principal: Principal = { kind: 'user', id: 'user-a', tenant: t.practiceId, role: 'patient', scopes: ['patient/*.rs'], fhirUser: `Patient/${ids.a}`, patients: [ids.a] };
      patientCtx = { tenant: t.practiceId, principal, store: t.store, audit: { record() {} }, origin: {} };
    });
    afterAll(async () => {
      await t?.close();
    });

    it('reads their own record and the directory', async () => {
      expect((await call(patientCtx, 'GET', `Patient/${ids.a}`)).status).toBe(200);
      expect((await call(patientCtx, 'GET', `Observation/${ids.obsA}`)).status).toBe(200);
      expect((await call(patientCtx, 'GET', `Practitioner/${ids.practitioner}`)).status).toBe(200);
      expect(matches((await call(patientCtx, 'GET', 'Observation')).body)).toEqual([`Observation/${ids.obsA}`]);
    });

    it("gets the latest of their own observations from $lastn, and nothing of B's", async () => {
      expect(matches((await call(patientCtx, 'GET', `Observation/$lastn?patient=${ids.a}`)).body)).toEqual([`Observation/${ids.obsA}`]);
      for (const query of [`patient=${ids.b}`, `subject=Patient/${ids.b}`, `patient=${ids.b}&code=http://loinc.org|8480-6&max=5`]) {
        const res = await call(patientCtx, 'GET', `Observation/$lastn?${query}`);
        expect(res.status, query).toBe(200);
        expect(matches(res.body), query).toEqual([]);
      }
    });

    it("finds only themselves with Patient/$match, never B", async () => {
      const match = (family: string, given: string) => ({ resourceType: 'Parameters', parameter: [{ name: 'resource', resource: { resourceType: 'Patient', name: [{ family, given: [given] }], birthDate: '1990-01-01' } }] });
      expect(matches((await call(patientCtx, 'POST', 'Patient/$match', match('Alpha', 'Ann'))).body)).toEqual([`Patient/${ids.a}`]);
      const beta = await call(patientCtx, 'POST', 'Patient/$match', match('Beta', 'Bob'));
      expect(beta.status).toBe(200);
      expect(matches(beta.body)).toEqual([]);
      // Staff find B the same way: the request itself would find B.
      expect((await t.fhir('POST', 'Patient/$match', { body: match('Beta', 'Bob') })).body.entry.map((e: { resource: Resource }) => e.resource.id)).toEqual([ids.b]);
    });

    it("reads the files of its own documents, never B's or unowned ones, and cannot search Binary", async () => {
      const file = (context?: string) => ({ resourceType: 'Binary', contentType: 'application/pdf', data: SAMPLE_FILES.pdf.toString('base64'), ...(context ? { securityContext: { reference: context } } : {}) });
      const make = async (resource: object) => {
        const res = await t.fhir('POST', (resource as Resource).resourceType, { body: resource });
        expect(res.status, res.text).toBe(201);
        return res.body.id as string;
      };
      const docA = await make({ resourceType: 'DocumentReference', status: 'current', subject: { reference: `Patient/${ids.a}` }, content: [{ attachment: { contentType: 'application/pdf' } }] });
      const docB = await make({ resourceType: 'DocumentReference', status: 'current', subject: { reference: `Patient/${ids.b}` }, content: [{ attachment: { contentType: 'application/pdf' } }] });
      const own = [await make(file(`Patient/${ids.a}`)), await make(file(`DocumentReference/${docA}`))];
      const others = [await make(file(`Patient/${ids.b}`)), await make(file(`DocumentReference/${docB}`)), await make(file()), await make(file(`Practitioner/${ids.practitioner}`))];
      for (const id of own) expect((await call(patientCtx, 'GET', `Binary/${id}`)).status, id).toBe(200);
      for (const id of others) {
        expect((await call(patientCtx, 'GET', `Binary/${id}`)).status, id).toBe('not-found');
        expect((await call(patientCtx, 'GET', `Binary/${id}/_history/1`)).status, id).toBe('not-found');
      }
      expect((await call(patientCtx, 'GET', 'Binary')).status).toBe('forbidden');
      expect((await call(patientCtx, 'GET', `Binary?_id=${own[0]}`)).status).toBe('forbidden');
      // Staff read them all.
      for (const id of [...own, ...others]) expect((await t.fhir('GET', `Binary/${id}`)).status).toBe(200);
    });

    it("cannot read B's resources by id, version or history: they look absent", async () => {
      for (const path of [`Patient/${ids.b}`, `Observation/${ids.obsB}`, `Observation/${ids.obsB}/_history/1`, `Observation/${ids.obsB}/_history`, `Condition/${ids.condB}`]) {
        expect((await call(patientCtx, 'GET', path)).status, path).toBe('not-found');
      }
    });

    it("finds nothing of B's by any search", async () => {
      const searches = [
        'Observation?code=http://loinc.org|8480-6',
        `Observation?subject=Patient/${ids.b}`,
        `Observation?_id=${ids.obsB}`,
        'Patient',
        `Patient?_id=${ids.b}`,
        'Patient?family=Beta',
        `Patient/${ids.b}/Observation`,
        `Patient/${ids.b}/*`,
        'Condition',
        'Observation?subject.family=Beta',
        'Patient?_has:Condition:subject:code:text=secret',
        `Observation?_id=${ids.obsA}&_include=Observation:performer&_revinclude:iterate=Patient:general-practitioner`,
        `Practitioner?_id=${ids.practitioner}&_revinclude=Patient:general-practitioner&_revinclude=Observation:performer`,
      ];
      for (const search of searches) {
        const res = await call(patientCtx, 'GET', search);
        expect(res.status, search).toBe(200);
        const found = matches(res.body);
        for (const theirs of [`Patient/${ids.b}`, `Observation/${ids.obsB}`, `Condition/${ids.condB}`]) expect(found, search).not.toContain(theirs);
      }
      const counted = await call(patientCtx, 'GET', 'Observation?_summary=count');
      expect(counted.body!.total).toBe(1);
      const included = await call(patientCtx, 'GET', `Practitioner?_id=${ids.practitioner}&_revinclude=Patient:general-practitioner`);
      expect(matches(included.body)).toEqual([`Patient/${ids.a}`, `Practitioner/${ids.practitioner}`]);
    });

    it('cannot write, conditionally write, probe with If-None-Exist, or search across types and history', async () => {
      const theirs = { resourceType: 'Observation', id: ids.obsB, status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${ids.b}` } };
      expect((await call(patientCtx, 'PUT', `Observation/${ids.obsB}`, theirs)).status).toBe('forbidden');
      expect((await call(patientCtx, 'DELETE', `Observation/${ids.obsB}`)).status).toBe('forbidden');
      expect((await call(patientCtx, 'DELETE', 'Observation?code=http://loinc.org|8480-6')).status).toBe('forbidden');
      expect((await call(patientCtx, 'GET', '_history')).status).toBe('forbidden');
      expect((await call(patientCtx, 'GET', 'Observation/_history')).status).toBe('forbidden');
      expect((await call(patientCtx, 'GET', '?_type=Observation,Practitioner')).status).toBe('forbidden');
      // The audit trail only as their own accounting of disclosures (own-disclosures.int.test.ts).
      expect((await call(patientCtx, 'GET', `AuditEvent?patient=Patient/${ids.b}`)).body!.entry ?? []).toEqual([]);
      // An app in patient context for a physician may write — but only into that patient's record.
      const launched: Ctx = { ...patientCtx, principal: { kind: 'user', id: 'doc', tenant: t.practiceId, role: 'physician', scopes: ['patient/*.cruds'], patients: [ids.a] } };
      // B's Observation is absent to it: its own body is refused as it would be for an unused id,
      // and a body of A's record cannot create at B's id (nor at any unused id: 405 for both).
      expect((await call(launched, 'PUT', `Observation/${ids.obsB}`, theirs)).status).toBe('forbidden');
      expect((await call(launched, 'PUT', `Observation/${ids.obsB}`, { ...theirs, subject: { reference: `Patient/${ids.a}` } })).status).toBe('not-allowed');
      expect((await call(launched, 'GET', `Observation/${ids.obsB}`)).status).toBe('not-found');
      expect((await call(launched, 'POST', 'Observation', { ...theirs, id: undefined })).status).toBe('forbidden');
      expect((await call(launched, 'POST', 'Observation', { ...theirs, id: undefined }, { ifNoneExist: 'code=x' })).status).toBe('forbidden');
      const mine = await call(launched, 'POST', 'Observation', { ...theirs, id: undefined, subject: { reference: `Patient/${ids.a}` } });
      expect(mine.status).toBe(201);
    });

    it("a Bundle entry reaching B's record fails like the request would", async () => {
      const bundle = { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: `Observation/${ids.obsB}` } }, { request: { method: 'GET', url: `Observation/${ids.obsA}` } }] };
      const res = await call(patientCtx, 'POST', '', bundle);
      expect(res.body!.entry!.map((e) => e.response!.status)).toEqual(['404 Not Found', '200 OK']);
    });
  });
}
