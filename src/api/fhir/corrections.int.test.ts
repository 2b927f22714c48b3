/**
 * A patient's request to correct their record and the practice's answer, on both stores: the
 * patient asks about an item of their own record only, never decides or changes the request, and
 * a limited proxy cannot ask; staff who may change the item accept it (after amending the item,
 * naming the amended version) or deny it with a reason — a denial without one is refused with an
 * OperationOutcome that says so; front desk and assistants answer nothing; an answer is final; the
 * patient reads the answer and may file a statement of disagreement (a message about the request).
 */
import type { Communication, Condition, Resource, Task } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal, Role } from '../../domain/access/principal.ts';
import type { Ctx } from '../../domain/context.ts';
import { FhirError } from '../../fhir/outcome.ts';
import { dispatch } from './dispatch.ts';
import { BASE, dispatchAs, startTestApp, type TestApp } from '../test-app.ts';

const TASK_CODE = { coding: [{ system: 'http://hl7.org/fhir/CodeSystem/task-code', code: 'change' }] };

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`correction requests and their answers (${kind})`, () => {
    let t: TestApp;
    const ids: Record<string, string> = {};
    let patientA: Ctx;
    let limitedProxy: Ctx;
    const ctxOf = (principal: Principal): Ctx => ({ tenant: t.practiceId, principal, store: t.store, audit: { record() {} }, origin: {} });
    const staff = (role: Role): Ctx => ctxOf({ kind: 'user', id: `user-${role}`, tenant: t.practiceId, role, scopes: ['user/*.cruds'], fhirUser: `Practitioner/${ids.doc}` });
    const request = (focus: string, extra: object = {}): Task => ({ resourceType: 'Task', status: 'requested', intent: 'proposal', code: TASK_CODE, for: { reference: `Patient/${ids.a}` }, focus: { reference: focus }, requester: { reference: `Patient/${ids.a}` }, description: 'I am not allergic to penicillin; it was amoxicillin that gave me a rash.', authoredOn: '2026-12-01T10:00:00Z', ...extra });
    const ask = async (focus: string): Promise<Task> => {
      const res = await dispatchAs(patientA, 'POST', 'Task', request(focus));
      expect(res.status).toBe(201);
      return res.body as unknown as Task;
    };
    /** The write's outcome as the server says it: status category and the first issue's words and element. */
    const attempt = async (ctx: Ctx, method: 'PUT' | 'POST', path: string, body: object) => {
      try {
        const res = await dispatch(ctx, { method, path, query: new URLSearchParams(), headers: {}, baseUrl: BASE, body });
        return { status: res.status as number | string, body: res.body as Resource | undefined, text: '', expression: '' };
      } catch (err) {
        if (!(err instanceof FhirError)) throw err;
        return { status: err.category as number | string, body: undefined, text: err.issues[0]?.diagnostics ?? '', expression: err.issues[0]?.expression?.join() ?? '' };
      }
    };

    beforeAll(async () => {
      t = await startTestApp({ kind });
      const make = async (name: string, resource: object) => {
        const res = await t.fhir('POST', (resource as Resource).resourceType, { body: resource });
        expect(res.status, res.text).toBe(201);
        ids[name] = res.body.id;
      };
      await make('doc', { resourceType: 'Practitioner', name: [{ family: 'Osler' }] });
      await make('a', { resourceType: 'Patient', name: [{ family: 'Alpha' }], birthDate: '1990-01-01' });
      await make('b', { resourceType: 'Patient', name: [{ family: 'Beta' }], birthDate: '1990-01-01' });
      await make('allergyA', { resourceType: 'AllergyIntolerance', clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] }, patient: { reference: `Patient/${ids.a}` }, code: { text: 'Penicillin' } });
      await make('problemA', { resourceType: 'Condition', subject: { reference: `Patient/${ids.a}` }, code: { text: 'Asthma' } });
      await make('problemB', { resourceType: 'Condition', subject: { reference: `Patient/${ids.b}` }, code: { text: 'Gout' } });
      patientA = ctxOf({ kind: 'user', id: 'user-a', tenant: t.practiceId, role: 'patient', scopes: ['user/*.cruds'], fhirUser: `Patient/${ids.a}`, patients: [ids.a] });
      limitedProxy = ctxOf({ kind: 'user', id: 'parent', tenant: t.practiceId, role: 'proxy', scopes: ['user/*.cruds'], fhirUser: 'RelatedPerson/parent', patients: [ids.a], limitedPatients: [ids.a] });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('a patient asks about an item of their own record, not another’s; a limited proxy cannot ask', async () => {
      await ask(`AllergyIntolerance/${ids.allergyA}`);
      const other = await attempt(patientA, 'POST', 'Task', request(`Condition/${ids.problemB}`));
      expect(other.status).toBe('unprocessable');
      expect(other.expression).toBe('Task.focus');
      expect((await attempt(patientA, 'POST', 'Task', request(`Condition/${ids.problemB}`, { for: { reference: `Patient/${ids.b}` } }))).status).toBe('forbidden');
      const proxyAsk = request(`AllergyIntolerance/${ids.allergyA}`, { requester: { reference: 'RelatedPerson/parent' } });
      expect((await attempt(limitedProxy, 'POST', 'Task', proxyAsk)).status).toBe('forbidden');
    });

    it('the patient cannot answer or change their own request', async () => {
      const asked = await ask(`Condition/${ids.problemA}`);
      for (const change of [{ status: 'completed', statusReason: { text: 'I fixed it' } }, { description: 'Something else' }]) {
        expect((await attempt(patientA, 'PUT', `Task/${asked.id}`, { ...asked, ...change })).status).toBe('forbidden');
      }
      expect(((await dispatchAs(patientA, 'GET', `Task/${asked.id}`)).body as unknown as Task).status).toBe('requested');
    });

    it('a denial needs its reason, said plainly; front desk and assistants answer nothing; the answer is final', async () => {
      const asked = await ask(`Condition/${ids.problemA}`);
      const bare = await attempt(staff('physician'), 'PUT', `Task/${asked.id}`, { ...asked, status: 'rejected' });
      expect(bare.status).toBe('unprocessable');
      expect(bare.expression).toBe('Task.statusReason');
      expect(bare.text).toMatch(/denied correction request needs the reason/);
      const blank = await attempt(staff('physician'), 'PUT', `Task/${asked.id}`, { ...asked, status: 'rejected', statusReason: { text: '   ' } });
      expect(blank.status).toBe('unprocessable');

      const denial = { ...asked, status: 'rejected', statusReason: { text: 'Asthma was diagnosed by spirometry on 3 May 2024; the record is accurate.' } } as Task;
      expect((await attempt(staff('front-desk'), 'PUT', `Task/${asked.id}`, denial)).status).toBe('forbidden');
      expect((await attempt(staff('medical-assistant'), 'PUT', `Task/${asked.id}`, denial)).status).toBe('forbidden');
      // The practice answers; it does not rewrite what the patient asked.
      expect((await attempt(staff('physician'), 'PUT', `Task/${asked.id}`, { ...denial, description: 'Patient agrees' })).status).toBe('unprocessable');
      const denied = await attempt(staff('nurse'), 'PUT', `Task/${asked.id}`, denial);
      expect(denied.status).toBe(200);

      const reopened = await attempt(staff('physician'), 'PUT', `Task/${asked.id}`, { ...(denied.body as Task), status: 'completed', statusReason: { text: 'Changed my mind' } });
      expect(reopened.status).toBe('unprocessable');
      expect(reopened.text).toMatch(/already answered/);
    });

    it('an acceptance amends the item and names its new version; the patient reads the answer and may disagree with a denial', async () => {
      const asked = await ask(`AllergyIntolerance/${ids.allergyA}`);
      const doctor = staff('physician');
      const allergy = (await dispatchAs(doctor, 'GET', `AllergyIntolerance/${ids.allergyA}`)).body as object;
      const amended = await attempt(doctor, 'PUT', `AllergyIntolerance/${ids.allergyA}`, { ...allergy, code: { text: 'Amoxicillin' } });
      expect(amended.status).toBe(200);
      const version = amended.body!.meta!.versionId!;
      const accept = (output: string): Task => ({ ...asked, status: 'completed', statusReason: { text: 'Changed the allergy from penicillin to amoxicillin.' }, output: [{ type: { text: 'Amended item' }, valueReference: { reference: output } }] });
      expect((await attempt(doctor, 'PUT', `Task/${asked.id}`, { ...accept(`AllergyIntolerance/${ids.allergyA}/_history/${version}`), statusReason: undefined } as Task)).status).toBe('unprocessable');
      expect((await attempt(doctor, 'PUT', `Task/${asked.id}`, accept(`Condition/${ids.problemA}`))).status).toBe('unprocessable');
      expect((await attempt(doctor, 'PUT', `Task/${asked.id}`, accept(`AllergyIntolerance/${ids.allergyA}/_history/${version}`))).status).toBe(200);

      // The patient sees the answer on their own request, found by the item it is about.
      const found = (await dispatchAs(patientA, 'GET', `Task?patient=Patient/${ids.a}&code=http://hl7.org/fhir/CodeSystem/task-code|change&focus=AllergyIntolerance/${ids.allergyA}`)).body!;
      const seen = found.entry!.map((e) => e.resource as Task).find((x) => x.id === asked.id)!;
      expect(seen.status).toBe('completed');
      expect(seen.statusReason?.text).toBe('Changed the allergy from penicillin to amoxicillin.');
      expect(((await dispatchAs(patientA, 'GET', seen.output![0]!.valueReference!.reference!)).body as unknown as Condition).code?.text).toBe('Amoxicillin');

      // Denied: the patient files a statement of disagreement, a message about the request.
      const second = await ask(`Condition/${ids.problemA}`);
      expect((await attempt(doctor, 'PUT', `Task/${second.id}`, { ...second, status: 'rejected', statusReason: { text: 'The diagnosis stands.' } })).status).toBe(200);
      const statement: Communication = {
        resourceType: 'Communication',
        status: 'completed',
        category: [{ coding: [{ system: 'urn:heron:correction', code: 'statement-of-disagreement' }] }],
        subject: { reference: `Patient/${ids.a}` },
        sender: { reference: `Patient/${ids.a}` },
        about: [{ reference: `Task/${second.id}` }],
        sent: '2026-12-02T10:00:00Z',
        payload: [{ contentString: 'I disagree: I have never used an inhaler.' }],
      };
      expect((await attempt(patientA, 'POST', 'Communication', statement)).status).toBe(201);
      const statements = (await dispatchAs(patientA, 'GET', `Communication?patient=Patient/${ids.a}&category=urn:heron:correction|statement-of-disagreement`)).body!;
      expect(statements.entry?.map((e) => (e.resource as Communication).about?.[0]?.reference)).toContain(`Task/${second.id}`);
    });
  });
}
