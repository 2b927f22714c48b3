/**
 * Results release enforced by the server, on both stores: under the practice's rule a lab result
 * not yet released is absent to the patient and their proxy — read, vread, history, search (plain,
 * counted, compartment, `_include`, `_revinclude`, chained, `_has`), $everything, $summary, a
 * Bundle entry — and so is its review Task; it appears once reviewed or once the delay has passed.
 * Staff see everything throughout. Runs through `dispatch` with the principals a patient's and a
 * proxy's tokens give, on a clock the test moves.
 */
import type { Bundle, Extension, Organization, Task } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../domain/access/principal.ts';
import { manualClock } from '../../domain/clock.ts';
import type { Ctx } from '../../domain/context.ts';
import { newPracticeOrganization, practiceOrganizationQuery } from '../../domain/practice-settings/practice-organization.ts';
import { SETTING_URLS } from '../../domain/practice-settings/practice-settings.ts';
import { dispatchAs, startTestApp, type TestApp } from '../test-app.ts';

const DAY = 86_400_000;
const LAB = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] };
const VITALS = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] };

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`results release (${kind})`, () => {
    let t: TestApp;
    let org: Organization;
    const clock = manualClock(Date.parse('2026-12-06T12:00:00Z'));
    const ids: Record<string, string> = {};
    let patientCtx: Ctx;
    let proxyCtx: Ctx;
    // A new ctx per request, as the server builds one: what a request learned (the practice's rule) is not kept.
    const call = (ctx: Ctx, ...rest: Parameters<typeof dispatchAs> extends [Ctx, ...infer R] ? R : never) => dispatchAs({ ...ctx }, ...rest);
    const found = (bundle: Bundle | undefined) => (bundle?.entry ?? []).filter((e) => e.search?.mode !== 'outcome').map((e) => `${e.resource!.resourceType}/${e.resource!.id}`);

    const create = async (name: string, resource: object) => {
      const res = await t.fhir('POST', (resource as { resourceType: string }).resourceType, { body: resource });
      expect(res.status, res.text).toBe(201);
      ids[name] = res.body.id;
      return res.body.id as string;
    };
    const setRule = async (mode: string, delayDays?: number) => {
      const release: Extension = { url: SETTING_URLS.resultsRelease, extension: [{ url: 'mode', valueCode: mode }, ...(delayDays === undefined ? [] : [{ url: 'delayDays', valueUnsignedInt: delayDays }])] };
      const next = { ...org, extension: [...(org.extension ?? []).filter((e) => e.url !== SETTING_URLS.resultsRelease), release] };
      const res = await t.fhir('PUT', `Organization/${org.id}`, { body: next });
      expect(res.status, res.text).toBe(200);
      org = res.body;
    };
    const labResult = (status: string, effective: string, code = '4548-4') => ({
      resourceType: 'Observation',
      status,
      category: [LAB],
      code: { coding: [{ system: 'http://loinc.org', code }], text: 'Hemoglobin A1c' },
      subject: { reference: `Patient/${ids.patient}` },
      performer: [{ reference: `Practitioner/${ids.practitioner}` }],
      effectiveDateTime: effective,
      valueQuantity: { value: 7.9, unit: '%', system: 'http://unitsofmeasure.org', code: '%' },
    });
    const reviewOf = async (ref: string): Promise<Task> => {
      const res = await t.fhir('GET', `Task?focus=${ref}`);
      expect(res.body.entry, ref).toHaveLength(1);
      return res.body.entry[0].resource as Task;
    };
    const completeReview = async (ref: string) => {
      const task = await reviewOf(ref);
      const res = await t.fhir('PUT', `Task/${task.id}`, { body: { ...task, status: 'completed' } });
      expect(res.status, res.text).toBe(200);
    };
    /** What the patient can reach of `ref` through every path; each entry says whether it is visible there. */
    const reach = async (ctx: Ctx, type: string, id: string): Promise<Record<string, boolean>> => {
      const ref = `${type}/${id}`;
      const ok = async (path: string) => (await call(ctx, 'GET', path)).status === 200;
      const inSearch = async (path: string) => {
        const res = await call(ctx, 'GET', path);
        expect(res.status, path).toBe(200);
        return found(res.body).includes(ref);
      };
      const batch = await call(ctx, 'POST', '', { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: ref } }] });
      return {
        read: await ok(ref),
        vread: await ok(`${ref}/_history/1`),
        history: await ok(`${ref}/_history`),
        search: await inSearch(type),
        byId: await inSearch(`${type}?_id=${id}`),
        compartment: await inSearch(`Patient/${ids.patient}/${type}`),
        everything: await inSearch(`Patient/${ids.patient}/$everything`),
        included: await inSearch(`DiagnosticReport?_id=${ids.report}&_include=DiagnosticReport:result`),
        revincluded: await inSearch(`Practitioner?_id=${ids.practitioner}&_revinclude=Observation:performer`),
        batch: batch.body!.entry![0].response!.status === '200 OK',
      };
    };
    const everywhere = (visible: boolean) => ({ read: visible, vread: visible, history: visible, search: visible, byId: visible, compartment: visible, everything: visible, included: visible, revincluded: visible, batch: visible });

    beforeAll(async () => {
      t = await startTestApp({ kind });
      const created = await t.fhir('POST', 'Organization', { body: newPracticeOrganization({ id: t.practiceId, name: 'Riverside' }), headers: { 'if-none-exist': practiceOrganizationQuery(t.practiceId).toString() } });
      expect(created.status, created.text).toBe(201);
      org = created.body;
      await create('practitioner', { resourceType: 'Practitioner', name: [{ family: 'Doc' }] });
      await create('patient', { resourceType: 'Patient', name: [{ family: 'Alpha', given: ['Ann'] }], birthDate: '1990-01-01', generalPractitioner: [{ reference: `Practitioner/${ids.practitioner}` }] });
      await create('parent', { resourceType: 'RelatedPerson', patient: { reference: `Patient/${ids.patient}` }, name: [{ family: 'Alpha', given: ['Pat'] }] });
      const patient: Principal = { kind: 'user', id: 'user-patient', tenant: t.practiceId, role: 'patient', scopes: ['patient/*.rs'], fhirUser: `Patient/${ids.patient}`, patients: [ids.patient] };
      const proxy: Principal = { kind: 'user', id: 'user-proxy', tenant: t.practiceId, role: 'proxy', scopes: ['patient/*.rs'], fhirUser: `RelatedPerson/${ids.parent}`, patients: [ids.patient] };
      patientCtx = { tenant: t.practiceId, principal: patient, store: t.store, audit: { record() {} }, origin: {}, clock: clock.now };
      proxyCtx = { ...patientCtx, principal: proxy };
    });
    afterAll(async () => {
      await t?.close();
    });

    it('after review: a new lab result and its review are absent to the patient and the proxy until reviewed; staff see them', async () => {
      await setRule('after-review');
      const id = await create('a1c', labResult('final', '2026-12-01T09:00:00Z'));
      await create('vitals', { resourceType: 'Observation', status: 'final', category: [VITALS], code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }], text: 'Blood pressure' }, effectiveDateTime: '2026-12-01T09:00:00Z', subject: { reference: `Patient/${ids.patient}` }, performer: [{ reference: `Practitioner/${ids.practitioner}` }] });
      await create('report', { resourceType: 'DiagnosticReport', status: 'final', code: { text: 'Panel' }, subject: { reference: `Patient/${ids.patient}` }, result: [{ reference: `Observation/${id}` }] });
      const review = await reviewOf(`Observation/${id}`);

      expect(await reach(patientCtx, 'Observation', id)).toEqual(everywhere(false));
      expect(await reach(proxyCtx, 'Observation', id)).toEqual(everywhere(false));
      // What is not a lab result is untouched: the vital signs, the report without a lab category.
      expect(await reach(patientCtx, 'Observation', ids.vitals)).toMatchObject({ read: true, search: true, everything: true, revincluded: true });
      expect((await call(patientCtx, 'GET', `DiagnosticReport/${ids.report}`)).status).toBe(200);
      // Counted, chained and reverse-chained, and through the review Task: nothing gives it away.
      expect((await call(patientCtx, 'GET', 'Observation?_summary=count')).body!.total).toBe(1);
      expect(found((await call(patientCtx, 'GET', 'DiagnosticReport?result.code=http://loinc.org|4548-4')).body)).toEqual([]);
      expect(found((await call(patientCtx, 'GET', 'Patient?_has:Observation:subject:code=http://loinc.org|4548-4')).body)).toEqual([]);
      expect(found((await call(patientCtx, 'GET', `Observation/$lastn?patient=${ids.patient}`)).body)).toEqual([`Observation/${ids.vitals}`]);
      expect((await call(patientCtx, 'GET', `Task/${review.id}`)).status).toBe('not-found');
      expect(found((await call(patientCtx, 'GET', 'Task')).body)).toEqual([]);
      const summary = await call(patientCtx, 'GET', `Patient/${ids.patient}/$summary`);
      expect(summary.status).toBe(200);
      expect(JSON.stringify(summary.body)).not.toContain(id);
      // Staff see the result and its review.
      expect((await t.fhir('GET', `Observation/${id}`)).status).toBe(200);
      expect((await t.fhir('GET', `Patient/${ids.patient}/$everything`)).body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toContain(id);
      expect((await t.fhir('GET', 'Observation?_summary=count')).body.total).toBe(2);

      await completeReview(`Observation/${id}`);
      expect(await reach(patientCtx, 'Observation', id)).toEqual(everywhere(true));
      expect(await reach(proxyCtx, 'Observation', id)).toEqual(everywhere(true));
      expect(found((await call(patientCtx, 'GET', 'DiagnosticReport?result.code=http://loinc.org|4548-4')).body)).toEqual([`DiagnosticReport/${ids.report}`]);
      expect(JSON.stringify((await call(patientCtx, 'GET', `Patient/${ids.patient}/$summary`)).body)).toContain(id);
      // The review Task stays the practice's own.
      expect((await call(patientCtx, 'GET', `Task/${review.id}`)).status).toBe('not-found');
    });

    it('after N days or sooner once reviewed: hidden until the delay has passed from when it was taken', async () => {
      await setRule('delayed', 3);
      const fresh = await create('fresh', labResult('final', new Date(clock.now() - 1 * DAY).toISOString(), '2345-7'));
      const reviewedEarly = await create('reviewedEarly', labResult('final', new Date(clock.now() - 1 * DAY).toISOString(), '2160-0'));
      const old = await create('old', labResult('final', new Date(clock.now() - 4 * DAY).toISOString(), '2093-3'));
      await completeReview(`Observation/${reviewedEarly}`);
      const visible = async (id: string) => (await call(patientCtx, 'GET', `Observation/${id}`)).status === 200 && found((await call(patientCtx, 'GET', 'Observation?_count=100')).body).includes(`Observation/${id}`);
      expect(await visible(fresh)).toBe(false);
      expect(await visible(reviewedEarly)).toBe(true);
      expect(await visible(old)).toBe(true);
      clock.advance(2 * DAY + 60_000);
      expect(await visible(fresh)).toBe(true);
    });

    it('immediately: final results show at once, preliminary ones never; the setting applies to the next request', async () => {
      await setRule('after-review');
      const final = await create('final', labResult('final', '2026-12-05T09:00:00Z', '718-7'));
      const preliminary = await create('preliminary', labResult('preliminary', '2026-12-05T09:00:00Z', '789-8'));
      expect((await call(patientCtx, 'GET', `Observation/${final}`)).status).toBe('not-found');
      await setRule('immediate');
      expect((await call(patientCtx, 'GET', `Observation/${final}`)).status).toBe(200);
      expect(await reach(patientCtx, 'Observation', preliminary)).toMatchObject({ read: false, search: false, everything: false });
      expect((await t.fhir('GET', `Observation/${preliminary}`)).status).toBe(200);
    });

    it('a lab DiagnosticReport is held back like an Observation, by its issued time', async () => {
      await setRule('delayed', 2);
      const report = await create('labReport', {
        resourceType: 'DiagnosticReport',
        status: 'final',
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB' }] }],
        code: { text: 'Lipid panel' },
        subject: { reference: `Patient/${ids.patient}` },
        effectiveDateTime: new Date(clock.now() - 5 * DAY).toISOString(),
        issued: new Date(clock.now() - 1 * DAY).toISOString(),
      });
      expect((await call(patientCtx, 'GET', `DiagnosticReport/${report}`)).status).toBe('not-found');
      expect(found((await call(patientCtx, 'GET', `Patient/${ids.patient}/$everything`)).body)).not.toContain(`DiagnosticReport/${report}`);
      clock.advance(DAY + 60_000);
      expect((await call(patientCtx, 'GET', `DiagnosticReport/${report}`)).status).toBe(200);
      expect(found((await call(patientCtx, 'GET', `Patient/${ids.patient}/$everything`)).body)).toContain(`DiagnosticReport/${report}`);
    });
  });
}
