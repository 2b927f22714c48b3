/**
 * SMART Health Links on both stores: a patient makes a link to their summary; the manifest URL
 * serves it only with the passcode, counting wrong ones; the content opens with the link's key,
 * by jose and by an independent implementation (kill-the-clipboard's SHLViewer, from npm); each
 * opening is listed for the patient and in the audit trail; a revoked link is refused at once;
 * staff and other patients cannot make or see a patient's links.
 */
import type { Bundle, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { compactDecrypt } from 'jose';
import { SHLViewer } from 'kill-the-clipboard';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../domain/access/principal.ts';
import { storeAuditSink } from '../../domain/audit/audit-sink.ts';
import type { Ctx } from '../../domain/context.ts';
import { ipsProblems } from '../../../tests/fixtures/ips-check.ts';
import { BASE, dispatchAs, startTestApp, type TestApp } from '../test-app.ts';

const part = (parts: ParametersParameter[] | undefined, name: string) => parts?.find((p) => p.name === name);
const value = (p: Parameters, name: string) => {
  const found = part(p.parameter, name);
  return found?.valueString ?? found?.valueUrl ?? found?.valueInstant ?? found?.valueBoolean;
};

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`SMART Health Links (${kind})`, () => {
    let t: TestApp;
    const ids: Record<string, string> = {};
    let patientA: Ctx;
    let patientB: Ctx;
    let physician: Ctx;
    let link = '';
    let linkId = '';
    const ctxOf = (principal: Principal): Ctx => ({ tenant: t.practiceId, principal, store: t.store, audit: storeAuditSink(t.store.audit), origin: {} });
    const payloadOf = (shlink: string) => JSON.parse(Buffer.from(shlink.slice('shlink:/'.length), 'base64url').toString('utf8')) as { url: string; key: string; exp: number; flag?: string; label?: string };
    // The manifest over HTTP through the app (inject), as a fetch for kill-the-clipboard.
    const injectFetch = async (url: string, init?: RequestInit): Promise<Response> => {
      const res = await t.app.inject({ method: (init?.method ?? 'GET') as 'POST', url: new URL(url).pathname, headers: { 'content-type': 'application/json' }, payload: (init?.body as string | undefined) ?? '' });
      return new Response(res.body, { status: res.statusCode, headers: { 'content-type': String(res.headers['content-type'] ?? 'application/json') } });
    };
    const manifest = (id: string, body: object) => t.app.inject({ method: 'POST', url: `/shl/${id}`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    const create = (ctx: Ctx, patient: string, params: ParametersParameter[]) => dispatchAs(ctx, 'POST', `Patient/${patient}/$health-link`, { resourceType: 'Parameters', parameter: params });

    beforeAll(async () => {
      t = await startTestApp({ kind, auditStore: true });
      const make = async (name: string, resource: object) => {
        const res = await t.fhir('POST', (resource as { resourceType: string }).resourceType, { body: resource });
        expect(res.status, res.text).toBe(201);
        ids[name] = res.body.id;
      };
      await make('a', { resourceType: 'Patient', name: [{ family: 'Alpha', given: ['Ann'] }], birthDate: '1970-02-03' });
      await make('b', { resourceType: 'Patient', name: [{ family: 'Beta', given: ['Bob'] }], birthDate: '1980-01-01' });
      await make('asthma', { resourceType: 'Condition', clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] }, subject: { reference: `Patient/${ids.a}` }, code: { text: 'Asthma' } });
      patientA = ctxOf({ kind: 'user', id: 'user-a', tenant: t.practiceId, role: 'patient', scopes: ['patient/*.rs'], fhirUser: `Patient/${ids.a}`, patients: [ids.a] });
      patientB = ctxOf({ kind: 'user', id: 'user-b', tenant: t.practiceId, role: 'patient', scopes: ['patient/*.rs'], fhirUser: `Patient/${ids.b}`, patients: [ids.b] });
      physician = ctxOf({ kind: 'user', id: 'doc', tenant: t.practiceId, role: 'physician', scopes: ['user/*.cruds'] });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('makes a link to the summary with a passcode: the link holds the manifest URL, the key and the P flag', async () => {
      const expires = new Date(Date.now() + 30 * 86_400_000).toISOString();
      const res = await create(patientA, ids.a, [{ name: 'label', valueString: 'For Dr Lee' }, { name: 'expires', valueDateTime: expires }, { name: 'passcode', valueString: 'sunflower7' }]);
      expect(res.status).toBe(201);
      link = value(res.body as unknown as Parameters, 'link') as string;
      linkId = value(res.body as unknown as Parameters, 'id') as string;
      expect(link).toMatch(/^shlink:\/[A-Za-z0-9_-]+$/);
      expect(value(res.body as unknown as Parameters, 'viewer')).toBe(`${BASE.replace('/fhir/R4', '')}/health-link#${link}`);
      const payload = payloadOf(link);
      expect(payload).toMatchObject({ url: `${BASE.replace('/fhir/R4', '')}/shl/${linkId}`, flag: 'P', label: 'For Dr Lee', v: 1 });
      expect(Buffer.from(payload.key, 'base64url')).toHaveLength(32);
      expect(linkId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });

    it('serves the encrypted summary only with the passcode, counting wrong ones; the key opens it', async () => {
      const wrong = await manifest(linkId, { recipient: 'Dr Lee, City Hospital', passcode: 'guess' });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json()).toEqual({ remainingAttempts: 9 });
      expect((await manifest(linkId, { passcode: 'sunflower7' })).statusCode).toBe(400);
      const served = await manifest(linkId, { recipient: 'Dr Lee, City Hospital', passcode: 'sunflower7' });
      expect(served.statusCode).toBe(200);
      expect(served.headers['access-control-allow-origin']).toBe('*');
      const file = served.json().files[0] as { contentType: string; embedded: string };
      expect(file.contentType).toBe('application/fhir+json');
      const { plaintext, protectedHeader } = await compactDecrypt(file.embedded, Buffer.from(payloadOf(link).key, 'base64url'));
      expect(protectedHeader).toMatchObject({ alg: 'dir', enc: 'A256GCM' });
      const doc = JSON.parse(new TextDecoder().decode(plaintext)) as Bundle;
      expect(ipsProblems(doc)).toEqual([]);
      expect(JSON.stringify(doc)).toContain('Asthma');
    });

    it('opens with an independent implementation (kill-the-clipboard SHLViewer)', async () => {
      const viewer = new SHLViewer({ shlinkURI: link, fetch: injectFetch });
      const resolved = await viewer.resolveSHL({ recipient: 'Dr Lee (kill-the-clipboard)', passcode: 'sunflower7' });
      const bundle = resolved.fhirResources.find((r) => r.resourceType === 'Bundle') as Bundle | undefined;
      expect(bundle?.type).toBe('document');
      expect(bundle?.entry?.[0]?.resource?.resourceType).toBe('Composition');
    });

    it('lists every opening for the patient, records it in the audit trail, and stops at once when revoked', async () => {
      const listed = await dispatchAs(patientA, 'GET', `Patient/${ids.a}/$health-links`);
      expect(listed.status).toBe(200);
      const one = (listed.body as unknown as Parameters).parameter!.find((p) => part(p.part, 'id')?.valueString === linkId)!;
      expect(part(one.part, 'status')?.valueCode).toBe('active');
      const opened = one.part!.filter((p) => p.name === 'opened').map((p) => [part(p.part, 'recipient')?.valueString, part(p.part, 'outcome')?.valueCode]);
      expect(opened).toEqual(expect.arrayContaining([['Dr Lee, City Hospital', 'wrong-passcode'], ['Dr Lee, City Hospital', 'served'], ['Dr Lee (kill-the-clipboard)', 'served']]));
      const trail = await t.fhir('GET', `AuditEvent?patient=Patient/${ids.a}&subtype=health-link-open`);
      expect(trail.status, trail.text).toBe(200);
      expect(trail.body.entry.length).toBeGreaterThanOrEqual(3);

      const revoked = await dispatchAs(patientA, 'POST', `Patient/${ids.a}/$health-link-revoke`, { resourceType: 'Parameters', parameter: [{ name: 'id', valueString: linkId }] });
      expect(revoked.status).toBe(200);
      expect((await manifest(linkId, { recipient: 'Dr Lee, City Hospital', passcode: 'sunflower7' })).statusCode).toBe(404);
      const after = await dispatchAs(patientA, 'GET', `Patient/${ids.a}/$health-links`);
      const again = (after.body as unknown as Parameters).parameter!.find((p) => part(p.part, 'id')?.valueString === linkId)!;
      expect(part(again.part, 'status')?.valueCode).toBe('revoked');
      expect(part(again.part!.filter((p) => p.name === 'opened')[0]?.part, 'outcome')?.valueCode).toBe('refused');
    });

    it('is the patient’s: staff cannot make one, another patient neither makes nor sees them, bad input is named', async () => {
      const expires = new Date(Date.now() + 86_400_000).toISOString();
      const params = [{ name: 'label', valueString: 'x' }, { name: 'expires', valueDateTime: expires }];
      expect((await create(physician, ids.a, params)).status).toBe('forbidden');
      expect((await create(patientB, ids.a, params)).status).toBe('not-found');
      expect((await dispatchAs(patientB, 'GET', `Patient/${ids.a}/$health-links`)).status).toBe('not-found');
      expect((await dispatchAs(patientB, 'POST', `Patient/${ids.a}/$health-link-revoke`, { resourceType: 'Parameters', parameter: [{ name: 'id', valueString: linkId }] })).status).toBe('not-found');
      for (const [bad, field] of [
        [[{ name: 'label', valueString: '' }, { name: 'expires', valueDateTime: expires }], 'label'],
        [[{ name: 'label', valueString: 'x' }], 'expires'],
        [[{ name: 'label', valueString: 'x' }, { name: 'expires', valueDateTime: '2001-01-01' }], 'expires'],
        [[{ name: 'label', valueString: 'x' }, { name: 'expires', valueDateTime: expires }, { name: 'passcode', valueString: '123' }], 'passcode'],
      ] as const) {
        const res = await create(patientA, ids.a, bad as unknown as ParametersParameter[]);
        expect(res.status, field).toBe('invalid');
      }
      expect((await manifest('unknown-link-id', { recipient: 'someone' })).statusCode).toBe(404);
    });
  });
}
