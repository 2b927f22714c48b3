/**
 * What patients and proxies write from the portal, on both stores: a message from them about
 * their record, their own answers (editable while in progress), a request to correct an item of
 * their record; and what they still cannot write: clinical facts, someone else's message or
 * answers, another patient's record, a finished form, a correction decided by themselves. A
 * limited proxy writes none of it.
 */
import type { Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../domain/access/principal.ts';
import type { Ctx } from '../../domain/context.ts';
import { dispatchAs, startTestApp, type TestApp } from '../test-app.ts';

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`patient-authored writes (${kind})`, () => {
    let t: TestApp;
    const ids: Record<string, string> = {};
    let patientA: Ctx;
    let limitedProxy: Ctx;
    const ctxOf = (principal: Principal): Ctx => ({ tenant: t.practiceId, principal, store: t.store, audit: { record() {} }, origin: {} });
    const message = (from: string, about: string, extra: object = {}) => ({ resourceType: 'Communication', status: 'completed', subject: { reference: `Patient/${about}` }, sender: { reference: from }, recipient: [{ reference: `Practitioner/${ids.doc}` }], payload: [{ contentString: 'Is my A1c result OK?' }], ...extra });
    const answers = (author: string, status: string) => ({ resourceType: 'QuestionnaireResponse', status, questionnaire: 'https://heron.dev/fhir/Questionnaire/intake', subject: { reference: `Patient/${ids.a}` }, author: { reference: author }, item: [{ linkId: 'q1', answer: [{ valueString: 'no' }] }] });
    const correction = (focus: string, extra: object = {}) => ({ resourceType: 'Task', status: 'requested', intent: 'proposal', code: { coding: [{ system: 'http://hl7.org/fhir/CodeSystem/task-code', code: 'change' }] }, for: { reference: `Patient/${ids.a}` }, focus: { reference: focus }, requester: { reference: `Patient/${ids.a}` }, description: 'I never had asthma; this was my brother.', ...extra });

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
      await make('asthmaA', { resourceType: 'Condition', subject: { reference: `Patient/${ids.a}` }, code: { text: 'Asthma' } });
      await make('condB', { resourceType: 'Condition', subject: { reference: `Patient/${ids.b}` }, code: { text: 'Other' } });
      patientA = ctxOf({ kind: 'user', id: 'user-a', tenant: t.practiceId, role: 'patient', scopes: ['user/*.cruds'], fhirUser: `Patient/${ids.a}`, patients: [ids.a] });
      limitedProxy = ctxOf({ kind: 'user', id: 'parent', tenant: t.practiceId, role: 'proxy', scopes: ['user/*.cruds'], fhirUser: 'RelatedPerson/parent', patients: [ids.a], limitedPatients: [ids.a] });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('sends a message about their record, from themselves only, and cannot change it after', async () => {
      const sent = await dispatchAs(patientA, 'POST', 'Communication', message(`Patient/${ids.a}`, ids.a));
      expect(sent.status).toBe(201);
      expect((await dispatchAs(patientA, 'POST', 'Communication', message(`Practitioner/${ids.doc}`, ids.a))).status).toBe('unprocessable');
      expect((await dispatchAs(patientA, 'POST', 'Communication', message(`Patient/${ids.a}`, ids.b))).status).toBe('forbidden');
      expect((await dispatchAs(patientA, 'POST', 'Communication', message(`Patient/${ids.a}`, ids.a, { status: 'entered-in-error' }))).status).toBe('unprocessable');
      const id = (sent.body as Resource).id!;
      expect((await dispatchAs(patientA, 'PUT', `Communication/${id}`, { ...message(`Patient/${ids.a}`, ids.a), id })).status).toBe('forbidden');
    });

    it('answers a form, changing it while in progress, never once completed', async () => {
      const draft = await dispatchAs(patientA, 'POST', 'QuestionnaireResponse', answers(`Patient/${ids.a}`, 'in-progress'));
      expect(draft.status).toBe(201);
      const id = (draft.body as Resource).id!;
      expect((await dispatchAs(patientA, 'PUT', `QuestionnaireResponse/${id}`, { ...answers(`Patient/${ids.a}`, 'completed'), id })).status).toBe(200);
      expect((await dispatchAs(patientA, 'PUT', `QuestionnaireResponse/${id}`, { ...answers(`Patient/${ids.a}`, 'in-progress'), id })).status).toBe('unprocessable');
      expect((await dispatchAs(patientA, 'POST', 'QuestionnaireResponse', answers(`Practitioner/${ids.doc}`, 'completed'))).status).toBe('unprocessable');
      expect((await dispatchAs(patientA, 'DELETE', `QuestionnaireResponse/${id}`)).status).toBe('forbidden');
    });

    it('requests a correction of an item of their own record, as requested only', async () => {
      expect((await dispatchAs(patientA, 'POST', 'Task', correction(`Condition/${ids.asthmaA}`))).status).toBe(201);
      expect((await dispatchAs(patientA, 'POST', 'Task', correction(`Condition/${ids.condB}`))).status).toBe('unprocessable');
      expect((await dispatchAs(patientA, 'POST', 'Task', correction(`Condition/${ids.asthmaA}`, { status: 'accepted' }))).status).toBe('unprocessable');
      expect((await dispatchAs(patientA, 'POST', 'Task', correction(`Condition/${ids.asthmaA}`, { description: ' ' }))).status).toBe('unprocessable');
      expect((await dispatchAs(patientA, 'POST', 'Task', correction(`Condition/${ids.asthmaA}`, { code: { text: 'refill' } }))).status).toBe('unprocessable');
    });

    it('still writes no clinical facts, and a limited proxy writes none of it', async () => {
      expect((await dispatchAs(patientA, 'POST', 'Condition', { resourceType: 'Condition', subject: { reference: `Patient/${ids.a}` }, code: { text: 'Self-diagnosed' } })).status).toBe('forbidden');
      expect((await dispatchAs(limitedProxy, 'POST', 'Communication', message('RelatedPerson/parent', ids.a))).status).toBe('forbidden');
      // Staff are not held to the patient rules: a nurse's note-to-self Task is theirs to shape.
      expect((await t.fhir('POST', 'Task', { body: { resourceType: 'Task', status: 'ready', intent: 'order', for: { reference: `Patient/${ids.a}` } } })).status).toBe(201);
    });
  });
}
