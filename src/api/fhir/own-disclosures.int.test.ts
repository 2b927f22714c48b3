/**
 * A patient's own accounting of disclosures, on both stores, through `dispatch`: patient A reads
 * who accessed A's record (search, read by id, CSV export), never an entry about B, and without
 * staff's network details, with staff, proxies and apps named but never another patient; a proxy
 * is refused.
 */
import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../domain/access/principal.ts';
import { storeAuditSink } from '../../domain/audit/audit-sink.ts';
import type { Ctx } from '../../domain/context.ts';
import { registerClient } from '../../domain/clients/register-client.ts';
import { createUser } from '../../domain/users/create-user.ts';
import { dispatchAs, namedCreator, startTestApp, type TestApp } from '../test-app.ts';

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`a patient's own accounting of disclosures (${kind})`, () => {
    let t: TestApp;
    const ids: Record<string, string> = {};
    const as = (principal: Omit<Extract<Principal, { kind: 'user' }>, 'kind' | 'tenant'>, ip: string): Ctx => ({
      tenant: t.practiceId,
      principal: { kind: 'user', tenant: t.practiceId, ...principal },
      store: t.store,
      audit: storeAuditSink(t.store.audit),
      origin: { ip, userAgent: 'Chart/1.0' },
    });
    let create: ReturnType<typeof namedCreator>;
    const idOf = (ref: string) => ref.split('/')[1]!;
    const patientA = () => as({ id: 'user-a', role: 'patient', scopes: ['patient/*.rs'], fhirUser: ids.a!, patients: [idOf(ids.a!)] }, '198.51.100.7');

    beforeAll(async () => {
      t = await startTestApp({ kind, auditStore: true });
      create = namedCreator(() => t, ids);
      await create('a', { resourceType: 'Patient', name: [{ family: 'Alpha' }] });
      await create('b', { resourceType: 'Patient', name: [{ family: 'Beta' }] });
      await create('obsA', { resourceType: 'Observation', status: 'final', code: { text: 'weight' }, subject: { reference: ids.a } });
      await create('obsB', { resourceType: 'Observation', status: 'final', code: { text: 'weight' }, subject: { reference: ids.b } });
      const nurse = as({ id: 'nurse-1', role: 'nurse', scopes: ['user/*.*'], fhirUser: 'Practitioner/n1' }, '10.9.8.7');
      for (const path of [ids.obsA!, ids.obsB!, `Observation?subject=${ids.b}`]) expect((await dispatchAs(nurse, 'GET', path)).status).toBe(200);
    });
    /** The patient's events by the requesting agent's account or app id. */
    const seenBy = async (ctx: Ctx) => {
      const events = (((await dispatchAs(ctx, 'GET', 'AuditEvent?_count=100')).body as Bundle<AuditEvent>).entry ?? []).map((e) => e.resource!);
      const agent = (e: AuditEvent) => e.agent.find((a) => a.requestor)!.who!;
      return { events, displays: (id: string) => [...new Set(events.filter((e) => agent(e).identifier?.value === id).map((e) => agent(e).display))] };
    };

    afterAll(async () => {
      await t?.close();
    });

    it("lists who accessed the patient's record, and only entries about it, without staff's network details", async () => {
      const res = await dispatchAs(patientA(), 'GET', 'AuditEvent?_count=100');
      expect(res.status).toBe(200);
      const events = ((res.body as Bundle).entry ?? []).map((e) => e.resource!);
      expect(events.length).toBeGreaterThan(0);
      const text = JSON.stringify(events);
      expect(text).toContain('nurse-1');
      expect(text).toContain(ids.obsA);
      expect(text).not.toContain(ids.obsB);
      expect(text).not.toContain(ids.b);
      // The nurse's address is in the trail (the auditor sees it) but not in the patient's view.
      expect(JSON.stringify(await t.store.audit.query(t.practiceId, { count: 100, patient: ids.a }))).toContain('10.9.8.7');
      expect(text).not.toContain('10.9.8.7');
      expect(text).not.toContain('Chart/1.0');
    });

    it('names staff by their Practitioner, a proxy by its RelatedPerson, an app by its name; never another patient', async () => {
      const password = 'a long enough passphrase 42';
      await create('dana', { resourceType: 'Practitioner', name: [{ given: ['Dana'], family: 'Whitfield', prefix: ['Dr.'], suffix: ['MD'] }] });
      await create('mum', { resourceType: 'RelatedPerson', patient: { reference: ids.a }, name: [{ given: ['Maria'], family: 'Alpha' }] });
      const tenant = t.practiceId;
      const dana = (await createUser(t.store, { practiceId: tenant, role: 'physician', email: 'dana@example.org', password, fhirUser: ids.dana })).id;
      const mum = (await createUser(t.store, { practiceId: tenant, role: 'proxy', email: 'mum@example.org', password, fhirUser: ids.mum, patients: [idOf(ids.a!)] })).id;
      const beta = (await createUser(t.store, { practiceId: tenant, role: 'patient', email: 'beta@example.org', password, fhirUser: ids.b, patients: [idOf(ids.b!)] })).id;
      // A staff account that has since become Beta's patient account (its role changed): its old staff entries name nobody.
      const turned = (await createUser(t.store, { practiceId: tenant, role: 'patient', email: 'turned@example.org', password, fhirUser: ids.b, patients: [idOf(ids.b!)] })).id;
      const { clientId } = await registerClient(t.store, { practiceId: tenant, scopes: 'system/*.rs', name: 'Glucose Diary' });
      expect((await dispatchAs(as({ id: dana, role: 'physician', scopes: ['user/*.*'], fhirUser: ids.dana }, '10.9.8.5'), 'GET', ids.obsA!)).status).toBe(200);
      expect((await dispatchAs(as({ id: mum, role: 'proxy', scopes: ['patient/*.rs'], fhirUser: ids.mum, patients: [idOf(ids.a!)] }, '198.51.100.9'), 'GET', ids.obsA!)).status).toBe(200);
      // Entries no request of theirs could make, written straight to the chain: Beta's account, and the turned account as a nurse, on A's record; an app.
      const entry = (agentKind: string, agentId: string, agentRole?: string) => ({ tenant, recorded: Date.now(), action: 'read', outcome: 'success' as const, agentKind, agentId, ...(agentRole ? { agentRole } : {}), entities: [ids.obsA!], patients: [ids.a!] });
      await t.store.audit.append([entry('user', beta, 'patient'), entry('user', turned, 'nurse'), entry('client', clientId)], { flush: true });

      const { events, displays } = await seenBy(patientA());
      expect(displays(dana)).toEqual(['Dana Whitfield, MD']);
      expect(displays(mum)).toEqual(['Maria Alpha']);
      expect(displays(beta)).toEqual([undefined]);
      expect(displays(turned)).toEqual([undefined]);
      expect(displays(clientId)).toEqual(['Glucose Diary']);
      expect(displays('nurse-1')).toEqual([undefined]);
      expect(JSON.stringify(events)).not.toContain('Beta');
      // Read by id, the same; and the chain itself holds no names (they are looked up when read).
      const danaSeq = events.find((e) => e.agent[0]!.who!.identifier?.value === dana)!.id!;
      const read = (await dispatchAs(patientA(), 'GET', `AuditEvent/${danaSeq}`)).body as unknown as AuditEvent;
      expect(read.agent[0]!.who!.display).toBe('Dana Whitfield, MD');
      expect(JSON.stringify(await t.store.audit.query(tenant, { count: 100, patient: ids.a }))).not.toContain('Whitfield');
      expect((await t.store.audit.verify(tenant)).broken).toBeUndefined();
      // A proxy whose RelatedPerson is about someone else is only "Your proxy".
      await create('aunt', { resourceType: 'RelatedPerson', patient: { reference: ids.b }, name: [{ given: ['Aunt'], family: 'Beta' }] });
      const aunt = (await createUser(t.store, { practiceId: tenant, role: 'proxy', email: 'aunt@example.org', password, fhirUser: ids.aunt, patients: [idOf(ids.a!), idOf(ids.b!)] })).id;
      await t.store.audit.append([entry('user', aunt, 'proxy')], { flush: true });
      expect((await seenBy(patientA())).displays(aunt)).toEqual(['Your proxy']);
    });

    it("another patient's entries match nothing, by filter, by id or by export", async () => {
      const ctx = patientA();
      expect(((await dispatchAs(ctx, 'GET', `AuditEvent?patient=${ids.b}`)).body as Bundle).entry ?? []).toEqual([]);
      const [aboutB] = await t.store.audit.query(t.practiceId, { count: 1, patient: ids.b });
      expect((await dispatchAs(ctx, 'GET', `AuditEvent/${aboutB!.seq}`)).status).toBe('not-found');
      const [aboutA] = await t.store.audit.query(t.practiceId, { count: 1, patient: ids.a });
      expect((await dispatchAs(ctx, 'GET', `AuditEvent/${aboutA!.seq}`)).status).toBe(200);
    });

    it('a proxy, and staff without the audit permission, are refused', async () => {
      const proxy = as({ id: 'mum', role: 'proxy', scopes: ['patient/*.rs'], patients: [idOf(ids.a!)] }, '198.51.100.8');
      expect((await dispatchAs(proxy, 'GET', 'AuditEvent')).status).toBe('forbidden');
      const nurse = as({ id: 'nurse-2', role: 'nurse', scopes: ['user/*.*'] }, '10.9.8.6');
      expect((await dispatchAs(nurse, 'GET', 'AuditEvent')).status).toBe('forbidden');
    });
  });
}
