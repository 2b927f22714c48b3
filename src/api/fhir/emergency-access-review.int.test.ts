/**
 * The review of emergency accesses on both stores, through `dispatch`: the queue lists each
 * break-the-glass access with who (named), which patient (named, though the chart is restricted),
 * the reason, unreviewed first, with counts; a practice administrator's review is a new audit
 * entry naming the access (which never changes), shown with the access; a second review is
 * refused (409); every other role, and an administrator without heron/admin, is refused; the
 * review and the refusals are themselves in the trail.
 */
import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Principal, type Role } from '../../domain/access/principal.ts';
import { storeAuditSink } from '../../domain/audit/audit-sink.ts';
import type { Ctx } from '../../domain/context.ts';
import { createUser } from '../../domain/users/create-user.ts';
import { dispatchAs, namedCreator, startTestApp, type TestApp } from '../test-app.ts';

const RESTRICTED = [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }];
const reason = (text: string) => ({ resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: text }] });
const review = (verdict: string, note: string) => ({ resourceType: 'Parameters', parameter: [{ name: 'verdict', valueCode: verdict }, { name: 'note', valueString: note }] });

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`emergency access review (${kind})`, () => {
    let t: TestApp;
    const ids: Record<string, string> = {};
    let nurseId = '';
    let adminId = '';
    const as = (role: Role, id: string, scopes = ['user/*.*', 'heron/admin'], fhirUser?: string): Ctx => {
      const principal: Principal = { kind: 'user', id, tenant: t.practiceId, role, scopes, ...(fhirUser ? { fhirUser } : {}) };
      return { tenant: t.practiceId, principal, store: t.store, audit: storeAuditSink(t.store.audit), origin: { ip: '10.0.0.7' } };
    };
    const admin = () => as('practice-admin', adminId);
    const queue = async (query = '') => (await dispatchAs(admin(), 'GET', `AuditEvent/$emergency-access${query}`)).body as Bundle<AuditEvent>;
    const matchIds = (b: Bundle) => (b.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource!.id);

    beforeAll(async () => {
      t = await startTestApp({ kind });
      const create = namedCreator(() => t, ids);
      await create('nursePractitioner', { resourceType: 'Practitioner', name: [{ given: ['Nora'], family: 'Night' }] });
      await create('secret', { resourceType: 'Patient', meta: { security: RESTRICTED }, name: [{ given: ['Sam'], family: 'Staffmember' }] });
      await create('other', { resourceType: 'Patient', meta: { security: RESTRICTED }, name: [{ given: ['Olga'], family: 'Other' }] });
      await create('secretObs', { resourceType: 'Observation', status: 'final', code: { text: 'therapy note' }, subject: { reference: ids.secret } });
      nurseId = (await createUser(t.store, { practiceId: t.practiceId, role: 'nurse', email: 'nora@example.org', password: 'a long enough password 1', fhirUser: ids.nursePractitioner })).id;
      adminId = (await createUser(t.store, { practiceId: t.practiceId, role: 'practice-admin', email: 'pat.admin@example.org', password: 'a long enough password 2' })).id;
      const nurse = as('nurse', nurseId, ['user/*.*'], ids.nursePractitioner);
      expect((await dispatchAs(nurse, 'POST', `${ids.secret}/$break-the-glass`, reason('collapsed at reception, need allergies'))).status).toBe(200);
      expect((await dispatchAs(as('nurse', nurseId, ['user/*.*'], ids.nursePractitioner), 'GET', ids.secretObs)).status).toBe(200);
      expect((await dispatchAs(as('nurse', nurseId, ['user/*.*'], ids.nursePractitioner), 'POST', `${ids.other}/$break-the-glass`, reason('second emergency, unconscious'))).status).toBe(200);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('lists every break-the-glass access with who, which patient and why, unreviewed first, and counts them', async () => {
      const unreviewed = await queue('?reviewed=false');
      expect(unreviewed.total).toBe(2);
      const [newest, oldest] = (unreviewed.entry ?? []).map((e) => e.resource!);
      expect(newest.subtype?.[0].code).toBe('break-glass');
      expect(newest.agent?.[0].who).toEqual({ identifier: { system: 'https://heron.dev/fhir/agent/user', value: nurseId }, display: 'Nora Night' });
      expect(newest.agent?.[0].role?.[0].text).toBe('nurse');
      expect(newest.entity?.find((e) => e.what?.reference === ids.other)?.what?.display).toBe('Olga Other');
      expect(oldest.entity?.find((e) => e.what?.reference === ids.secret)?.what?.display).toBe('Sam Staffmember');
      expect(oldest.purposeOfEvent?.[0]).toMatchObject({ coding: [{ code: 'ETREAT' }], text: 'collapsed at reception, need allergies' });
      expect((await queue('?reviewed=false&_count=0')).total).toBe(2);
      expect((await queue('?reviewed=true')).total).toBe(0);
      // Paged: one per page, the next link continues.
      const first = await queue('?_count=1');
      expect(matchIds(first)).toEqual([newest.id]);
      const next = new URL(first.link!.find((l) => l.relation === 'next')!.url).searchParams.get('_cursor')!;
      expect(matchIds(await queue(`?_count=1&_cursor=${next}`))).toEqual([oldest.id]);
      // What was opened during the grant: the ETREAT entries by that user for that patient.
      const opened = (await dispatchAs(admin(), 'GET', `AuditEvent?agent=${nurseId}&patient=${ids.secret}&purpose=ETREAT&subtype=read`)).body as Bundle<AuditEvent>;
      expect(opened.entry?.map((e) => e.resource!.entity?.[0].what?.reference)).toEqual([ids.secretObs]);
    });

    it('records a review as a new entry naming the access, shows it with the access, and refuses a second one', async () => {
      const [oldest] = (await queue('?reviewed=false')).entry!.slice(-1).map((e) => e.resource!);
      const res = await dispatchAs(admin(), 'POST', `AuditEvent/${oldest.id}/$review`, review('appropriate', 'Seen in the emergency log; the nurse was on duty.'));
      expect(res.status).toBe(201);
      const entry = res.body as unknown as AuditEvent;
      expect(entry.subtype?.[0].code).toBe('break-glass-review');
      expect(entry.agent?.[0].who?.display).toBe('pat.admin@example.org');
      expect(entry.entity?.[0].what?.reference).toBe(`AuditEvent/${oldest.id}`);
      expect(JSON.parse(entry.entity![0].detail![0].valueString!)).toEqual({ verdict: 'appropriate', note: 'Seen in the emergency log; the nurse was on duty.' });

      expect((await queue('?reviewed=false')).total).toBe(1);
      const reviewed = await queue('?reviewed=true');
      expect(reviewed.total).toBe(1);
      expect(reviewed.entry?.map((e) => [e.search?.mode, e.resource!.id])).toEqual([['match', oldest.id], ['include', entry.id]]);
      // Without a filter: the unreviewed one first, then the reviewed one with its review.
      expect((await queue()).entry?.map((e) => e.search?.mode)).toEqual(['match', 'match', 'include']);
      expect((await queue()).total).toBe(2);

      const again = await dispatchAs(admin(), 'POST', `AuditEvent/${oldest.id}/$review`, review('inappropriate', 'Changed my mind'));
      expect([again.status, again.code]).toEqual(['conflict', 'conflict']);
      // The access's own entry is unchanged, and the chain still verifies.
      expect((await dispatchAs(admin(), 'GET', `AuditEvent/${oldest.id}`)).body).toEqual({ ...oldest, agent: [{ ...oldest.agent![0], who: { identifier: oldest.agent![0].who!.identifier } }], entity: oldest.entity!.map((e) => ({ ...e, what: { reference: e.what!.reference } })) });
      expect(await t.store.audit.verify(t.practiceId)).toEqual({ checked: expect.any(Number) });

      // The trail holds the review entry and the operation's own entries, refused one included.
      const trail = await t.store.audit.query(t.practiceId, { count: 10, agentId: adminId, action: ['break-glass-review', '$review'], ascending: true });
      expect(trail.map((e) => [e.action, e.outcome, e.entities])).toEqual([
        ['break-glass-review', 'success', [`AuditEvent/${oldest.id}`]],
        ['$review', 'success', [`AuditEvent/${oldest.id}`]],
        ['$review', 'failure', [`AuditEvent/${oldest.id}`]],
      ]);
      expect(trail[2].reason).toBe('conflict');
    });

    it('refuses what is not an emergency access and a review without a verdict or a note', async () => {
      const [newest] = (await queue('?reviewed=false')).entry!.map((e) => e.resource!);
      const [read] = await t.store.audit.query(t.practiceId, { count: 1, action: 'read' });
      expect((await dispatchAs(admin(), 'POST', `AuditEvent/${read.seq}/$review`, review('appropriate', 'fine'))).status).toBe('not-found');
      expect((await dispatchAs(admin(), 'POST', 'AuditEvent/999999/$review', review('appropriate', 'fine'))).status).toBe('not-found');
      expect((await dispatchAs(admin(), 'POST', `AuditEvent/${newest.id}/$review`, review('maybe', 'fine'))).status).toBe('invalid');
      expect((await dispatchAs(admin(), 'POST', `AuditEvent/${newest.id}/$review`, review('inappropriate', '  '))).status).toBe('invalid');
      expect((await dispatchAs(admin(), 'GET', 'AuditEvent/$emergency-access?reviewed=maybe')).status).toBe('invalid');
      expect((await dispatchAs(admin(), 'GET', 'AuditEvent/$emergency-access?patient=x')).status).toBe('invalid');
      expect((await queue('?reviewed=false')).total).toBe(1);
    });

    it('is refused to every other role, to backend services and to an administrator without heron/admin', async () => {
      const [newest] = (await queue('?reviewed=false')).entry!.map((e) => e.resource!);
      const others = ROLES.filter((r) => r !== 'practice-admin');
      expect(others.length).toBeGreaterThan(5);
      for (const role of others) {
        const ctx = as(role, `someone-${role}`);
        for (const [method, path, body] of [['GET', 'AuditEvent/$emergency-access'], ['POST', `AuditEvent/${newest.id}/$review`, review('appropriate', 'looks fine')]] as const) {
          expect((await dispatchAs(ctx, method, path, body)).status, `${role} ${method} ${path}`).toBe('forbidden');
        }
      }
      expect((await dispatchAs(as('practice-admin', adminId, ['user/*.*']), 'GET', 'AuditEvent/$emergency-access')).status).toBe('forbidden');
      expect((await dispatchAs(as('practice-admin', adminId, ['user/*.*']), 'POST', `AuditEvent/${newest.id}/$review`, review('appropriate', 'looks fine'))).status).toBe('forbidden');
      const service = await t.fhir('GET', 'AuditEvent/$emergency-access');
      expect(service.status).toBe(403);
      expect((await t.fhir('POST', `AuditEvent/${newest.id}/$review`, { body: review('appropriate', 'looks fine') })).status).toBe(403);
      expect((await queue('?reviewed=false')).total).toBe(1);
      const refused = await t.store.audit.query(t.practiceId, { count: 100, action: ['$review', '$emergency-access'], outcome: 'failure' });
      expect(refused.filter((e) => e.reason === 'forbidden').length).toBeGreaterThanOrEqual(others.length * 2);
    });
  });
}
