/**
 * Restricted records and break-the-glass, on both stores, through `dispatch`: a restricted
 * chart and a restricted resource are invisible to staff without a care relationship (searches,
 * counts, includes) and refused with `suppressed` when addressed; the patient's general
 * practitioner sees them; break-the-glass opens them for an hour with a reason, is audited first
 * and marks every access it opens as emergency treatment.
 */
import type { Bundle, Parameters, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal, Role } from '../../domain/access/principal.ts';
import { storeAuditSink } from '../../domain/audit/audit-sink.ts';
import { manualClock } from '../../domain/clock.ts';
import type { Ctx } from '../../domain/context.ts';
import { BASE, dispatchAs, namedCreator, startTestApp, type TestApp } from '../test-app.ts';
import { dispatch } from './dispatch.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const RESTRICTED = [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }];

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`restricted records (${kind})`, () => {
    let t: TestApp;
    const ids: Record<string, string> = {};
    const staff = (role: Role, fhirUser: string, id: string): Ctx => {
      const principal: Principal = { kind: 'user', id, tenant: t.practiceId, role, scopes: ['user/*.*'], fhirUser };
      return { tenant: t.practiceId, principal, store: t.store, audit: storeAuditSink(t.store.audit), origin: { ip: '10.0.0.9' } };
    };
    const call = dispatchAs;
    const found = (b: Bundle | undefined) => (b?.entry ?? []).filter((e) => e.search?.mode !== 'outcome').map((e) => `${e.resource!.resourceType}/${e.resource!.id}`).sort();

    beforeAll(async () => {
      t = await startTestApp({ kind });
      const create = namedCreator(() => t, ids);
      await create('gp', { resourceType: 'Practitioner', name: [{ family: 'Gp' }] });
      await create('other', { resourceType: 'Practitioner', name: [{ family: 'Other' }] });
      await create('normal', { resourceType: 'Patient', name: [{ family: 'Normal' }] });
      await create('secret', { resourceType: 'Patient', meta: { security: RESTRICTED }, name: [{ family: 'Staffmember' }], generalPractitioner: [{ reference: ids.gp }] });
      const obs = (subject: string, extra: object = {}) => ({ resourceType: 'Observation', status: 'final', code: { text: 'note' }, subject: { reference: subject }, ...extra });
      await create('normalObs', obs(ids.normal));
      await create('labelledObs', obs(ids.normal, { meta: { security: RESTRICTED }, code: { text: 'behavioural health' } }));
      await create('secretObs', obs(ids.secret));
    });
    afterAll(async () => {
      await t?.close();
    });

    it('hides restricted charts and resources from staff without a care relationship, in every search and count', async () => {
      const nurse = staff('nurse', ids.other, 'nurse-1');
      expect(found((await call(nurse, 'GET', 'Patient')).body)).toEqual([ids.normal]);
      expect((await call(nurse, 'GET', 'Patient?_summary=count')).body!.total).toBe(1);
      expect(found((await call(nurse, 'GET', 'Observation')).body)).toEqual([ids.normalObs]);
      expect(found((await call(nurse, 'GET', `Patient?_id=${ids.normal.split('/')[1]}&_revinclude=Observation:subject`)).body)).toEqual([ids.normal, ids.normalObs].sort());
      expect(found((await call(nurse, 'GET', `Observation?subject=${ids.secret}`)).body)).toEqual([]);
      for (const path of [ids.secret, ids.secretObs, ids.labelledObs, `${ids.secretObs}/_history`]) {
        const res = await call(nurse, 'GET', path);
        expect([res.status, res.code], path).toEqual(['forbidden', 'suppressed']);
      }
      // Predicates do not reveal hidden records either: the restricted note matches this for a backend service only.
      expect(found((await call(nurse, 'GET', 'Patient?_has:Observation:subject:code:text=behavioural')).body)).toEqual([]);
      expect((await t.fhir('GET', 'Patient?_has:Observation:subject:code:text=behavioural')).body.entry.map((e: { resource: Resource }) => `Patient/${e.resource.id}`)).toEqual([ids.normal]);
      expect(found((await call(nurse, 'GET', 'Condition?subject.family=Staffmember')).body)).toEqual([]);
      // Type-level history would list every version of everything: closed to users.
      expect((await call(nurse, 'GET', 'Observation/_history')).status).toBe('forbidden');
      // Backend services act under their own agreement and see everything.
      expect((await t.fhir('GET', 'Observation?_summary=count')).body.total).toBe(3);
    });

    it('every route addressing a restricted record answers suppressed, also after it was deleted', async () => {
      const doctor = staff('physician', ids.other, 'doc-2');
      const deleted = await t.fhir('POST', 'Observation', { body: { resourceType: 'Observation', status: 'final', meta: { security: RESTRICTED }, code: { text: 'deleted therapy note' }, subject: { reference: ids.normal } } });
      expect((await t.fhir('DELETE', `Observation/${deleted.body.id}`)).status).toBe(204);
      const note = { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: ids.normal } };
      for (const path of [ids.labelledObs, ids.secretObs, `Observation/${deleted.body.id}`]) {
        const id = path.split('/')[1];
        const requests: [Method, string, unknown?, Record<string, string>?][] = [
          ['GET', path],
          ['GET', `${path}/_history`],
          ['GET', `${path}/_history/1`],
          ['PUT', path, { ...note, id }],
          ['PATCH', path, [{ op: 'add', path: '/language', value: 'en' }], { contentType: 'application/json-patch+json' }],
          ['DELETE', path],
          ['GET', `${path}/$validate`],
          ['POST', `${path}/$validate?mode=delete`],
        ];
        for (const [method, url, body, headers] of requests) {
          const res = await call(doctor, method, url, body, headers);
          expect([res.status, res.code], `${method} ${url}`).toEqual(['forbidden', 'suppressed']);
        }
      }
      expect(found((await call(doctor, 'GET', `Observation?_id=${deleted.body.id}`)).body)).toEqual([]);
    });

    it("the patient's general practitioner opens the restricted chart", async () => {
      const gp = staff('physician', ids.gp, 'gp-1');
      expect((await call(gp, 'GET', ids.secret)).status).toBe(200);
      expect(found((await call(gp, 'GET', `Observation?subject=${ids.secret}`)).body)).toEqual([ids.secretObs]);
      // …but not another patient's restricted resource.
      expect((await call(gp, 'GET', ids.labelledObs)).code).toBe('suppressed');
      // A restricted resource of a patient they care for is open to them (searched through one chain, not a list of patients).
      const cared = await t.fhir('POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family: 'Cared' }], generalPractitioner: [{ reference: ids.gp }] } });
      const note = await t.fhir('POST', 'Observation', { body: { resourceType: 'Observation', status: 'final', meta: { security: RESTRICTED }, code: { text: 'therapy note' }, subject: { reference: `Patient/${cared.body.id}` } } });
      expect(found((await call(gp, 'GET', 'Observation?code:text=therapy')).body)).toEqual([`Observation/${note.body.id}`]);
      expect((await call(gp, 'GET', `Observation/${note.body.id}`)).status).toBe(200);
      expect(found((await call(staff('nurse', ids.other, 'nurse-9'), 'GET', 'Observation?code:text=therapy')).body)).toEqual([]);
    });

    it('break-the-glass: clinicians only, with a reason; opens for an hour; audited first and marks what it opens', async () => {
      const nurse = staff('nurse', ids.other, 'nurse-2');
      const patientId = ids.secret.split('/')[1];
      const reason = (text: string) => ({ resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: text }] });
      expect((await call(staff('front-desk', ids.other, 'desk-1'), 'POST', `Patient/${patientId}/$break-the-glass`, reason('patient collapsed in the waiting room'))).status).toBe('forbidden');
      expect((await call(nurse, 'POST', `Patient/${patientId}/$break-the-glass`, reason('urgent'))).status).toBe('invalid');
      expect((await call(nurse, 'POST', `Patient/${patientId}/$break-the-glass`, reason('x'.repeat(1001)))).status).toBe('invalid');
      const granted = await call(nurse, 'POST', `Patient/${patientId}/$break-the-glass`, reason('unresponsive in clinic, need medication list'));
      expect(granted.status).toBe(200);
      const expires = Date.parse((granted.body as unknown as Parameters).parameter!.find((p) => p.name === 'expires')!.valueInstant!);
      expect(expires - Date.now()).toBeGreaterThan(59 * 60 * 1000);

      const after = staff('nurse', ids.other, 'nurse-2');
      expect((await call(after, 'GET', ids.secret)).status).toBe(200);
      expect(found((await call(after, 'GET', `Observation?subject=${ids.secret}`)).body)).toEqual([ids.secretObs]);
      // Another nurse still does not see it.
      expect((await call(staff('nurse', ids.other, 'nurse-3'), 'GET', ids.secret)).code).toBe('suppressed');

      const trail = await t.store.audit.query(t.practiceId, { count: 20, agentId: 'nurse-2', ascending: true });
      expect(trail.map((e) => [e.action, e.outcome, e.purpose])).toEqual([
        ['$break-the-glass', 'failure', undefined], // the attempts without a proper reason
        ['$break-the-glass', 'failure', undefined],
        ['break-glass', 'success', 'ETREAT'],
        ['$break-the-glass', 'success', 'ETREAT'],
        ['read', 'success', 'ETREAT'],
        ['search-type', 'success', 'ETREAT'],
      ]);
      expect(trail[0].reason).toBe('invalid');
      expect(trail[2].reason).toBe('unresponsive in clinic, need medication list');
      const review = await t.store.emergencyAccess.recent(t.practiceId, 0);
      expect(review.map((g) => [g.userId, g.patient])).toEqual([['nurse-2', patientId]]);

      // An hour later by the app's clock (no waiting), the grant has ended.
      const clock = manualClock(expires - 1);
      const lastMoment: Ctx = { ...staff('nurse', ids.other, 'nurse-2'), clock: clock.now };
      expect((await call(lastMoment, 'GET', ids.secret)).status).toBe(200);
      clock.advance(1);
      const hourLater: Ctx = { ...staff('nurse', ids.other, 'nurse-2'), clock: clock.now };
      expect((await call(hourLater, 'GET', ids.secret)).code).toBe('suppressed');
    });

    it('members of an active CareTeam for the patient open the restricted chart and its labelled resources; an ended team does not', async () => {
      const member = await t.fhir('POST', 'Practitioner', { body: { resourceType: 'Practitioner', name: [{ family: 'Teamnurse' }] } });
      const former = await t.fhir('POST', 'Practitioner', { body: { resourceType: 'Practitioner', name: [{ family: 'Formernurse' }] } });
      const team = (status: string, who: string) => ({ resourceType: 'CareTeam', status, subject: { reference: ids.secret }, participant: [{ member: { reference: `Practitioner/${who}` } }] });
      expect((await t.fhir('POST', 'CareTeam', { body: team('active', member.body.id) })).status).toBe(201);
      expect((await t.fhir('POST', 'CareTeam', { body: team('inactive', former.body.id) })).status).toBe(201);
      const note = await t.fhir('POST', 'Observation', { body: { resourceType: 'Observation', status: 'final', meta: { security: RESTRICTED }, code: { text: 'team note' }, subject: { reference: ids.secret } } });
      const inTeam = staff('nurse', `Practitioner/${member.body.id}`, 'nurse-team');
      expect((await call(inTeam, 'GET', ids.secret)).status).toBe(200);
      expect((await call(inTeam, 'GET', `Observation/${note.body.id}`)).status).toBe(200);
      expect(found((await call(inTeam, 'GET', 'Observation?code:text=team')).body)).toEqual([`Observation/${note.body.id}`]);
      // Still not the labelled resource of a patient they do not care for.
      expect((await call(inTeam, 'GET', ids.labelledObs)).code).toBe('suppressed');
      const ended = staff('nurse', `Practitioner/${former.body.id}`, 'nurse-former');
      expect((await call(ended, 'GET', ids.secret)).code).toBe('suppressed');
      expect((await call(ended, 'GET', `Observation/${note.body.id}`)).code).toBe('suppressed');
      expect(found((await call(ended, 'GET', 'Observation?code:text=team')).body)).toEqual([]);
    });

    it('conditions of conditional writes and references do not match hidden records: they are absent, neither changed nor revealed', async () => {
      const doc = staff('physician', ids.other, 'doc-cond');
      const hidden = ids.labelledObs!;
      const before = (await t.fhir('GET', hidden)).body.meta.versionId;
      const body = { resourceType: 'Observation', status: 'final', code: { text: 'overwrite' }, subject: { reference: ids.normal } };
      // If-None-Exist: a hidden match does not block the create (and so does not reveal itself).
      expect((await call(doc, 'POST', 'Observation', body, { ifNoneExist: 'code:text=behavioural' })).status).toBe(201);
      // Conditional update: creates rather than overwriting the hidden note.
      const updated = await call(doc, 'PUT', 'Observation?code:text=behavioural', body);
      expect(updated.status).toBe(201);
      expect(`Observation/${(updated.body as Resource).id}`).not.toBe(hidden);
      // Conditional delete: nothing it may see matches.
      await call(doc, 'DELETE', 'Observation?code:text=behavioural');
      const after = await t.fhir('GET', hidden);
      expect([after.status, after.body.meta.versionId, after.body.code.text]).toEqual([200, before, 'behavioural health']);
      // A conditional reference to it resolves to nothing, as if it did not exist.
      const bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [{ request: { method: 'POST', url: 'Observation' }, resource: { ...body, hasMember: [{ reference: 'Observation?code:text=behavioural' }] } }],
      };
      await expect(dispatch(doc, { method: 'POST', path: '', query: new URLSearchParams(), headers: {}, baseUrl: BASE, body: bundle })).rejects.toThrow(/matches no resource/);
      // A backend service, not bound by labels, resolves it.
      const service = await t.fhir('POST', '', { body: bundle });
      expect(service.status, service.text).toBe(200);
    });
  });
}
