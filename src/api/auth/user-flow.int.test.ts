/**
 * Users signing in through apps (SMART App Launch, authorization code flow with PKCE) through the
 * whole app over `inject()` on SQLite and PostgreSQL: the sign-in form, consent, code exchange,
 * refresh-token rotation and reuse detection, revocation and introspection, lockout, and user
 * tokens on the FHIR API. The checks of the security brief (AUTH-04, AUTH-10, AUTH-11) are
 * table-driven below.
 */
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerApp } from '../../domain/clients/register-app.ts';
import { createUser } from '../../domain/users/create-user.ts';
import { manualClock } from '../../domain/clock.ts';
import { BASE, ORIGIN, startTestApp, type TestApp } from '../test-app.ts';
import { authorizeUrl, cookieOf, formFields, injectHttp, pkce, signInAndConsent, type Http } from './test-flow.ts';

const PASSWORD = 'Velvet-Harbour-Lantern-42';
const REDIRECT = 'https://app.example.org/callback';

describe.each(['sqlite', 'postgres'] as const)('user sign-in (%s)', (kind) => {
  let t: TestApp;
  let http: Http;
  let confidential: { clientId: string; clientSecret: string };
  let publicApp: { clientId: string };
  let backend: { clientId: string; clientSecret: string };
  let physicianId: string;
  let patientId: string;
  /** The app's clock: moved by the tests, never waited for. */
  const clock = manualClock();

  beforeAll(async () => {
    t = await startTestApp({ kind, deps: { clock: clock.now } });
    http = injectHttp(t.app);
    const scopes = 'openid fhirUser launch/patient offline_access user/*.rs user/Patient.cruds patient/*.rs';
    const app = await registerApp(t.store, { practiceId: t.practiceId, name: 'Chart Viewer', redirectUris: [REDIRECT], public: false, scopes });
    confidential = { clientId: app.clientId, clientSecret: app.clientSecret! };
    publicApp = await registerApp(t.store, { practiceId: t.practiceId, name: 'Patient Portal', redirectUris: ['http://localhost:3000/cb'], public: true, scopes });
    const { registerClient } = await import('../../domain/clients/register-client.ts');
    backend = await registerClient(t.store, { practiceId: t.practiceId, scopes: 'system/*.read' });
    physicianId = (await createUser(t.store, { practiceId: t.practiceId, role: 'physician', email: 'Dr.Grey@Example.org', password: PASSWORD, fhirUser: 'Practitioner/pr1' })).id;
    const created = await t.fhir('POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family: 'Rivera' }] } });
    expect(created.status, created.text).toBe(201);
    patientId = created.body.id;
    await createUser(t.store, { practiceId: t.practiceId, role: 'patient', email: 'rivera@example.org', password: PASSWORD, patients: [patientId] });
    for (const [id, given] of [['kid-1', 'Ana'], ['kid-2', 'Leo']] as const) {
      const kid = await t.fhir('PUT', `Patient/${id}`, { body: { resourceType: 'Patient', id, name: [{ given: [given], family: 'Rivera' }], birthDate: '2012-04-0' + id.slice(-1) } });
      expect(kid.status, kid.text).toBe(201);
    }
    await createUser(t.store, { practiceId: t.practiceId, role: 'proxy', email: 'parent@example.org', password: PASSWORD, patients: ['kid-1'], limitedPatients: ['kid-2'] });
  }, 60_000);
  afterAll(async () => t?.close());

  const form = (fields: Record<string, string>) => new URLSearchParams(fields);
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

  async function token(fields: Record<string, string>, client: { clientId: string; clientSecret?: string } = confidential) {
    const headers: Record<string, string> = client.clientSecret ? { authorization: basic(client.clientId, client.clientSecret) } : {};
    const body = client.clientSecret ? fields : { client_id: client.clientId, ...fields };
    const res = await http('POST', `${ORIGIN}/oauth2/token`, { headers, form: form(body) });
    return { ...res, json: JSON.parse(res.text || '{}') };
  }

  async function codeFor(o: { email?: string; scope?: string; untick?: string[]; client?: { clientId: string }; redirectUri?: string; patient?: string; nonce?: string } = {}) {
    const { verifier, challenge } = pkce();
    const redirectUri = o.redirectUri ?? REDIRECT;
    const url = authorizeUrl(ORIGIN, { clientId: (o.client ?? confidential).clientId, redirectUri, scope: o.scope ?? 'openid fhirUser offline_access user/Patient.rs', aud: BASE, challenge, method: 'S256', state: 'xyz', ...(o.nonce ? { nonce: o.nonce } : {}) });
    const { redirect, consentPage } = await signInAndConsent(http, ORIGIN, url, { email: o.email ?? 'dr.grey@example.org', password: PASSWORD, untick: o.untick, patient: o.patient });
    expect(redirect.searchParams.get('state')).toBe('xyz');
    return { code: redirect.searchParams.get('code')!, verifier, redirectUri, consentPage };
  }

  async function exchange(o: Parameters<typeof codeFor>[0] & { client?: { clientId: string; clientSecret?: string } } = {}) {
    const { code, verifier, redirectUri } = await codeFor(o);
    const res = await token({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: redirectUri }, o.client ?? confidential);
    expect(res.status, res.text).toBe(200);
    return res.json as { access_token: string; refresh_token?: string; id_token?: string; scope: string; patient?: string; expires_in: number };
  }

  describe('standalone launch, physician', () => {
    it('signs in, consents, exchanges the code and reads a Patient with the user token', async () => {
      const { code, verifier, consentPage } = await codeFor({ nonce: 'n-1' });
      expect(consentPage).toContain('Read and search Patient records you have access to');
      const res = await token({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT });
      expect(res.status, res.text).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers.pragma).toBe('no-cache');
      const body = res.json;
      expect(body).toMatchObject({ token_type: 'Bearer', scope: 'openid fhirUser offline_access user/Patient.rs' });
      expect(body.expires_in).toBeGreaterThanOrEqual(300);
      expect(body.expires_in).toBeLessThanOrEqual(900);
      expect(typeof body.refresh_token).toBe('string');
      const claims = decodeJwt(body.access_token);
      expect(claims).toMatchObject({ sub: physicianId, client_id: confidential.clientId, tenant: t.practiceId, role: 'physician', fhirUser: 'Practitioner/pr1', scope: body.scope });
      const id = decodeJwt(body.id_token);
      expect(id).toMatchObject({ iss: ORIGIN, sub: physicianId, aud: confidential.clientId, nonce: 'n-1', fhirUser: `${BASE}/Practitioner/pr1` });

      const read = await t.fhir('GET', `Patient/${patientId}`, { token: body.access_token });
      // authorize.ts is being rewritten (role matrix); today's version allows user/ scopes by type.
      expect(read.status, read.text).toBe(200);
      expect(read.body.id).toBe(patientId);

      const refreshed = await token({ grant_type: 'refresh_token', refresh_token: body.refresh_token });
      expect(refreshed.status, refreshed.text).toBe(200);
      expect(refreshed.json.refresh_token).not.toBe(body.refresh_token);
      expect((await t.fhir('GET', `Patient/${patientId}`, { token: refreshed.json.access_token })).status).toBe(200);
      const audits = t.audits.filter((a) => a.action === 'sign-in' && a.principal.id === physicianId);
      expect(audits.at(-1)).toMatchObject({ outcome: 'success', tenant: t.practiceId, principal: { kind: 'user', role: 'physician' } });
    });

    it('the consent page lets the user untick scopes, offline_access apart', async () => {
      const { consentPage } = await codeFor({ untick: [] });
      expect(consentPage).toContain('Staying connected');
      const body = await exchange({ untick: ['offline_access', 'openid'] });
      expect(body.scope).toBe('fhirUser user/Patient.rs');
      expect(body.refresh_token).toBeUndefined();
      expect(body.id_token).toBeUndefined();
    });

    it('leaves out scopes the app is not registered for and patient/ scopes for staff', async () => {
      // Without launch/patient (which brings the patient picker, ehr-launch.int.test.ts), staff have no patient context.
      const body = await exchange({ scope: 'user/Patient.rs user/Observation.cruds patient/*.rs launch system/*.* profile' });
      expect(body.scope).toBe('user/Patient.rs');
      expect(body.patient).toBeUndefined();
    });

    it('a public app needs no secret; a confidential one must authenticate', async () => {
      const body = await exchange({ client: publicApp, redirectUri: 'http://localhost:3000/cb' });
      expect(decodeJwt(body.access_token).client_id).toBe(publicApp.clientId);
      const { code, verifier } = await codeFor();
      const noSecret = await token({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT }, { clientId: confidential.clientId });
      expect(noSecret.status).toBe(401);
      expect(noSecret.json.error).toBe('invalid_client');
    });

    it('an app cannot use client_credentials with its user scopes', async () => {
      const res = await token({ grant_type: 'client_credentials' });
      expect(res.json.error).toBe('unauthorized_client');
    });
  });

  describe('patient-facing launch', () => {
    it('a patient gets their own record as context and compartment', async () => {
      const body = await exchange({ email: 'rivera@example.org', scope: 'launch/patient patient/*.rs openid fhirUser' });
      expect(body.patient).toBe(patientId);
      expect(decodeJwt(body.access_token)).toMatchObject({ role: 'patient', patient: patientId, patients: [patientId], fhirUser: `Patient/${patientId}` });
    });

    it('a proxy chooses whose record, by name and date of birth; a token for a limited record says so', async () => {
      const { consentPage } = await codeFor({ email: 'parent@example.org', scope: 'launch/patient patient/*.rs', patient: 'kid-2' });
      expect(consentPage).toContain('<option value="kid-1">Ana Rivera, born 2012-04-01</option><option value="kid-2">Leo Rivera, born 2012-04-02</option>');
      const body = await exchange({ email: 'parent@example.org', scope: 'launch/patient patient/*.rs', patient: 'kid-2' });
      expect(body.patient).toBe('kid-2');
      expect(decodeJwt(body.access_token)).toMatchObject({ role: 'proxy', patients: ['kid-2'], limited: true });
      const full = await exchange({ email: 'parent@example.org', scope: 'launch/patient patient/*.rs', patient: 'kid-1' });
      expect(decodeJwt(full.access_token)).toMatchObject({ role: 'proxy', patients: ['kid-1'] });
      expect(decodeJwt(full.access_token).limited).toBeUndefined();
    });
  });

  describe('authorization request checks (AUTH-11)', () => {
    const { challenge } = pkce();
    const good = () => ({ clientId: confidential.clientId, redirectUri: REDIRECT, scope: 'user/Patient.rs', aud: BASE, challenge, method: 'S256', state: 's1' });
    const cases: { name: string; change: Record<string, unknown>; error?: string; page?: number }[] = [
      { name: 'no code_challenge', change: { challenge: undefined, method: undefined }, error: 'invalid_request' },
      { name: 'plain PKCE', change: { challenge: 'x'.repeat(43), method: 'plain' }, error: 'invalid_request' },
      { name: 'no method', change: { method: undefined }, error: 'invalid_request' },
      { name: 'foreign aud', change: { aud: 'https://other.example.org/fhir/R4' }, error: 'invalid_request' },
      { name: 'no aud', change: { aud: '' }, error: 'invalid_request' },
      { name: 'response_type token', change: { extra: { response_type: 'token' } }, error: 'unsupported_response_type' },
      { name: 'no scope the app has', change: { scope: 'system/*.* user/Observation.c' }, error: 'invalid_scope' },
      { name: 'EHR launch', change: { extra: { launch: 'abc' } }, error: 'invalid_request' },
      { name: 'redirect_uri with trailing slash', change: { redirectUri: REDIRECT + '/' }, page: 400 },
      { name: 'redirect_uri one character off', change: { redirectUri: REDIRECT.replace('callback', 'callbacc') }, page: 400 },
      { name: 'unknown client', change: { clientId: 'nope' }, page: 400 },
      { name: 'backend client', change: { clientId: 'backend' }, page: 400 },
    ];
    it.each(cases)('$name', async ({ change, error, page }) => {
      const params = { ...good(), ...change } as ReturnType<typeof good> & { extra?: Record<string, string> };
      if (params.clientId === 'backend') params.clientId = backend.clientId;
      const res = await http('GET', authorizeUrl(ORIGIN, params));
      if (page !== undefined) {
        expect(res.status).toBe(page);
        expect(res.headers['content-type']).toMatch(/text\/html/);
        expect(res.headers.location).toBeUndefined();
        return;
      }
      expect(res.status, res.text).toBe(303);
      const location = new URL(res.headers.location);
      expect(location.origin + location.pathname).toBe(REDIRECT);
      expect(location.searchParams.get('error')).toBe(error);
      expect(location.searchParams.get('state')).toBe('s1');
    });

    it('the sign-in page is no-store, framing- and script-free, and bound to its browser and CSRF token', async () => {
      const res = await http('GET', authorizeUrl(ORIGIN, good()));
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['content-security-policy']).not.toContain('script-src');
      expect(res.headers['set-cookie']).toMatch(/HttpOnly; SameSite=Lax/);
      const { hidden } = formFields(res.text);
      const post = (headers: Record<string, string>, fields: Record<string, string>) =>
        http('POST', `${ORIGIN}/oauth2/authorize/sign-in`, { headers, form: form({ email: 'dr.grey@example.org', password: PASSWORD, ...fields }) });
      expect((await post({}, hidden)).status).toBe(400);
      expect((await post({ cookie: 'heron_authz=forged' }, hidden)).status).toBe(400);
      expect((await post({ cookie: cookieOf(res) }, { ...hidden, csrf: 'wrong' })).status).toBe(400);
      const ok = await post({ cookie: cookieOf(res) }, hidden);
      expect(ok.status).toBe(200);
      expect(ok.text).toContain('Allow access?');
      // The sign-in step is used up: posting it again is refused.
      expect((await post({ cookie: cookieOf(res) }, hidden)).status).toBe(400);
    });

    it('a denied consent returns access_denied to the app', async () => {
      const url = authorizeUrl(ORIGIN, good());
      const { redirect } = await signInAndConsent(http, ORIGIN, url, { email: 'dr.grey@example.org', password: PASSWORD, decision: 'deny' });
      expect(redirect.searchParams.get('error')).toBe('access_denied');
      expect(redirect.searchParams.get('code')).toBeNull();
    });
  });

  describe('token endpoint checks (AUTH-04, AUTH-11)', () => {
    const cases: { name: string; fields: (c: { code: string; verifier: string }) => Record<string, string>; error: string }[] = [
      { name: 'wrong code_verifier', fields: (c) => ({ code: c.code, code_verifier: pkce().verifier, redirect_uri: REDIRECT }), error: 'invalid_grant' },
      { name: 'no code_verifier', fields: (c) => ({ code: c.code, redirect_uri: REDIRECT }), error: 'invalid_request' },
      { name: 'other redirect_uri', fields: (c) => ({ code: c.code, code_verifier: c.verifier, redirect_uri: REDIRECT + '/' }), error: 'invalid_grant' },
      { name: 'unknown code', fields: (c) => ({ code: c.code + 'x', code_verifier: c.verifier, redirect_uri: REDIRECT }), error: 'invalid_grant' },
    ];
    it.each(cases)('$name', async ({ fields, error }) => {
      const c = await codeFor();
      const res = await token({ grant_type: 'authorization_code', ...fields(c) });
      expect(res.status).toBe(400);
      expect(res.json.error).toBe(error);
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('a code works once; its reuse revokes the tokens issued from it', async () => {
      const c = await codeFor();
      const fields = { grant_type: 'authorization_code', code: c.code, code_verifier: c.verifier, redirect_uri: REDIRECT };
      const first = await token(fields);
      expect(first.status).toBe(200);
      const again = await token(fields);
      expect(again.json.error).toBe('invalid_grant');
      expect((await t.fhir('GET', `Patient/${patientId}`, { token: first.json.access_token })).status).toBe(401);
      expect((await token({ grant_type: 'refresh_token', refresh_token: first.json.refresh_token })).json.error).toBe('invalid_grant');
    });

    it('an expired code is refused', async () => {
      const c = await codeFor();
      // Ten minutes later: the code has expired (lifetime is checked against the stored expiry).
      clock.advance(10 * 60_000 + 1000);
      const res = await token({ grant_type: 'authorization_code', code: c.code, code_verifier: c.verifier, redirect_uri: REDIRECT });
      expect(res.json).toMatchObject({ error: 'invalid_grant', error_description: expect.stringMatching(/expired/) });
    });

    it('refresh rotates; reusing an old refresh token revokes the whole family', async () => {
      const first = await exchange();
      const second = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token! });
      expect(second.status).toBe(200);
      const introspected = await http('POST', `${ORIGIN}/oauth2/introspect`, { headers: { authorization: basic(confidential.clientId, confidential.clientSecret) }, form: form({ token: second.json.refresh_token }) });
      const active = JSON.parse(introspected.text);
      expect(active).toMatchObject({ active: true, token_type: 'refresh_token', sub: physicianId });
      // 90 days after issue, at least (ONC (g)(10)(v)(A)), at most a year.
      expect(active.exp * 1000 - clock.now()).toBeGreaterThan(89 * 24 * 3600_000);
      const replay = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token! });
      expect(replay.json.error).toBe('invalid_grant');
      expect((await token({ grant_type: 'refresh_token', refresh_token: second.json.refresh_token })).json.error).toBe('invalid_grant');
      expect((await t.fhir('GET', `Patient/${patientId}`, { token: second.json.access_token })).status).toBe(401);
      expect((await token({ grant_type: 'refresh_token', refresh_token: 'garbage' })).json.error).toBe('invalid_grant');
    });

    it('another client presenting an app\'s code or refresh token gets nothing and spends nothing', async () => {
      const c = await codeFor();
      const fields = { grant_type: 'authorization_code', code: c.code, code_verifier: c.verifier, redirect_uri: REDIRECT };
      const stolenCode = await token(fields, publicApp);
      expect(stolenCode.json).toMatchObject({ error: 'invalid_grant', error_description: 'The authorization code is invalid' });
      const issued = await token(fields);
      expect(issued.status, issued.text).toBe(200);
      const stolenRefresh = await token({ grant_type: 'refresh_token', refresh_token: issued.json.refresh_token }, publicApp);
      expect(stolenRefresh.json).toMatchObject({ error: 'invalid_grant', error_description: 'The refresh token is invalid' });
      // The real app's next refresh is its first use, not a replay: its grant still stands.
      const refreshed = await token({ grant_type: 'refresh_token', refresh_token: issued.json.refresh_token });
      expect(refreshed.status, refreshed.text).toBe(200);
      expect((await t.fhir('GET', `Patient/${patientId}`, { token: refreshed.json.access_token })).status).toBe(200);
    });

    it('refresh can narrow the scope, never widen it', async () => {
      const first = await exchange();
      const narrowed = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token!, scope: 'user/Patient.rs' });
      expect(narrowed.json.scope).toBe('user/Patient.rs');
      const wider = await token({ grant_type: 'refresh_token', refresh_token: narrowed.json.refresh_token, scope: 'user/*.rs' });
      expect(wider.json.error).toBe('invalid_scope');
    });
  });

  describe('revocation and introspection', () => {
    it('revoking the refresh token ends the access token too; introspection agrees', async () => {
      const body = await exchange();
      const introspect = async (tokenValue: string, auth = basic(confidential.clientId, confidential.clientSecret)) =>
        http('POST', `${ORIGIN}/oauth2/introspect`, { headers: { authorization: auth }, form: form({ token: tokenValue }) });
      const live = JSON.parse((await introspect(body.access_token)).text);
      expect(live).toMatchObject({ active: true, sub: physicianId, client_id: confidential.clientId, scope: body.scope, role: 'physician' });
      // Any confidential client of the practice (a resource server) may introspect; a public app may not.
      expect(JSON.parse((await introspect(body.access_token, basic(backend.clientId, backend.clientSecret))).text).active).toBe(true);
      expect((await http('POST', `${ORIGIN}/oauth2/introspect`, { form: form({ token: body.access_token, client_id: publicApp.clientId }) })).status).toBe(401);

      const revoked = await http('POST', `${ORIGIN}/oauth2/revoke`, { headers: { authorization: basic(confidential.clientId, confidential.clientSecret) }, form: form({ token: body.refresh_token! }) });
      expect(revoked.status).toBe(200);
      expect(JSON.parse((await introspect(body.access_token)).text)).toEqual({ active: false });
      expect(JSON.parse((await introspect(body.refresh_token!)).text)).toEqual({ active: false });
      expect((await t.fhir('GET', `Patient/${patientId}`, { token: body.access_token })).status).toBe(401);
      expect(t.audits.some((a) => a.action === 'sign-out' && a.principal.id === physicianId)).toBe(true);
      // Unknown tokens are answered 200 too (RFC 7009 §2.2).
      expect((await http('POST', `${ORIGIN}/oauth2/revoke`, { form: form({ token: 'nothing', client_id: publicApp.clientId }) })).status).toBe(200);
    });
  });

  describe('users: disabled, signed out everywhere, locked out', () => {
    it('a disabled user loses tokens and refresh; sign-out everywhere ends older tokens', async () => {
      const id = (await createUser(t.store, { practiceId: t.practiceId, role: 'nurse', email: 'nurse.a@example.org', password: PASSWORD })).id;
      const body = await exchange({ email: 'nurse.a@example.org' });
      await t.store.admin.users.setStatus(id, 'disabled', clock.now());
      expect((await t.fhir('GET', `Patient/${patientId}`, { token: body.access_token })).status).toBe(401);
      expect((await token({ grant_type: 'refresh_token', refresh_token: body.refresh_token! })).json.error).toBe('invalid_grant');
      await expect(codeFor({ email: 'nurse.a@example.org' })).rejects.toThrow(/sign-in answered 401/);

      await t.store.admin.users.setStatus(id, 'active', 0);
      const again = await exchange({ email: 'nurse.a@example.org' });
      clock.advance(1000);
      await t.store.admin.users.setStatus(id, 'active', clock.now());
      expect((await t.fhir('GET', `Patient/${patientId}`, { token: again.access_token })).status).toBe(401);
    });

    const attempt = async (email: string, password: string) => {
      const start = await http('GET', authorizeUrl(ORIGIN, { clientId: confidential.clientId, redirectUri: REDIRECT, scope: 'user/Patient.rs', aud: BASE, challenge: pkce().challenge, method: 'S256' }));
      const res = await http('POST', `${ORIGIN}/oauth2/authorize/sign-in`, { headers: { cookie: cookieOf(start) }, form: form({ ...formFields(start.text).hidden, email, password }) });
      return { ...res, error: /<p class="error" role="alert">([^<]*)<\/p>/.exec(res.text)?.[1] };
    };

    it('locks the account after 5 failures for 15 minutes, with one message for every failure', async () => {
      await createUser(t.store, { practiceId: t.practiceId, role: 'front-desk', email: 'desk@example.org', password: PASSWORD });
      const unknown = await attempt('nobody@example.org', PASSWORD);
      const results = [];
      for (let i = 0; i < 5; i++) results.push(await attempt('desk@example.org', 'Wrong-Password-Guess-' + i));
      const locked = await attempt('desk@example.org', PASSWORD);
      for (const r of [unknown, ...results, locked]) {
        expect(r.status).toBe(401);
        expect(r.error).toBe(unknown.error);
      }
      // That every answer costs one argon2 verification, so none stands out by time, is counted in
      // domain/users/sign-in.test.ts: a timed comparison here failed on busy machines.
      clock.advance(15 * 60_000 + 1000);
      expect((await attempt('desk@example.org', PASSWORD)).status).toBe(200);
      const failures = t.audits.filter((a) => a.action === 'sign-in' && a.outcome === 'failure');
      expect(failures.some((a) => a.principal.kind === 'system' && a.principal.id === 'anonymous')).toBe(true);
      expect(failures.filter((a) => a.principal.kind === 'user').length).toBeGreaterThanOrEqual(6);
    });
  });
});
