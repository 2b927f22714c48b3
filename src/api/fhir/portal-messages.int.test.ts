/**
 * The portal's messages on both stores (docs/portal.md#messages): a patient's thread with the care
 * team, files attached within the practice's attachment limits, and what a patient cannot do —
 * read or answer another patient's thread, attach another record's file, write to another
 * patient, go past the practice's limits. A clinician's reply is in the patient's record.
 */
import type { Bundle, Communication, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../domain/access/principal.ts';
import type { Ctx } from '../../domain/context.ts';
import { newPracticeOrganization } from '../../domain/practice-settings/practice-organization.ts';
import { SETTING_URLS } from '../../domain/practice-settings/practice-settings.ts';
import { registerApp } from '../../domain/clients/register-app.ts';
import { createUser } from '../../domain/users/create-user.ts';
import { authorizeUrl, injectHttp, pkce, signInAndConsent } from '../auth/test-flow.ts';
import { BASE, dispatchAs, ORIGIN, startTestApp, type TestApp } from '../test-app.ts';

/** A one-pixel PNG. */
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
/** A PNG file `bytes` long (a picture, padded after its end: the content check reads its start). */
const png = (bytes: number) => Buffer.concat([PIXEL, Buffer.alloc(bytes - PIXEL.length)]).toString('base64');
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1]).toString('base64');

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`portal messages (${kind})`, () => {
    let t: TestApp;
    const ids: Record<string, string> = {};
    let patientA: Ctx;
    let patientB: Ctx;
    let limitedProxy: Ctx;
    let fullProxy: Ctx;
    const ctxOf = (principal: Principal): Ctx => ({ tenant: t.practiceId, principal, store: t.store, audit: { record() {} }, origin: {} });
    const file = (patient: string, data: string, contentType = 'image/png') => ({ resourceType: 'Binary', contentType, securityContext: { reference: `Patient/${patient}` }, data });
    const message = (patient: string, extra: Partial<Communication> = {}): Communication => ({
      resourceType: 'Communication',
      status: 'in-progress',
      subject: { reference: `Patient/${patient}` },
      sender: { reference: `Patient/${patient}` },
      recipient: [{ reference: `Practitioner/${ids.doc}` }],
      topic: { text: 'My rash' },
      payload: [{ contentString: 'The rash on my arm is back. Photo attached.' }],
      ...extra,
    });
    const attached = (binary: string) => [{ contentString: 'See the photo.' }, { contentAttachment: { url: `Binary/${binary}`, contentType: 'image/png', title: 'arm.png' } }];

    beforeAll(async () => {
      t = await startTestApp({ kind });
      const make = async (name: string, resource: object) => {
        const res = await t.fhir('POST', (resource as Resource).resourceType, { body: resource });
        expect(res.status, res.text).toBe(201);
        ids[name] = res.body.id;
      };
      // The practice accepts PNG and PDF files up to 1 MB.
      await make('org', {
        ...newPracticeOrganization({ id: t.practiceId, name: 'Riverside' }),
        extension: [{ url: SETTING_URLS.attachments, extension: [{ url: 'maxMegabytes', valuePositiveInt: 1 }, { url: 'allowedType', valueCode: 'image/png' }, { url: 'allowedType', valueCode: 'application/pdf' }] }],
      });
      await make('doc', { resourceType: 'Practitioner', name: [{ family: 'Osler' }] });
      await make('a', { resourceType: 'Patient', name: [{ family: 'Alpha' }], birthDate: '1990-01-01' });
      await make('b', { resourceType: 'Patient', name: [{ family: 'Beta' }], birthDate: '1990-01-01' });
      await make('fileOfB', file(ids.b!, png(100)));
      const patient = (id: string): Principal => ({ kind: 'user', id: `user-${id}`, tenant: t.practiceId, role: 'patient', scopes: ['user/*.cruds'], fhirUser: `Patient/${id}`, patients: [id] });
      patientA = ctxOf(patient(ids.a!));
      patientB = ctxOf(patient(ids.b!));
      fullProxy = ctxOf({ kind: 'user', id: 'carer', tenant: t.practiceId, role: 'proxy', scopes: ['user/*.cruds'], fhirUser: 'RelatedPerson/carer', patients: [ids.a!] });
      limitedProxy = ctxOf({ kind: 'user', id: 'parent', tenant: t.practiceId, role: 'proxy', scopes: ['user/*.cruds'], fhirUser: 'RelatedPerson/parent', patients: [ids.a!], limitedPatients: [ids.a!] });
    });
    afterAll(async () => {
      await t?.close();
    });

    it("uploads a file within the practice's limits only, with an OperationOutcome naming the limit", async () => {
      const ok = await dispatchAs(patientA, 'POST', 'Binary', file(ids.a!, png(2000)));
      expect(ok.status).toBe(201);
      ids.fileOfA = ok.body!.id!;
      // The patient reads their own file back.
      expect((await dispatchAs(patientA, 'GET', `Binary/${ids.fileOfA}`)).status).toBe(200);
      // A JPEG is a file any Binary may be, but this practice takes PNG and PDF only.
      const jpeg = await dispatchAs(patientA, 'POST', 'Binary', file(ids.a!, JPEG, 'image/jpeg'));
      expect([jpeg.status, jpeg.code]).toEqual(['unsupported-media-type', 'not-supported']);
      const large = await dispatchAs(patientA, 'POST', 'Binary', file(ids.a!, png(1024 * 1024 + 1)));
      expect([large.status, large.code]).toEqual(['too-large', 'too-long']);
      // Exactly the limit is accepted.
      expect((await dispatchAs(patientA, 'POST', 'Binary', file(ids.a!, png(1024 * 1024)))).status).toBe(201);
      expect((await dispatchAs(patientA, 'POST', 'Binary', file(ids.b!, png(100)))).status).toBe('forbidden');
      expect((await dispatchAs(limitedProxy, 'POST', 'Binary', file(ids.a!, png(100)))).status).toBe('forbidden');
      // Staff uploads (documents) are not held to the patient attachment setting.
      expect((await t.fhir('POST', 'Binary', { body: file(ids.a!, JPEG, 'image/jpeg') })).status).toBe(201);
    });

    it('answers an upload over the limits with 415 or 413 and an OperationOutcome saying the limit, over HTTP with a signed-in patient', async () => {
      const REDIRECT = 'https://app.example.org/callback';
      const PASSWORD = 'Amber-Kettle-Orchard-93';
      const registered = await registerApp(t.store, { practiceId: t.practiceId, name: 'Portal', redirectUris: [REDIRECT], public: false, scopes: 'openid user/*.cruds' });
      await createUser(t.store, { practiceId: t.practiceId, role: 'patient', email: 'alpha@example.org', password: PASSWORD, patients: [ids.a!] });
      const http = injectHttp(t.app);
      const { verifier, challenge } = pkce();
      const url = authorizeUrl(ORIGIN, { clientId: registered.clientId, redirectUri: REDIRECT, scope: 'openid user/*.cruds', aud: BASE, challenge, method: 'S256', state: 's' });
      const { redirect } = await signInAndConsent(http, ORIGIN, url, { email: 'alpha@example.org', password: PASSWORD });
      const basic = `Basic ${Buffer.from(`${registered.clientId}:${registered.clientSecret}`).toString('base64')}`;
      const answer = await http('POST', `${ORIGIN}/oauth2/token`, { headers: { authorization: basic }, form: new URLSearchParams({ grant_type: 'authorization_code', code: redirect.searchParams.get('code')!, code_verifier: verifier, redirect_uri: REDIRECT }) });
      const token = JSON.parse(answer.text).access_token as string;
      const upload = (bytes: Buffer, contentType: string) => t.fhir('POST', 'Binary', { token, payload: bytes, headers: { 'content-type': contentType, 'x-security-context': `Patient/${ids.a}` } });
      const ok = await upload(Buffer.from(png(3000), 'base64'), 'image/png');
      expect(ok.status, ok.text).toBe(201);
      const jpeg = await upload(Buffer.from(JPEG, 'base64'), 'image/jpeg');
      expect(jpeg.status).toBe(415);
      expect(jpeg.body.issue[0].diagnostics).toBe('The practice accepts attachments of these types: image/png, application/pdf (not image/jpeg)');
      const large = await upload(Buffer.from(png(1024 * 1024 + 10), 'base64'), 'image/png');
      expect(large.status).toBe(413);
      expect(large.body.issue[0].diagnostics).toMatch(/^An attachment may be at most 1 MB/);
      const sent = await t.fhir('POST', 'Communication', { token, body: message(ids.a!, { payload: attached(ok.body.id) }) });
      expect(sent.status, sent.text).toBe(201);
    });

    it('sends a message with a file of their record to the care team, not to another patient, not with files of another record', async () => {
      const sent = await dispatchAs(patientA, 'POST', 'Communication', message(ids.a!, { payload: attached(ids.fileOfA!) }));
      expect(sent.status).toBe(201);
      ids.first = sent.body!.id!;
      for (const bad of [
        { payload: attached(ids.fileOfB!) },
        { payload: [{ contentAttachment: { contentType: 'image/png', data: png(100) } }] },
        { payload: attached('no-such-file') },
        { recipient: [{ reference: `Patient/${ids.b}` }] },
      ]) {
        expect((await dispatchAs(patientA, 'POST', 'Communication', message(ids.a!, bad))).status).toBe('unprocessable');
      }
    });

    it('sees the care team reply in their record and answers it; another patient can neither read nor answer the thread', async () => {
      const reply: Communication = {
        resourceType: 'Communication',
        status: 'completed',
        subject: { reference: `Patient/${ids.a}` },
        sender: { reference: `Practitioner/${ids.doc}` },
        recipient: [{ reference: `Patient/${ids.a}` }],
        inResponseTo: [{ reference: `Communication/${ids.first}` }],
        topic: { text: 'My rash' },
        payload: [{ contentString: 'Please come in tomorrow.' }],
      };
      const replied = await t.fhir('POST', 'Communication', { body: reply });
      expect(replied.status, replied.text).toBe(201);
      const thread = await dispatchAs(patientA, 'GET', `Communication?subject=Patient/${ids.a}&_sort=sent`);
      const seen = (thread.body as Bundle).entry!.map((e) => e.resource!.id);
      expect(seen).toEqual(expect.arrayContaining([ids.first, replied.body.id]));
      const answer = await dispatchAs(patientA, 'POST', 'Communication', message(ids.a!, { inResponseTo: [{ reference: `Communication/${replied.body.id}` }], recipient: [{ reference: `Practitioner/${ids.doc}` }] }));
      expect(answer.status).toBe(201);

      // Patient B: A's messages are absent, and answering one is refused (as a message of no record of theirs).
      expect((await dispatchAs(patientB, 'GET', `Communication/${ids.first}`)).status).toBe('not-found');
      expect((await dispatchAs(patientB, 'GET', 'Communication')).body!.entry ?? []).toEqual([]);
      expect((await dispatchAs(patientB, 'GET', `Binary/${ids.fileOfA}`)).status).toBe('not-found');
      expect((await dispatchAs(patientB, 'POST', 'Communication', message(ids.b!, { inResponseTo: [{ reference: `Communication/${ids.first}` }] }))).status).toBe('unprocessable');
      // Nor can B put their message into A's record.
      expect((await dispatchAs(patientB, 'POST', 'Communication', { ...message(ids.b!), subject: { reference: `Patient/${ids.a}` } })).status).toBe('forbidden');
    });

    it("lets a proxy with full access write in the patient's record as themselves, with a file, and read the answer", async () => {
      const upload = await dispatchAs(fullProxy, 'POST', 'Binary', file(ids.a!, png(500)));
      expect(upload.status).toBe(201);
      const sent = await dispatchAs(fullProxy, 'POST', 'Communication', message(ids.a!, { sender: { reference: 'RelatedPerson/carer' }, payload: attached(upload.body!.id!) }));
      expect(sent.status).toBe(201);
      // Not as the patient.
      expect((await dispatchAs(fullProxy, 'POST', 'Communication', message(ids.a!))).status).toBe('unprocessable');
      const reply = { resourceType: 'Communication', status: 'completed', subject: { reference: `Patient/${ids.a}` }, sender: { reference: `Practitioner/${ids.doc}` }, recipient: [{ reference: 'RelatedPerson/carer' }], inResponseTo: [{ reference: `Communication/${sent.body!.id}` }], payload: [{ contentString: 'Bring her in on Monday.' }] };
      const replied = await t.fhir('POST', 'Communication', { body: reply });
      expect(replied.status, replied.text).toBe(201);
      expect((await dispatchAs(fullProxy, 'GET', `Communication/${replied.body.id}`)).status).toBe(200);
    });
  });
}
