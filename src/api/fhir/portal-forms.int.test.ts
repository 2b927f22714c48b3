/**
 * Forms the practice sends a patient (docs/questionnaires.md#forms-sent-to-the-patient), on both
 * stores: the practice sends a PHQ-9 as a `complete-questionnaire` Task; the patient reads it and
 * the Questionnaire, saves answers in progress, sends them with the Task completed, and the server
 * scores them (the patient writes no Observation). What the patient cannot do: fill another
 * patient's form, touch another patient's Task, change anything of a Task but its status and
 * answers, send an incomplete PHQ-9.
 */
import type { Bundle, Observation, QuestionnaireResponse, Resource, Task } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ctx } from '../../domain/context.ts';
import { FORM_INPUT, FORM_OUTPUT, FORM_TASK_CODE, SDC_TEMP_SYSTEM } from '../../domain/portal/form-tasks.ts';
import { INTAKE, INTAKE_URL } from '../../domain/questionnaires/intake-questionnaire.ts';
import { PHQ9, PHQ9_URL } from '../../domain/questionnaires/screening-questionnaires.ts';
import { dispatchAs, startTestApp, type TestApp } from '../test-app.ts';

const LOINC = 'http://loinc.org';
/** PHQ-9 answers by weight: 0 "Not at all" … 3 "Nearly every day". */
const WEIGHTS = ['LA6568-5', 'LA6569-3', 'LA6570-1', 'LA6571-9'];

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`forms sent to the patient (${kind})`, () => {
    let t: TestApp;
    const ids: Record<string, string> = {};
    let patientA: Ctx;
    const ctxOf = (patient: string): Ctx => ({
      tenant: t.practiceId,
      principal: { kind: 'user', id: `user-${patient}`, tenant: t.practiceId, role: 'patient', scopes: ['user/*.cruds'], fhirUser: `Patient/${patient}`, patients: [patient] },
      store: t.store,
      audit: { record() {} },
      origin: {},
    });
    const formTask = (patient: string, canonical: string): Task => ({
      resourceType: 'Task',
      status: 'requested',
      intent: 'order',
      code: { coding: [{ system: SDC_TEMP_SYSTEM, code: FORM_TASK_CODE, display: 'Complete Questionnaire' }] },
      description: 'Please fill in before your visit',
      for: { reference: `Patient/${patient}` },
      owner: { reference: `Patient/${patient}` },
      requester: { reference: `Practitioner/${ids.doc}` },
      authoredOn: '2026-12-05T09:00:00Z',
      restriction: { period: { end: '2026-12-10' } },
      input: [{ type: { coding: [{ system: SDC_TEMP_SYSTEM, code: FORM_INPUT }] }, valueCanonical: canonical }],
    });
    const phq9 = (patient: string, status: string, weights: number[]): QuestionnaireResponse => ({
      resourceType: 'QuestionnaireResponse',
      status: status as QuestionnaireResponse['status'],
      questionnaire: PHQ9_URL,
      subject: { reference: `Patient/${patient}` },
      author: { reference: `Patient/${patient}` },
      authored: '2026-12-06T08:00:00Z',
      item: weights.map((w, i) => ({ linkId: String(i + 1), answer: [{ valueCoding: { system: LOINC, code: WEIGHTS[w]! } }] })),
    });
    const output = (responseId: string) => [{ type: { coding: [{ system: SDC_TEMP_SYSTEM, code: FORM_OUTPUT }] }, valueReference: { reference: `QuestionnaireResponse/${responseId}` } }];
    const create = async (name: string, resource: Resource) => {
      const res = await t.fhir('POST', resource.resourceType, { body: resource });
      expect(res.status, `${name}: ${res.text}`).toBe(201);
      ids[name] = res.body.id;
      return res.body as Resource;
    };
    const readTask = async (id: string) => (await t.fhir('GET', `Task/${id}`)).body as Task & { id: string };
    const scoresOf = async (responseId: string) => ((await t.fhir('GET', `Observation?derived-from=QuestionnaireResponse/${responseId}`)).body as Bundle<Observation>).entry?.map((e) => e.resource!) ?? [];

    beforeAll(async () => {
      t = await startTestApp({ kind });
      await create('phq9', PHQ9);
      await create('intake', INTAKE);
      await create('doc', { resourceType: 'Practitioner', name: [{ family: 'Osler' }] });
      await create('a', { resourceType: 'Patient', name: [{ family: 'Alpha' }], birthDate: '1990-01-01' });
      await create('b', { resourceType: 'Patient', name: [{ family: 'Beta' }], birthDate: '1990-01-01' });
      // The practice sends them forms (a clinician's write: the patient rules do not apply).
      await create('taskA', formTask(ids.a!, PHQ9_URL));
      await create('intakeTaskA', formTask(ids.a!, INTAKE_URL));
      await create('taskB', formTask(ids.b!, PHQ9_URL));
      patientA = ctxOf(ids.a!);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('shows the patient their forms and the questionnaires, not another patient’s forms', async () => {
      const mine = await dispatchAs(patientA, 'GET', `Task?code=${SDC_TEMP_SYSTEM}|${FORM_TASK_CODE}&owner=Patient/${ids.a}`);
      expect(mine.status).toBe(200);
      expect(mine.body!.entry?.map((e) => e.resource!.id).sort()).toEqual([ids.taskA, ids.intakeTaskA].sort());
      const all = await dispatchAs(patientA, 'GET', `Task?code=${SDC_TEMP_SYSTEM}|${FORM_TASK_CODE}`);
      expect(all.body!.entry?.map((e) => e.resource!.id)).not.toContain(ids.taskB);
      expect((await dispatchAs(patientA, 'GET', `Questionnaire?url=${PHQ9_URL}`)).body!.entry?.[0]?.resource?.id).toBe(ids.phq9);
      expect((await dispatchAs(patientA, 'GET', `Task/${ids.taskB}`)).status).not.toBe(200);
    });

    it('saves answers in progress, then sends them: the form is completed and the server scores them', async () => {
      const draft = await dispatchAs(patientA, 'POST', 'QuestionnaireResponse', phq9(ids.a!, 'in-progress', [1, 2]));
      expect(draft.status).toBe(201);
      const responseId = draft.body!.id!;
      const task = await readTask(ids.taskA!);
      const saved = await dispatchAs(patientA, 'PUT', `Task/${task.id}`, { ...task, status: 'in-progress', output: output(responseId) });
      expect(saved.status).toBe(200);
      // Nothing is scored while in progress.
      expect(await scoresOf(responseId)).toEqual([]);
      // Send: the answers completed and the form with them, in one transaction.
      const weights = [1, 2, 2, 1, 0, 1, 2, 1, 1]; // 11, moderate; item 9 answered above "Not at all"
      const sent = await dispatchAs(patientA, 'POST', '', {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { resource: { ...phq9(ids.a!, 'completed', weights), id: responseId }, request: { method: 'PUT', url: `QuestionnaireResponse/${responseId}` } },
          { resource: { ...(saved.body as unknown as Task), status: 'completed' }, request: { method: 'PUT', url: `Task/${task.id}` } },
        ],
      });
      expect(sent.status).toBe(200);
      expect((await readTask(ids.taskA!)).status).toBe('completed');
      const [score, ...more] = await scoresOf(responseId);
      expect(more).toEqual([]);
      expect(score?.valueQuantity?.value).toBe(11);
      expect(score?.interpretation?.[0]?.coding?.[0]?.code).toBe('moderate');
      expect(score?.component?.[0]?.code.coding?.[0]?.code).toBe('44260-8');
      expect(score?.subject?.reference).toBe(`Patient/${ids.a}`);
      expect(score?.performer?.[0]?.reference).toBe(`Patient/${ids.a}`);
      // Whoever sent it has it in their inbox, urgent for the flagged item 9.
      const reviews = ((await t.fhir('GET', `Task?code=urn:heron:inbox-task|review-form&owner=Practitioner/${ids.doc}&focus=QuestionnaireResponse/${responseId}`)).body as Bundle<Task>).entry ?? [];
      expect(reviews.map((e) => [e.resource!.priority, e.resource!.status, e.resource!.for?.reference])).toEqual([['urgent', 'requested', `Patient/${ids.a}`]]);
      expect(reviews[0]!.resource!.description).toMatch(/^Review PHQ-9 answers from the patient: Positive answer to item 9/);
      // A form sent is done: it cannot be reopened by the patient.
      expect((await dispatchAs(patientA, 'PUT', `Task/${task.id}`, { ...(await readTask(ids.taskA!)), status: 'in-progress' })).status).toBe('unprocessable');
    });

    it('refuses an incomplete PHQ-9, and a form it does not score is filed without a score', async () => {
      const partial = await dispatchAs(patientA, 'POST', 'QuestionnaireResponse', phq9(ids.a!, 'completed', [1, 1, 1]));
      expect(partial.status).toBe('unprocessable');
      expect(partial.code).toBe('required');
      const intake = await dispatchAs(patientA, 'POST', 'QuestionnaireResponse', {
        resourceType: 'QuestionnaireResponse',
        status: 'completed',
        questionnaire: INTAKE_URL,
        subject: { reference: `Patient/${ids.a}` },
        author: { reference: `Patient/${ids.a}` },
        item: [{ linkId: 'reason', answer: [{ valueString: 'Knee pain when climbing stairs' }] }],
      });
      expect(intake.status).toBe(201);
      expect(await scoresOf(intake.body!.id!)).toEqual([]);
      const task = await readTask(ids.intakeTaskA!);
      expect((await dispatchAs(patientA, 'PUT', `Task/${task.id}`, { ...task, status: 'completed', output: output(intake.body!.id!) })).status).toBe(200);
      const reviews = ((await t.fhir('GET', `Task?code=urn:heron:inbox-task|review-form&focus=QuestionnaireResponse/${intake.body!.id}`)).body as Bundle<Task>).entry ?? [];
      expect(reviews.map((e) => [e.resource!.priority, e.resource!.owner?.reference, e.resource!.description])).toEqual([['routine', `Practitioner/${ids.doc}`, 'Review Before your visit answers from the patient']]);
    });

    it('a proxy fills a form for the person they act for; a limited proxy cannot', async () => {
      const principal = (limited: boolean): Ctx => ({
        ...ctxOf(ids.a!),
        principal: { kind: 'user', id: 'parent', tenant: t.practiceId, role: 'proxy', scopes: ['user/*.cruds'], fhirUser: 'RelatedPerson/parent', patients: [ids.a!], ...(limited ? { limitedPatients: [ids.a!] } : {}) },
      });
      const task = (await create('proxyTask', formTask(ids.a!, PHQ9_URL))) as Task & { id: string };
      const limited = principal(true);
      expect((await dispatchAs(limited, 'PUT', `Task/${task.id}`, { ...task, status: 'in-progress' })).status).toBe('forbidden');
      const proxy = principal(false);
      const answers = await dispatchAs(proxy, 'POST', 'QuestionnaireResponse', { ...phq9(ids.a!, 'completed', [0, 0, 0, 0, 0, 0, 0, 0, 0]), author: { reference: 'RelatedPerson/parent' } });
      expect(answers.status).toBe(201);
      expect((await dispatchAs(proxy, 'PUT', `Task/${task.id}`, { ...task, status: 'completed', output: output(answers.body!.id!) })).status).toBe(200);
      const [score] = await scoresOf(answers.body!.id!);
      expect([score?.valueQuantity?.value, score?.performer?.[0]?.reference]).toEqual([0, 'RelatedPerson/parent']);
    });

    it('cannot fill another patient’s form, complete their Task, or change more of its own than status and answers', async () => {
      expect((await dispatchAs(patientA, 'POST', 'QuestionnaireResponse', phq9(ids.b!, 'in-progress', [1]))).status).toBe('forbidden');
      const taskB = await readTask(ids.taskB!);
      const theirs = await dispatchAs(patientA, 'PUT', `Task/${taskB.id}`, { ...taskB, status: 'completed' });
      expect(['forbidden', 'not-found', 404, 403]).toContain(theirs.status);
      expect((await readTask(ids.taskB!)).status).toBe('requested');

      const fresh = await create('taskA2', formTask(ids.a!, PHQ9_URL));
      const task = fresh as Task & { id: string };
      const mine = await dispatchAs(patientA, 'POST', 'QuestionnaireResponse', phq9(ids.a!, 'in-progress', [0]));
      const mineId = mine.body!.id!;
      // Its status only to in-progress or completed.
      expect((await dispatchAs(patientA, 'PUT', `Task/${task.id}`, { ...task, status: 'cancelled' })).status).toBe('unprocessable');
      // Nothing else of it: not who it is for or from, not what it asks.
      expect((await dispatchAs(patientA, 'PUT', `Task/${task.id}`, { ...task, status: 'in-progress', output: output(mineId), description: 'Done already' })).status).toBe('unprocessable');
      expect((await dispatchAs(patientA, 'PUT', `Task/${task.id}`, { ...task, status: 'in-progress', input: [{ ...task.input![0]!, valueCanonical: INTAKE_URL }] })).status).toBe('unprocessable');
      // Its answers are the patient's own, to this questionnaire.
      const theirAnswers = await create('qrB', phq9(ids.b!, 'in-progress', [0]));
      expect((await dispatchAs(patientA, 'PUT', `Task/${task.id}`, { ...task, status: 'in-progress', output: output(theirAnswers.id!) })).status).toBe('unprocessable');
      const intake = await dispatchAs(patientA, 'POST', 'QuestionnaireResponse', { resourceType: 'QuestionnaireResponse', status: 'in-progress', questionnaire: INTAKE_URL, subject: { reference: `Patient/${ids.a}` }, author: { reference: `Patient/${ids.a}` } });
      expect((await dispatchAs(patientA, 'PUT', `Task/${task.id}`, { ...task, status: 'in-progress', output: output(intake.body!.id!) })).status).toBe('unprocessable');
      // Completed needs the answers; a form is not deleted.
      expect((await dispatchAs(patientA, 'PUT', `Task/${task.id}`, { ...task, status: 'completed' })).status).toBe('unprocessable');
      expect((await dispatchAs(patientA, 'DELETE', `Task/${task.id}`)).status).toBe('forbidden');
      expect((await readTask(task.id)).status).toBe('requested');
      // The one allowed change still works.
      expect((await dispatchAs(patientA, 'PUT', `Task/${task.id}`, { ...task, status: 'in-progress', output: output(mineId) })).status).toBe(200);
      // Any other Task of theirs stays unchangeable by them (a nurse's Task about them).
      const other = (await create('nurseTask', { resourceType: 'Task', status: 'ready', intent: 'order', for: { reference: `Patient/${ids.a}` }, description: 'Call back' } as Task)) as Task & { id: string };
      expect((await dispatchAs(patientA, 'PUT', `Task/${other.id}`, { ...other, status: 'completed' })).status).toBe('forbidden');
    });
  });
}
