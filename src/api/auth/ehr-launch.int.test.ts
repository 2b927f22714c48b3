/**
 * EHR launch and the staff patient picker through the whole app on SQLite and PostgreSQL: a
 * signed-in physician launches an app for a patient (and encounter) with `POST /oauth2/launch`;
 * the app's authorization request carries `launch=`; the physician signs in and consents; the
 * token response has `patient` and `encounter`, and the access token is bound to that patient's
 * compartment. In a standalone launch with `launch/patient`, staff pick the patient by name.
 */
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerApp } from '../../domain/clients/register-app.ts';
import { createUser } from '../../domain/users/create-user.ts';
import { BASE, ORIGIN, startTestApp, type TestApp } from '../test-app.ts';
import { authorizeUrl, cookieOf, formFields, injectHttp, pkce, signInAndConsent, type Http } from './test-flow.ts';

const PASSWORD = 'Velvet-Harbour-Lantern-42';
const REDIRECT = 'https://app.example.org/callback';
describe.each(['sqlite', 'postgres'] as const)('EHR launch (%s)', (kind) => {
  let t: TestApp;
  let http: Http;
  let app: { clientId: string; clientSecret: string };
  let otherApp: { clientId: string; clientSecret: string };
  let patientA: string;
  let patientB: string;
  let encounterA: string;
  let encounterB: string;
  let ehrToken: string;

  const basic = (c: { clientId: string; clientSecret: string }) => `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`;

  beforeAll(async () => {
    t = await startTestApp({ kind });
    http = injectHttp(t.app);
    const scopes = 'openid fhirUser launch launch/patient offline_access user/*.rs patient/*.rs';
    const registered = await registerApp(t.store, { practiceId: t.practiceId, name: 'Growth Charts', redirectUris: [REDIRECT], public: false, scopes });
    app = { clientId: registered.clientId, clientSecret: registered.clientSecret! };
    const other = await registerApp(t.store, { practiceId: t.practiceId, name: 'Other', redirectUris: [REDIRECT], public: false, scopes });
    otherApp = { clientId: other.clientId, clientSecret: other.clientSecret! };
    await createUser(t.store, { practiceId: t.practiceId, role: 'physician', email: 'grey@example.org', password: PASSWORD, fhirUser: 'Practitioner/pr1' });
    await createUser(t.store, { practiceId: t.practiceId, role: 'nurse', email: 'nurse@example.org', password: PASSWORD });
    const create = async (body: object) => {
      const res = await t.fhir('POST', (body as { resourceType: string }).resourceType, { body });
      expect(res.status, res.text).toBe(201);
      return res.body.id as string;
    };
    patientA = await create({ resourceType: 'Patient', name: [{ family: 'Okafor', given: ['Ada'] }], birthDate: '2015-04-02' });
    patientB = await create({ resourceType: 'Patient', name: [{ family: 'Lindqvist', given: ['Bo'] }] });
    encounterA = await create({ resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject: { reference: `Patient/${patientA}` } });
    encounterB = await create({ resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject: { reference: `Patient/${patientB}` } });
    for (const p of [patientA, patientB]) await create({ resourceType: 'Observation', status: 'final', code: { text: 'weight' }, subject: { reference: `Patient/${p}` } });
    // The EHR web app's own token for the physician (what it would hold after sign-in).
    ehrToken = (await exchange({ scope: 'user/*.rs' })).access_token;
  }, 60_000);
  afterAll(async () => t?.close());

  async function codeFor(o: { scope: string; launch?: string; email?: string }) {
    const { verifier, challenge } = pkce();
    const url = authorizeUrl(ORIGIN, { clientId: app.clientId, redirectUri: REDIRECT, scope: o.scope, aud: BASE, challenge, method: 'S256', state: 's1', ...(o.launch ? { extra: { launch: o.launch } } : {}) });
    const { redirect, consentPage } = await signInAndConsent(http, ORIGIN, url, { email: o.email ?? 'grey@example.org', password: PASSWORD });
    return { code: redirect.searchParams.get('code')!, verifier, consentPage };
  }

  async function redeem(code: string, verifier: string) {
    const res = await http('POST', `${ORIGIN}/oauth2/token`, {
      headers: { authorization: basic(app) },
      form: new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT }),
    });
    expect(res.status, res.text).toBe(200);
    return JSON.parse(res.text) as { access_token: string; scope: string; patient?: string; encounter?: string; refresh_token?: string };
  }

  async function exchange(o: { scope: string; launch?: string }) {
    const { code, verifier } = await codeFor(o);
    return redeem(code, verifier);
  }

  async function launch(fields: Record<string, string>, bearer: string | null = ehrToken) {
    const res = await t.app.inject({
      method: 'POST',
      url: `${ORIGIN}/oauth2/launch`,
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      payload: JSON.stringify(fields),
    });
    return { status: res.statusCode, body: res.json() as Record<string, string> };
  }

  describe('EHR launch', () => {
    it('launches an app for a patient and encounter; the token is bound to that patient', async () => {
      const made = await launch({ client_id: app.clientId, patient: patientA, encounter: encounterA });
      expect(made.status, JSON.stringify(made.body)).toBe(200);
      expect(made.body).toMatchObject({ expires_in: 300, iss: BASE });
      expect(t.audits.some((a) => a.action === 'ehr-launch' && a.patients?.includes(`Patient/${patientA}`))).toBe(true);

      const { code, verifier, consentPage } = await codeFor({ scope: 'launch openid patient/*.rs', launch: made.body.launch });
      expect(consentPage).toContain(`Patient/${patientA}`);
      const body = await redeem(code, verifier);
      expect(body).toMatchObject({ patient: patientA, encounter: encounterA, scope: 'launch openid patient/*.rs' });
      expect(decodeJwt(body.access_token)).toMatchObject({ role: 'physician', patient: patientA, patients: [patientA] });

      expect((await t.fhir('GET', `Patient/${patientA}`, { token: body.access_token })).status).toBe(200);
      expect((await t.fhir('GET', `Patient/${patientB}`, { token: body.access_token })).status).toBe(404);
      const observations = await t.fhir('GET', 'Observation', { token: body.access_token });
      expect(observations.status, observations.text).toBe(200);
      expect(observations.body.entry.map((e: { resource: { subject: { reference: string } } }) => e.resource.subject.reference)).toEqual([`Patient/${patientA}`]);

      // Single use: the same launch cannot start a second authorization.
      const again = await http('GET', authorizeUrl(ORIGIN, { clientId: app.clientId, redirectUri: REDIRECT, scope: 'launch patient/*.rs', aud: BASE, challenge: pkce().challenge, method: 'S256', extra: { launch: made.body.launch } }));
      expect(again.status).toBe(303);
      expect(new URL(again.headers.location).searchParams.get('error')).toBe('invalid_request');
    });

    it('a staff token with only user/ scopes in a launch keeps the patient context without binding', async () => {
      const made = await launch({ client_id: app.clientId, patient: patientA });
      const body = await exchange({ scope: 'launch user/Patient.rs', launch: made.body.launch });
      expect(body.patient).toBe(patientA);
      expect(body.encounter).toBeUndefined();
      expect(decodeJwt(body.access_token).patients).toBeUndefined();
    });

    it('refuses a launch signed in to by another user, for another app, or without the launch scope', async () => {
      const made = await launch({ client_id: app.clientId, patient: patientA });
      const { challenge } = pkce();
      const url = authorizeUrl(ORIGIN, { clientId: app.clientId, redirectUri: REDIRECT, scope: 'launch patient/*.rs', aud: BASE, challenge, method: 'S256', extra: { launch: made.body.launch } });
      await expect(signInAndConsent(http, ORIGIN, url, { email: 'nurse@example.org', password: PASSWORD })).rejects.toThrow(/another user/);

      const forOther = await http('GET', authorizeUrl(ORIGIN, { clientId: otherApp.clientId, redirectUri: REDIRECT, scope: 'launch patient/*.rs', aud: BASE, challenge, method: 'S256', extra: { launch: made.body.launch } }));
      expect(new URL(forOther.headers.location).searchParams.get('error')).toBe('invalid_request');
      const noScope = await http('GET', authorizeUrl(ORIGIN, { clientId: app.clientId, redirectUri: REDIRECT, scope: 'patient/*.rs', aud: BASE, challenge, method: 'S256', extra: { launch: made.body.launch } }));
      expect(new URL(noScope.headers.location).searchParams.get('error')).toBe('invalid_scope');
    });

    it('POST /oauth2/launch needs a staff user token, a registered app and a real patient and encounter', async () => {
      expect((await launch({ client_id: app.clientId, patient: patientA }, null)).status).toBe(401);
      expect((await launch({ client_id: app.clientId, patient: patientA }, 'not-a-token')).status).toBe(401);
      expect((await launch({ client_id: app.clientId, patient: patientA }, t.token)).status).toBe(403);
      expect((await launch({ client_id: app.clientId, patient: 'nobody' })).status).toBe(400);
      expect((await launch({ client_id: app.clientId, patient: patientA, encounter: encounterB })).status).toBe(400);
      expect((await launch({ client_id: 'unknown', patient: patientA })).status).toBe(400);
      // A token bound to one patient cannot launch for another.
      const bound = await exchange({ scope: 'launch patient/*.rs', launch: (await launch({ client_id: app.clientId, patient: patientA })).body.launch });
      expect((await launch({ client_id: app.clientId, patient: patientB }, bound.access_token)).status).toBe(403);
    });
  });

  describe('standalone launch, staff patient picker', () => {
    it('a physician searches by name, picks a patient, and gets a token bound to them', async () => {
      const { verifier, challenge } = pkce();
      const start = await http('GET', authorizeUrl(ORIGIN, { clientId: app.clientId, redirectUri: REDIRECT, scope: 'launch/patient patient/*.rs', aud: BASE, challenge, method: 'S256', state: 's2' }));
      const cookie = cookieOf(start);
      let page = await http('POST', `${ORIGIN}/oauth2/authorize/sign-in`, { headers: { cookie }, form: new URLSearchParams({ ...formFields(start.text).hidden, email: 'grey@example.org', password: PASSWORD }) });
      expect(page.text).toContain('Choose a patient');
      page = await http('POST', `${ORIGIN}/oauth2/authorize/patient`, { headers: { cookie }, form: new URLSearchParams({ ...formFields(page.text).hidden, q: 'okafor' }) });
      expect(page.status).toBe(200);
      expect(page.text).toContain('Ada Okafor');
      expect(page.text).not.toContain('Lindqvist');
      expect(t.audits.some((a) => a.action.startsWith('search') && a.resourceType === 'Patient' && a.principal.kind === 'user')).toBe(true);
      // The CSRF token changed: the old search form no longer works.
      const consentPage = await http('POST', `${ORIGIN}/oauth2/authorize/patient`, { headers: { cookie }, form: new URLSearchParams({ ...formFields(page.text).hidden, patient: patientA }) });
      expect(consentPage.text).toContain('action="/oauth2/authorize/consent"');
      const consent = formFields(consentPage.text);
      const form = new URLSearchParams(consent.hidden);
      for (const s of consent.checkboxes) form.append('scope', s);
      form.set('decision', 'allow');
      const done = await http('POST', `${ORIGIN}/oauth2/authorize/consent`, { headers: { cookie }, form });
      expect(done.status).toBe(303);
      const body = await redeem(new URL(done.headers.location).searchParams.get('code')!, verifier);
      expect(body).toMatchObject({ patient: patientA, scope: 'launch/patient patient/*.rs' });
      expect(decodeJwt(body.access_token).patients).toEqual([patientA]);
      expect((await t.fhir('GET', `Patient/${patientB}`, { token: body.access_token })).status).toBe(404);
    });

    it('advertises the EHR launch', async () => {
      const conf = (await t.app.inject({ method: 'GET', url: `${ORIGIN}/.well-known/smart-configuration` })).json();
      expect(conf.capabilities).toEqual(expect.arrayContaining(['launch-ehr', 'context-ehr-patient', 'context-ehr-encounter', 'context-standalone-patient']));
      expect(conf.scopes_supported).toEqual(expect.arrayContaining(['launch', 'launch/patient']));
    });
  });
});
