/**
 * The practice administrator's view and change of restricted records, on both stores, through
 * `dispatch`: `Patient/$restricted-records` names the restricted charts and resources with the care
 * relationships that open them and no clinical content; `$meta-add` / `$meta-delete` restrict and
 * open a chart or a resource (labels only, audited) and the access rules follow at once on this
 * server and within the 5-second cache anywhere; every other role is refused the report, and
 * changes labels only as it may update.
 */
import type { Bundle, Parameters } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Principal, type Role } from '../../domain/access/principal.ts';
import { storeAuditSink } from '../../domain/audit/audit-sink.ts';
import type { Ctx } from '../../domain/context.ts';
import { dispatchAs, namedCreator, startTestApp, type TestApp } from '../test-app.ts';

const CONFIDENTIALITY = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
const RESTRICTED = [{ system: CONFIDENTIALITY, code: 'R' }];
const metaParams = (meta: object) => ({ resourceType: 'Parameters', parameter: [{ name: 'meta', valueMeta: meta }] });
const restrict = metaParams({ security: RESTRICTED });

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`restricted records for the practice administrator (${kind})`, () => {
    let t: TestApp;
    const ids: Record<string, string> = {};
    const as = (role: Role, id: string, o: { scopes?: string[]; fhirUser?: string; clock?: () => number } = {}): Ctx => {
      const principal: Principal = { kind: 'user', id, tenant: t.practiceId, role, scopes: o.scopes ?? ['user/*.*', 'heron/admin'], ...(o.fhirUser ? { fhirUser: o.fhirUser } : {}) };
      return { tenant: t.practiceId, principal, store: t.store, audit: storeAuditSink(t.store.audit), origin: { ip: '10.0.0.8' }, ...(o.clock ? { clock: o.clock } : {}) };
    };
    const admin = () => as('practice-admin', 'admin-1');
    const report = async () => (await dispatchAs(admin(), 'GET', 'Patient/$restricted-records')).body as unknown as Parameters;
    const charts = (p: Parameters) =>
      (p.parameter ?? []).filter((x) => x.name === 'chart').map((c) => Object.fromEntries(['patient', 'label', 'restrictedResources'].map((n) => [n, c.part!.find((x) => x.name === n)])));

    beforeAll(async () => {
      t = await startTestApp({ kind });
      const create = namedCreator(() => t, ids);
      await create('gp', { resourceType: 'Practitioner', name: [{ given: ['Grace'], family: 'Doctor' }] });
      await create('teamNurse', { resourceType: 'Practitioner', name: [{ given: ['Tom'], family: 'Team' }] });
      await create('formerNurse', { resourceType: 'Practitioner', name: [{ given: ['Fay'], family: 'Former' }] });
      await create('stranger', { resourceType: 'Practitioner', name: [{ given: ['Stan'], family: 'Stranger' }] });
      await create('secret', { resourceType: 'Patient', meta: { security: RESTRICTED }, name: [{ given: ['Sam'], family: 'Staffmember' }], generalPractitioner: [{ reference: ids.gp }] });
      await create('normal', { resourceType: 'Patient', name: [{ given: ['Nia'], family: 'Normal' }] });
      await create('team', { resourceType: 'CareTeam', status: 'active', subject: { reference: ids.secret }, participant: [{ member: { reference: ids.teamNurse } }] });
      await create('ended', { resourceType: 'CareTeam', status: 'inactive', subject: { reference: ids.secret }, participant: [{ member: { reference: ids.formerNurse } }] });
      await create('therapy', { resourceType: 'Observation', status: 'final', meta: { security: RESTRICTED }, code: { text: 'therapy session notes' }, subject: { reference: ids.normal } });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('names the restricted charts and resources with the care relationships that open them, and nothing clinical', async () => {
      const answer = await report();
      expect(charts(answer)).toEqual([
        { patient: { name: 'patient', valueReference: { reference: ids.normal, display: 'Nia Normal' } }, label: undefined, restrictedResources: { name: 'restrictedResources', valueInteger: 1 } },
        {
          patient: { name: 'patient', valueReference: { reference: ids.secret, display: 'Sam Staffmember' } },
          label: { name: 'label', valueCoding: { system: CONFIDENTIALITY, code: 'R', display: 'restricted' } },
          restrictedResources: { name: 'restrictedResources', valueInteger: 0 },
        },
      ]);
      const secret = answer.parameter!.find((x) => x.name === 'chart' && x.part![0].valueReference!.reference === ids.secret)!;
      expect(secret.part!.filter((x) => x.name === 'generalPractitioner').map((x) => x.valueReference)).toEqual([{ reference: ids.gp, display: 'Grace Doctor' }]);
      expect(secret.part!.filter((x) => x.name === 'careTeamMember').map((x) => x.valueReference)).toEqual([{ reference: ids.teamNurse, display: 'Tom Team' }]);
      const [resource] = answer.parameter!.filter((x) => x.name === 'resource');
      expect(resource.part!.map((x) => x.name)).toEqual(['resource', 'date', 'label', 'patient']);
      expect(resource.part![0].valueReference).toEqual({ reference: ids.therapy });
      expect(JSON.stringify(answer)).not.toMatch(/therapy session|CareTeam\//);
      // The administrator still reads no clinical data, restricted or not.
      expect((await dispatchAs(admin(), 'GET', ids.therapy)).status).toBe('forbidden');
      expect((await dispatchAs(admin(), 'GET', 'CareTeam')).status).toBe('forbidden');
    });

    it('restricts and opens a chart with $meta-add and $meta-delete: refused at once here, and within 5 seconds on any server', async () => {
      const stranger = (clock?: () => number) => as('physician', 'doc-stranger', { scopes: ['user/*.*'], fhirUser: ids.stranger, ...(clock ? { clock } : {}) });
      // A physician without a care relationship reads the chart, and this server remembers there is nothing restricted to hide.
      expect((await dispatchAs(stranger(), 'GET', ids.normal)).status).toBe(200);
      const added = await dispatchAs(admin(), 'POST', `${ids.normal}/$meta-add`, restrict);
      expect(added.status).toBe(200);
      const meta = (added.body as unknown as Parameters).parameter![0].valueMeta!;
      expect([meta.security, meta.versionId]).toEqual([RESTRICTED, '2']);
      expect((await dispatchAs(stranger(), 'GET', ids.normal)).code).toBe('suppressed');
      expect((await dispatchAs(stranger(), 'GET', `Patient?_id=${ids.normal.split('/')[1]}&_summary=count`)).body!.total).toBe(0);
      // Another server's cache lasts at most 5 seconds: by then it asks the store again, whatever it held.
      expect((await dispatchAs(stranger(() => Date.now() + 5_001), 'GET', ids.normal)).code).toBe('suppressed');
      // The general practitioner of a chart is not affected by another chart's label; this one has none.
      expect(charts(await report()).find((c) => c.patient!.valueReference!.reference === ids.normal)?.label?.valueCoding?.code).toBe('R');
      // The same label again changes nothing and writes no version.
      expect((await dispatchAs(admin(), 'POST', `${ids.normal}/$meta-add`, restrict)).body).toMatchObject({ parameter: [{ valueMeta: { versionId: '2' } }] });

      const removed = await dispatchAs(admin(), 'POST', `${ids.normal}/$meta-delete`, restrict);
      expect((removed.body as unknown as Parameters).parameter![0].valueMeta!.security).toBeUndefined();
      expect((await dispatchAs(stranger(), 'GET', ids.normal)).status).toBe(200);
      expect((await dispatchAs(stranger(() => Date.now() + 5_001), 'GET', ids.normal)).status).toBe(200);
      // Audited, naming the chart, as the administrator.
      const trail = await t.store.audit.query(t.practiceId, { count: 10, agentId: 'admin-1', action: ['$meta-add', '$meta-delete'], ascending: true });
      expect(trail.map((e) => [e.action, e.outcome, e.entities, e.patients])).toEqual([
        ['$meta-add', 'success', [ids.normal], [ids.normal]],
        ['$meta-add', 'success', [ids.normal], [ids.normal]],
        ['$meta-delete', 'success', [ids.normal], [ids.normal]],
      ]);
    });

    it('lets the administrator open a restricted resource, answering its labels only, and change nothing else', async () => {
      const opened = await dispatchAs(admin(), 'POST', `${ids.therapy}/$meta-delete`, restrict);
      expect(opened.status).toBe(200);
      expect(JSON.stringify(opened.body)).not.toMatch(/therapy/);
      expect((await t.fhir('GET', ids.therapy)).body.meta.security).toBeUndefined();
      expect((await dispatchAs(admin(), 'POST', `${ids.therapy}/$meta-add`, restrict)).status).toBe(200);
      for (const meta of [{ tag: [{ system: 'urn:x', code: 'y' }] }, { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'ETH' }] }, { profile: ['http://example.org/p'], security: RESTRICTED }]) {
        expect((await dispatchAs(admin(), 'POST', `${ids.therapy}/$meta-add`, metaParams(meta))).status, JSON.stringify(meta)).toBe('forbidden');
      }
      expect((await dispatchAs(admin(), 'POST', `${ids.gp}/$meta-add`, restrict)).status).toBe('forbidden');
      expect((await dispatchAs(admin(), 'POST', `${ids.therapy}/$meta-add`, { resourceType: 'Parameters' })).status).toBe('invalid');
      expect((await dispatchAs(admin(), 'POST', 'Observation/nope/$meta-add', restrict)).status).toBe('not-found');
      // Without heron/admin the administrator is a practice-admin role like any other: no update of clinical data.
      expect((await dispatchAs(as('practice-admin', 'admin-1', { scopes: ['user/*.*'] }), 'POST', `${ids.therapy}/$meta-delete`, restrict)).status).toBe('forbidden');
    });

    it('other roles: the report is refused; labels change only where they may update, and restricted records stay closed', async () => {
      for (const role of ROLES.filter((r) => r !== 'practice-admin')) {
        expect((await dispatchAs(as(role, `u-${role}`), 'GET', 'Patient/$restricted-records')).status, role).toBe('forbidden');
      }
      expect((await t.fhir('GET', 'Patient/$restricted-records')).status).toBe(403);
      expect((await dispatchAs(as('billing', 'bill-1'), 'POST', `${ids.normal}/$meta-add`, restrict)).status).toBe('forbidden');
      expect((await dispatchAs(as('patient', 'pat-1'), 'POST', `${ids.normal}/$meta-add`, restrict)).status).toBe('forbidden');
      const nurse = as('nurse', 'nurse-x', { scopes: ['user/*.*'], fhirUser: ids.stranger });
      expect((await dispatchAs(nurse, 'POST', `${ids.therapy}/$meta-delete`, restrict)).code).toBe('suppressed');
      // The chart's general practitioner may label a resource of it, tags too.
      const gp = as('physician', 'gp-1', { scopes: ['user/*.*'], fhirUser: ids.gp });
      const obs = await t.fhir('POST', 'Observation', { body: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: ids.secret } } });
      const tagged = await dispatchAs(gp, 'POST', `Observation/${obs.body.id}/$meta-add`, metaParams({ security: RESTRICTED, tag: [{ system: 'urn:x', code: 'y' }] }));
      expect((tagged.body as unknown as Parameters).parameter![0].valueMeta).toMatchObject({ security: RESTRICTED, tag: [{ system: 'urn:x', code: 'y' }] });
      const found = (await t.fhir('GET', `Observation?_security=${CONFIDENTIALITY}|R`)).body as Bundle;
      expect(found.entry?.map((e) => `Observation/${e.resource!.id}`).sort()).toEqual([ids.therapy, `Observation/${obs.body.id}`].sort());
    });
  });
}
