/**
 * The practice-admin API (`/admin/v1`) over `inject()` on SQLite and PostgreSQL, black-box: a
 * practice administrator signs in through an app registered for `heron/admin` and manages users,
 * apps and the MFA policy; what they create works (sign-in, invitation and reset links, client
 * credentials), what they disable stops working at once, nobody else gets in (other roles, other
 * practices, tokens without the scope, backend services), every call is in the hash-chained
 * audit trail, and every bad input is an OperationOutcome with its status.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '@medplum/fhirtypes';
import { registerApp } from '../../domain/clients/register-app.ts';
import { createPractice } from '../../domain/practices/create-practice.ts';
import { createUser } from '../../domain/users/create-user.ts';
import type { AccountLinkMessage } from '../../domain/users/link-sender.ts';
import { createSecretBox } from '../../domain/users/secret-box.ts';
import { storeAuditSink } from '../../domain/audit/audit-sink.ts';
import { signAccessToken } from '../auth/access-token.ts';
import { signingKeysFor } from '../auth/keys.ts';
import { authorizeUrl, formFields, injectHttp, pkce, signInAndConsent, type Http } from '../auth/test-flow.ts';
import { validateResource } from '../../fhir/validation/validate.ts';
import { buildApp } from '../app.ts';
import { manualClock } from '../../domain/clock.ts';
import { BASE, ORIGIN, startTestApp, type Reply, type TestApp } from '../test-app.ts';

const PASSWORD = 'Velvet-Harbour-Lantern-42';
const OTHER_PASSWORD = 'Quiet-Orchard-Compass-77';
const REDIRECT = 'https://admin.example.org/callback';
const USER_AGENT = 'heron-admin-tests/1.0';

interface App {
  clientId: string;
  clientSecret: string;
}

describe.each(['sqlite', 'postgres'] as const)('admin API (%s)', (kind) => {
  let t: TestApp;
  let http: Http;
  const box = createSecretBox(randomBytes(32));
  const sent: AccountLinkMessage[] = [];
  /** Registered for heron/admin: the practice's admin console. */
  let console_: App;
  let adminId: string;
  let adminToken: string;
  /** The app's clock: moved by the tests, never waited for. */
  const clock = manualClock();

  beforeAll(async () => {
    t = await startTestApp({ kind, auditStore: true, deps: { secretBox: box, linkSender: { send: async (m) => void sent.push(m) }, clock: clock.now } });
    http = injectHttp(t.app);
    const registered = await registerApp(t.store, { practiceId: t.practiceId, name: 'Admin console', redirectUris: [REDIRECT], public: false, scopes: 'openid heron/admin user/*.rs' });
    console_ = { clientId: registered.clientId, clientSecret: registered.clientSecret! };
    adminId = (await createUser(t.store, { practiceId: t.practiceId, role: 'practice-admin', email: 'admin@example.org', password: PASSWORD })).id;
    adminToken = (await signIn(console_, 'admin@example.org', PASSWORD, 'openid heron/admin')).access_token;
  }, 60_000);
  afterAll(async () => t?.close());

  async function signIn(client: App, email: string, password: string, scope: string, o: { untick?: string[]; via?: Http } = {}) {
    const via = o.via ?? http;
    const { verifier, challenge } = pkce();
    const url = authorizeUrl(ORIGIN, { clientId: client.clientId, redirectUri: REDIRECT, scope, aud: BASE, challenge, method: 'S256' });
    const { redirect, consentPage } = await signInAndConsent(via, ORIGIN, url, { email, password, untick: o.untick });
    const res = await via('POST', `${ORIGIN}/oauth2/token`, {
      headers: { authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}` },
      form: new URLSearchParams({ grant_type: 'authorization_code', code: redirect.searchParams.get('code')!, code_verifier: verifier, redirect_uri: REDIRECT }),
    });
    expect(res.status, res.text).toBe(200);
    return { ...(JSON.parse(res.text) as { access_token: string; scope: string; refresh_token?: string }), consentPage };
  }

  /** A call to the admin API; `token: null` sends none. */
  function admin(method: string, path: string, o: { token?: string | null; body?: unknown; payload?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
    const headers: Record<string, string> = { 'user-agent': USER_AGENT, ...(o.body !== undefined || o.payload !== undefined ? { 'content-type': 'application/json' } : {}), ...o.headers };
    return t.fhir(method, `/admin/v1${path}`, { token: o.token === undefined ? adminToken : o.token, body: o.body, payload: o.payload, headers });
  }

  const expectOutcome = (res: Reply, status: number, expression?: string) => {
    expect(res.status, res.text).toBe(status);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(res.headers['content-type']).toMatch(/^application\/fhir\+json/);
    if (expression !== undefined) expect(res.body.issue.flatMap((i: { expression?: string[] }) => i.expression ?? [])).toContain(expression);
  };

  async function setPassword(link: string, password: string) {
    const url = new URL(link);
    expect(`${url.origin}${url.pathname}`).toBe(`${ORIGIN}/auth/set-password`);
    const form = await http('GET', `${ORIGIN}${url.pathname}${url.search}`);
    expect(form.status, form.text).toBe(200);
    return http('POST', `${ORIGIN}/auth/set-password`, { form: new URLSearchParams({ token: url.searchParams.get('token')!, password, confirm: password }) });
  }

  /**
   * Tokens carry their issue time in whole seconds and a change that ends tokens counts its own
   * second as before it, so a sign-in right after one happens in the next second (of the app's clock).
   */
  const nextSecond = () => clock.advance(1000);

  /** A FHIR read that any staff token with user/*.rs may make; 200 or 401 says whether the token works. */
  const fhirStatus = async (token: string) => (await t.fhir('GET', 'Practitioner?_count=1', { token })).status;

  describe('users', () => {
    it('creates a user who can then sign in; the answer and the lists never show secrets', async () => {
      const created = await admin('POST', '/users', { body: { email: 'Dr.Lee@Example.org', role: 'physician', password: OTHER_PASSWORD, fhir_user: 'Practitioner/pr-7' } });
      expect(created.status, created.text).toBe(201);
      expect(created.body).toMatchObject({ email: 'dr.lee@example.org', role: 'physician', status: 'active', fhir_user: 'Practitioner/pr-7', mfa_configured: false });
      expect(created.headers.location).toBe(`${ORIGIN}/admin/v1/users/${created.body.id}`);
      expect(created.headers['cache-control']).toBe('no-store');
      const id = created.body.id as string;

      const session = await signIn(console_, 'dr.lee@example.org', OTHER_PASSWORD, 'user/*.rs');
      expect(await fhirStatus(session.access_token)).toBe(200);

      const read = await admin('GET', `/users/${id}`);
      expect(read.status, read.text).toBe(200);
      // Signing in is the one difference.
      expect(read.body).toEqual({ ...created.body, last_sign_in_at: expect.any(String) });
      const listed = await admin('GET', '/users?role=physician');
      expect(listed.status, listed.text).toBe(200);
      expect(listed.body.users.map((u: { email: string }) => u.email)).toEqual(['dr.lee@example.org']);
      for (const text of [created.text, read.text, listed.text, (await admin('GET', '/users')).text]) {
        expect(text).not.toMatch(/argon2|password|hash|mfa_secret|secret/i);
      }
    });

    it('creates patient and proxy accounts bound to their patients', async () => {
      const patient = await admin('POST', '/users', { body: { email: 'pat@example.org', role: 'patient', password: OTHER_PASSWORD, patients: ['p-1'] } });
      expect(patient.status, patient.text).toBe(201);
      expect(patient.body).toMatchObject({ role: 'patient', fhir_user: 'Patient/p-1', patients: ['p-1'] });
      const proxy = await admin('POST', '/users', { body: { email: 'carer@example.org', role: 'proxy', password: OTHER_PASSWORD, patients: ['p-1', 'p-2'] } });
      expect(proxy.status, proxy.text).toBe(201);
      expect(proxy.body.patients).toEqual(['p-1', 'p-2']);
      // The accounting of disclosures shows who was given access to each record.
      const entries = await t.store.audit.query(t.practiceId, { count: 10, patient: 'Patient/p-2', action: 'admin-user-create' });
      expect(entries.map((e) => e.entities)).toEqual([[`User/${proxy.body.id}`]]);
    });

    it("creates a proxy acting for an adolescent with limited access, shown apart; only proxies take limited_patients", async () => {
      const proxy = await admin('POST', '/users', { body: { email: 'parent@example.org', role: 'proxy', password: OTHER_PASSWORD, patients: ['small'], limited_patients: ['teen'] } });
      expect(proxy.status, proxy.text).toBe(201);
      expect(proxy.body).toMatchObject({ patients: ['small', 'teen'], limited_patients: ['teen'] });
      expect((await admin('GET', `/users/${proxy.body.id}`)).body.limited_patients).toEqual(['teen']);
      const refused = await admin('POST', '/users', { body: { email: 'notproxy@example.org', role: 'patient', password: OTHER_PASSWORD, patients: ['x'], limited_patients: ['y'] } });
      expect(refused.status).toBe(400);
      expect(refused.body.issue[0].expression).toEqual(['limited_patients']);
    });

    it('lists a page at a time, filtered by role and status', async () => {
      for (const n of [1, 2, 3]) expect((await admin('POST', '/users', { body: { email: `mb${n}@example.org`, role: 'billing', password: OTHER_PASSWORD } })).status).toBe(201);
      const first = await admin('GET', '/users?role=billing&_count=2');
      expect(first.body.users.map((u: { email: string }) => u.email)).toEqual(['mb1@example.org', 'mb2@example.org']);
      expect(first.body.next).toMatch(/^http:\/\/heron\.test:8080\/admin\/v1\/users\?/);
      const second = await admin('GET', first.body.next.slice(ORIGIN.length + '/admin/v1'.length));
      expect(second.status, second.text).toBe(200);
      expect(second.body.users.map((u: { email: string }) => u.email)).toEqual(['mb3@example.org']);
      expect(second.body.next).toBeUndefined();
      expect((await admin('GET', '/users?role=billing&status=disabled')).body.users).toEqual([]);
    });

    it('invites: the one-time link sets the password, then the person signs in; a new link can be sent', async () => {
      const invited = await admin('POST', '/users', { body: { email: 'kim@example.org', role: 'nurse', invite: true } });
      expect(invited.status, invited.text).toBe(201);
      expect(invited.body.status).toBe('invited');
      const { link, expires_at } = invited.body.invitation as { link: string; expires_at: string };
      expect(Date.parse(expires_at) - Date.now()).toBeGreaterThan(6 * 24 * 3600_000);
      await expect(signIn(console_, 'kim@example.org', OTHER_PASSWORD, 'user/*.rs')).rejects.toThrow(/sign-in answered 401/);

      const again = await admin('POST', `/users/${invited.body.id}/invite`);
      expect(again.status, again.text).toBe(200);
      expect(again.body.invitation.link).not.toBe(link);
      expect((await setPassword(again.body.invitation.link, OTHER_PASSWORD)).status).toBe(200);
      expect((await admin('GET', `/users/${invited.body.id}`)).body.status).toBe('active');
      nextSecond();
      const session = await signIn(console_, 'kim@example.org', OTHER_PASSWORD, 'user/*.rs');
      expect(await fhirStatus(session.access_token)).toBe(200);
      expectOutcome(await admin('POST', `/users/${invited.body.id}/invite`), 409);
    });

    it('sends a password reset to the person, not to the administrator; the link works once', async () => {
      const id = (await admin('POST', '/users', { body: { email: 'reset.me@example.org', role: 'front-desk', password: OTHER_PASSWORD } })).body.id as string;
      const before = sent.length;
      const res = await admin('POST', `/users/${id}/password-reset`);
      expect(res.status, res.text).toBe(202);
      expect(res.text).not.toContain('token=');
      const message = sent.slice(before).find((m) => m.email === 'reset.me@example.org');
      expect(message).toMatchObject({ purpose: 'reset', tenant: t.practiceId });
      const fresh = 'Amber-Tide-Falcon-63';
      expect((await setPassword(message!.link, fresh)).status).toBe(200);
      await signIn(console_, 'reset.me@example.org', fresh, 'user/*.rs');
      const reuse = await http('POST', `${ORIGIN}/auth/set-password`, { form: new URLSearchParams({ token: new URL(message!.link).searchParams.get('token')!, password: PASSWORD, confirm: PASSWORD }) });
      expect(reuse.status).toBe(400);
    });

    it('disable ends the tokens the user holds at once, even ones this server has cached; enable does not revive them', async () => {
      const id = (await admin('POST', '/users', { body: { email: 'nurse.d@example.org', role: 'nurse', password: OTHER_PASSWORD } })).body.id as string;
      const session = await signIn(console_, 'nurse.d@example.org', OTHER_PASSWORD, 'user/*.rs');
      expect(await fhirStatus(session.access_token)).toBe(200);

      const disabled = await admin('POST', `/users/${id}/disable`);
      expect(disabled.status, disabled.text).toBe(200);
      expect(disabled.body.status).toBe('disabled');
      expect(await fhirStatus(session.access_token)).toBe(401);
      await expect(signIn(console_, 'nurse.d@example.org', OTHER_PASSWORD, 'user/*.rs')).rejects.toThrow(/sign-in answered 401/);

      const enabled = await admin('POST', `/users/${id}/enable`);
      expect(enabled.body.status).toBe('active');
      expect(await fhirStatus(session.access_token)).toBe(401);
      nextSecond();
      const again = await signIn(console_, 'nurse.d@example.org', OTHER_PASSWORD, 'user/*.rs');
      expect(await fhirStatus(again.access_token)).toBe(200);
    });

    it('sign-out everywhere ends every token and refresh of the user', async () => {
      const id = (await admin('POST', '/users', { body: { email: 'ma@example.org', role: 'medical-assistant', password: OTHER_PASSWORD } })).body.id as string;
      const session = await signIn(console_, 'ma@example.org', OTHER_PASSWORD, 'openid user/*.rs');
      expect(await fhirStatus(session.access_token)).toBe(200);
      const res = await admin('POST', `/users/${id}/sign-out-everywhere`);
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({ revoked_grants: 1 });
      expect(await fhirStatus(session.access_token)).toBe(401);
    });

    it('an administrator cannot disable the app they are signed in through', async () => {
      expectOutcome(await admin('POST', `/apps/${console_.clientId}/disable`), 409);
      expect((await admin('GET', `/apps/${console_.clientId}`)).body.status).toBe('active');
    });

    it('an administrator cannot disable their own account', async () => {
      expectOutcome(await admin('POST', `/users/${adminId}/disable`), 409);
      expect((await admin('GET', `/users/${adminId}`)).body.status).toBe('active');
    });
  });

  describe('roles, second factors and last use', () => {
    /** A staff account signed in through the console with user/*.rs and a refresh token. */
    async function signedInStaff(email: string, role: string) {
      const id = (await admin('POST', '/users', { body: { email, role, password: OTHER_PASSWORD } })).body.id as string;
      nextSecond();
      return { id, session: await signIn(console_, email, OTHER_PASSWORD, 'openid offline_access user/*.rs') };
    }
    const refresh = (token: string) =>
      http('POST', `${ORIGIN}/oauth2/token`, {
        headers: { authorization: `Basic ${Buffer.from(`${console_.clientId}:${console_.clientSecret}`).toString('base64')}` },
        form: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }),
      });
    const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as { role: string };

    it('a role change takes effect at once: every token and refresh of the person ends, and the next sign-in carries the new role', async () => {
      const { id, session } = await signedInStaff('role.change@example.org', 'nurse');
      expect(claimsOf(session.access_token).role).toBe('nurse');
      expect(await fhirStatus(session.access_token)).toBe(200);

      const res = await admin('POST', `/users/${id}/role`, { body: { role: 'front-desk' } });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ id, role: 'front-desk', status: 'active' });
      expect(await fhirStatus(session.access_token)).toBe(401);
      expect((await refresh(session.refresh_token!)).status).toBe(400);
      nextSecond();
      const again = await signIn(console_, 'role.change@example.org', OTHER_PASSWORD, 'openid user/*.rs');
      expect(claimsOf(again.access_token).role).toBe('front-desk');
      // The front desk reads no clinical data; the nurse could.
      expect((await t.fhir('GET', 'Observation?_count=1', { token: again.access_token })).status).toBe(403);

      const entries = await t.store.audit.query(t.practiceId, { count: 10, agentId: adminId, action: 'admin-user-role' });
      expect(entries[0]).toMatchObject({ outcome: 'success', entities: [`User/${id}`] });
      expect(JSON.parse(entries[0].detail!)).toEqual({ role: 'front-desk', previous_role: 'nurse', revoked_grants: 1 });
    });

    it('refuses role changes that would cross staff and patient accounts, unknown roles, disabled accounts and one’s own role', async () => {
      const staff = (await admin('POST', '/users', { body: { email: 'role.rules@example.org', role: 'billing', password: OTHER_PASSWORD } })).body.id as string;
      expectOutcome(await admin('POST', `/users/${staff}/role`, { body: { role: 'surgeon' } }), 400, 'role');
      expectOutcome(await admin('POST', `/users/${staff}/role`, { body: { role: 'patient' } }), 400, 'role');
      expectOutcome(await admin('POST', `/users/${staff}/role`, { body: {} }), 400, 'role');
      expectOutcome(await admin('POST', `/users/${staff}/role`, { body: { role: 'nurse', extra: 1 } }), 400, 'extra');
      const patient = (await admin('POST', '/users', { body: { email: 'role.patient@example.org', role: 'patient', password: OTHER_PASSWORD, patients: ['p-9'] } })).body.id as string;
      expectOutcome(await admin('POST', `/users/${patient}/role`, { body: { role: 'nurse' } }), 409);
      // Nobody demotes themselves, so the administrator making changes always remains one.
      expectOutcome(await admin('POST', `/users/${adminId}/role`, { body: { role: 'nurse' } }), 409);
      expect((await admin('GET', `/users/${adminId}`)).body.role).toBe('practice-admin');
      expect((await admin('POST', `/users/${staff}/disable`)).status).toBe(200);
      expectOutcome(await admin('POST', `/users/${staff}/role`, { body: { role: 'nurse' } }), 409);
      expectOutcome(await admin('POST', '/users/no-such-user/role', { body: { role: 'nurse' } }), 404);
      expect((await admin('GET', `/users/${staff}`)).body.role).toBe('billing');
    });

    it('resetting the second factor removes its key and recovery codes and ends the person’s tokens', async () => {
      const { id, session } = await signedInStaff('lost.phone@example.org', 'physician');
      expectOutcome(await admin('POST', `/users/${id}/mfa-reset`), 409);
      await t.store.admin.users.setMfaSecret(id, box.seal('JBSWY3DPEHPK3PXP', id));
      await t.store.admin.users.replaceRecoveryCodes(id, ['code-hash']);
      expect((await admin('GET', `/users/${id}`)).body.mfa_configured).toBe(true);

      const res = await admin('POST', `/users/${id}/mfa-reset`);
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ id, mfa_configured: false });
      expect((await t.store.admin.users.get(id))?.mfaSecret).toBeUndefined();
      expect(await t.store.admin.users.useRecoveryCode(id, 'code-hash', Date.now())).toBe(false);
      expect(await fhirStatus(session.access_token)).toBe(401);
      expectOutcome(await admin('POST', `/users/${id}/mfa-reset`, { body: { now: true } }), 400);
    });

    it('shows when a person last signed in and when an app was last issued a token', async () => {
      const before = clock.now();
      const { id } = await signedInStaff('last.seen@example.org', 'nurse');
      const seen = (await admin('GET', `/users/${id}`)).body.last_sign_in_at as string;
      expect(Date.parse(seen)).toBeGreaterThanOrEqual(before);
      const invited = await admin('POST', '/users', { body: { email: 'never.seen@example.org', role: 'nurse', invite: true } });
      expect(invited.body.last_sign_in_at).toBeUndefined();

      const service = await admin('POST', '/apps', { body: { kind: 'service', name: 'Last use', scope: 'system/*.read' } });
      const { client_id, client_secret } = service.body as { client_id: string; client_secret: string };
      expect(service.body.last_used_at).toBeUndefined();
      const issued = await http('POST', `${ORIGIN}/oauth2/token`, { form: new URLSearchParams({ grant_type: 'client_credentials', client_id, client_secret }) });
      expect(issued.status, issued.text).toBe(200);
      expect((await admin('GET', `/apps/${client_id}`)).body.last_used_at).toBe(new Date(clock.now()).toISOString());
      // The console's own use is recorded at the code exchange and each refresh.
      expect((await admin('GET', `/apps/${console_.clientId}`)).body.last_used_at).toEqual(expect.any(String));
    });

    it('who changed an account and when: the AuditEvent report finds the admin entries touching a User', async () => {
      const { id } = await signedInStaff('history.of@example.org', 'nurse');
      expect((await admin('POST', `/users/${id}/role`, { body: { role: 'medical-assistant' } })).status).toBe(200);
      const report = await t.fhir('GET', `AuditEvent?entity=User/${id}&subtype=admin-user-create,admin-user-role&_sort=-date`);
      expect(report.status, report.text).toBe(200);
      const events = report.body.entry.map((e: { resource: AuditEvent }) => e.resource) as AuditEvent[];
      expect(events.map((e) => e.subtype?.[0].code)).toEqual(['admin-user-role', 'admin-user-create']);
      expect(events[0].agent[0].who?.identifier?.value).toBe(adminId);
      expect(JSON.parse(events[0].entity![0].detail![0].valueString!)).toMatchObject({ role: 'medical-assistant', previous_role: 'nurse' });
      expectOutcome(await t.fhir('GET', 'AuditEvent?entity=Login/1'), 400, 'entity');
      expect((await t.fhir('GET', `AuditEvent?entity=Client/${console_.clientId}`)).status).toBe(200);
    });

    it.each(['physician', 'nurse', 'front-desk', 'patient'])('a %s cannot change roles or reset second factors (403), even with a token claiming heron/admin', async (role) => {
      const email = `${role}.new-routes@example.org`;
      const id = (await createUser(t.store, { practiceId: t.practiceId, role, email, password: OTHER_PASSWORD, ...(role === 'patient' ? { patients: ['p-403'] } : {}) })).id;
      const victim = (await createUser(t.store, { practiceId: t.practiceId, role: 'nurse', email: `victim.of.${role}@example.org`, password: OTHER_PASSWORD })).id;
      await t.store.admin.users.setMfaSecret(victim, box.seal('JBSWY3DPEHPK3PXP', victim));
      const session = await signIn(console_, email, OTHER_PASSWORD, role === 'patient' ? 'openid heron/admin patient/*.rs' : 'openid heron/admin user/*.rs');
      const grantId = `g-${randomBytes(6).toString('hex')}`;
      await t.store.admin.grants.createGrant({ id: grantId, tenant: t.practiceId, clientId: console_.clientId, userId: id, scope: 'heron/admin', createdAt: Date.now(), expiresAt: Date.now() + 3600_000 });
      const forged = await signAccessToken(await signingKeysFor(t.store, box)(), {
        issuer: ORIGIN,
        clientId: console_.clientId,
        tenant: t.practiceId,
        scope: 'heron/admin',
        ttlSeconds: 300,
        user: { id, role: role as 'nurse', grantId, ...(role === 'patient' ? { patients: ['p-403'] } : {}) },
      });
      for (const token of [session.access_token, forged.token]) {
        expectOutcome(await admin('POST', `/users/${victim}/role`, { token, body: { role: 'physician' } }), 403);
        expectOutcome(await admin('POST', `/users/${victim}/mfa-reset`, { token }), 403);
      }
      expect(await t.store.admin.users.get(victim)).toMatchObject({ role: 'nurse', mfaSecret: expect.any(String) });
    });

    it('the practice administrator still reads no clinical data', async () => {
      const session = await signIn(console_, 'admin@example.org', PASSWORD, 'openid heron/admin user/*.rs');
      expect((await t.fhir('GET', 'Observation?_count=1', { token: session.access_token })).status).toBe(403);
      expect((await t.fhir('GET', 'Condition?_count=1', { token: session.access_token })).status).toBe(403);
      expect((await t.fhir('GET', 'Practitioner?_count=1', { token: session.access_token })).status).toBe(200);
    });
  });

  describe('apps', () => {
    it('registers a backend service whose secret is shown once and works; disabling it ends its tokens at once', async () => {
      const res = await admin('POST', '/apps', { body: { kind: 'service', name: 'Lab interface', scope: 'system/*.read' } });
      expect(res.status, res.text).toBe(201);
      expect(res.body).toMatchObject({ kind: 'service', name: 'Lab interface', status: 'active', scope: 'system/*.read', token_endpoint_auth_method: 'client_secret_basic' });
      const { client_id, client_secret } = res.body as { client_id: string; client_secret: string };
      expect(client_secret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
      const tokenOf = () =>
        http('POST', `${ORIGIN}/oauth2/token`, { form: new URLSearchParams({ grant_type: 'client_credentials', client_id, client_secret, scope: 'system/*.read' }) });
      const issued = await tokenOf();
      expect(issued.status, issued.text).toBe(200);
      const token = JSON.parse(issued.text).access_token as string;
      expect((await t.fhir('GET', 'Patient?_count=1', { token })).status).toBe(200);

      const read = await admin('GET', `/apps/${client_id}`);
      expect(read.body.client_secret).toBeUndefined();
      expect(read.text).not.toMatch(/argon2|hash/);
      const disabled = await admin('POST', `/apps/${client_id}/disable`);
      expect(disabled.status, disabled.text).toBe(200);
      expect(disabled.body.status).toBe('disabled');
      expect((await t.fhir('GET', 'Patient?_count=1', { token })).status).toBe(401);
      expect((await tokenOf()).status).toBe(401);
      expect((await admin('GET', `/apps/${client_id}`)).body).toMatchObject({ status: 'disabled', disabled_at: expect.any(String) });
    });

    it('registers apps people sign in to: a confidential one gets a working secret, a public one none; disabling one ends its users’ tokens', async () => {
      const conf = await admin('POST', '/apps', { body: { name: 'Chart viewer', redirect_uris: [REDIRECT], scope: 'openid user/*.rs' } });
      expect(conf.status, conf.text).toBe(201);
      expect(conf.body).toMatchObject({ kind: 'app', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'client_secret_basic' });
      const viewer = { clientId: conf.body.client_id as string, clientSecret: conf.body.client_secret as string };
      await createUser(t.store, { practiceId: t.practiceId, role: 'physician', email: 'viewer.user@example.org', password: OTHER_PASSWORD });
      const session = await signIn(viewer, 'viewer.user@example.org', OTHER_PASSWORD, 'user/*.rs');
      expect(await fhirStatus(session.access_token)).toBe(200);

      const pub = await admin('POST', '/apps', { body: { name: 'Portal', redirect_uris: ['https://portal.example.org/cb'], public: true, scope: 'patient/*.rs launch/patient' } });
      expect(pub.status, pub.text).toBe(201);
      expect(pub.body.client_secret).toBeUndefined();
      expect(pub.body.token_endpoint_auth_method).toBe('none');

      expect((await admin('POST', `/apps/${viewer.clientId}/disable`)).status).toBe(200);
      expect(await fhirStatus(session.access_token)).toBe(401);
      const start = await http('GET', authorizeUrl(ORIGIN, { clientId: viewer.clientId, redirectUri: REDIRECT, scope: 'user/*.rs', aud: BASE, challenge: pkce().challenge, method: 'S256' }));
      expect(start.status).toBe(400);
      const listed = await admin('GET', '/apps');
      expect(listed.status, listed.text).toBe(200);
      const ids = listed.body.apps.map((a: { client_id: string }) => a.client_id);
      expect(ids).toEqual(expect.arrayContaining([console_.clientId, viewer.clientId, pub.body.client_id]));
      expect(listed.text).not.toMatch(/argon2|secret_hash|client_secret"/);
    });

    it('registers a backend service with public keys (private_key_jwt) and no secret', async () => {
      const jwks = { keys: [{ kty: 'EC', crv: 'P-256', kid: 'k1', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' }] };
      const res = await admin('POST', '/apps', { body: { kind: 'service', name: 'Importer', scope: 'system/Patient.rs', jwks } });
      expect(res.status, res.text).toBe(201);
      expect(res.body).toMatchObject({ token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [expect.objectContaining({ kid: 'k1' })] } });
      expect(res.body.client_secret).toBeUndefined();
    });

    it('registers an app people sign in to with public keys (client-confidential-asymmetric): no secret', async () => {
      const res = await admin('POST', '/apps', { body: { name: 'Key app', redirect_uris: [REDIRECT], scope: 'openid user/*.rs', jwks_url: 'https://keys.example.org/jwks.json' } });
      expect(res.status, res.text).toBe(201);
      expect(res.body).toMatchObject({ kind: 'app', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'private_key_jwt', jwks_url: 'https://keys.example.org/jwks.json' });
      expect(res.body.client_secret).toBeUndefined();
      expect(await t.store.admin.getClient(res.body.client_id)).toMatchObject({ secretHash: '', jwksUrl: 'https://keys.example.org/jwks.json' });
    });

    it('the console app itself is registered for heron/admin, and apps can be', async () => {
      const res = await admin('POST', '/apps', { body: { name: 'Second console', redirect_uris: [REDIRECT], scope: 'openid heron/admin' } });
      expect(res.status, res.text).toBe(201);
      const second = { clientId: res.body.client_id as string, clientSecret: res.body.client_secret as string };
      const session = await signIn(second, 'admin@example.org', PASSWORD, 'openid heron/admin');
      expect(session.scope).toBe('openid heron/admin');
      expect(session.consentPage).toContain('Administer the practice');
      expect((await admin('GET', '/practice/mfa-policy', { token: session.access_token })).status).toBe(200);
    });
  });

  describe('who may call it', () => {
    it('401 without a valid token, as an OperationOutcome; a refused token of this practice is in its trail', async () => {
      expectOutcome(await admin('GET', '/users', { token: null }), 401);
      expectOutcome(await admin('GET', '/users', { token: 'not-a-token' }), 401);
      const id = (await admin('POST', '/users', { body: { email: 'gone@example.org', role: 'nurse', password: OTHER_PASSWORD } })).body.id as string;
      const session = await signIn(console_, 'gone@example.org', OTHER_PASSWORD, 'user/*.rs');
      expect((await admin('POST', `/users/${id}/disable`)).status).toBe(200);
      expectOutcome(await admin('GET', '/users', { token: session.access_token }), 401);
      const refused = await t.store.audit.query(t.practiceId, { count: 10, agentId: id, action: 'authenticate' });
      expect(refused).toEqual([expect.objectContaining({ outcome: 'failure', userAgent: USER_AGENT })]);
    });

    it('403 for a token without the heron/admin scope, even a practice administrator’s', async () => {
      const unticked = await signIn(console_, 'admin@example.org', PASSWORD, 'openid heron/admin user/*.rs', { untick: ['heron/admin'] });
      expect(unticked.scope).toBe('openid user/*.rs');
      expectOutcome(await admin('GET', '/users', { token: unticked.access_token }), 403);
      expectOutcome(await admin('POST', '/users', { token: unticked.access_token, body: { email: 'x1@example.org', role: 'nurse', password: OTHER_PASSWORD } }), 403);
      expect(await t.store.admin.users.findByEmail(t.practiceId, 'x1@example.org')).toBeUndefined();
    });

    it('403 for backend services, even with system/*.*', async () => {
      expectOutcome(await admin('GET', '/users', { token: t.token }), 403);
      expectOutcome(await admin('POST', '/apps', { token: t.token, body: { kind: 'service', name: 'sneaky', scope: 'system/*.*' } }), 403);
    });

    it.each(['physician', 'nurse', 'front-desk', 'billing', 'medical-assistant'])('a %s is not offered heron/admin, and a token of theirs carrying it is refused', async (role) => {
      const email = `${role}.nonadmin@example.org`;
      const id = (await createUser(t.store, { practiceId: t.practiceId, role, email, password: OTHER_PASSWORD })).id;
      const session = await signIn(console_, email, OTHER_PASSWORD, 'openid heron/admin user/*.rs');
      expect(session.scope).toBe('openid user/*.rs');
      expect(formFields(session.consentPage).checkboxes).not.toContain('heron/admin');
      expectOutcome(await admin('GET', '/users', { token: session.access_token }), 403);
      // A correctly signed token claiming the scope (as if consent had been skipped) is refused on the role.
      const grantId = `g-${randomBytes(6).toString('hex')}`;
      await t.store.admin.grants.createGrant({ id: grantId, tenant: t.practiceId, clientId: console_.clientId, userId: id, scope: 'heron/admin', createdAt: Date.now(), expiresAt: Date.now() + 3600_000 });
      const forged = await signAccessToken(await signingKeysFor(t.store, box)(), { issuer: ORIGIN, clientId: console_.clientId, tenant: t.practiceId, scope: 'heron/admin', ttlSeconds: 300, user: { id, role: role as 'nurse', grantId } });
      expectOutcome(await admin('GET', '/users', { token: forged.token }), 403);
      expectOutcome(await admin('POST', `/users/${adminId}/disable`, { token: forged.token }), 403);
      expect((await t.store.admin.users.get(adminId))?.status).toBe('active');
    });

    it('a token claiming practice-admin for someone who is not one is refused on the stored role', async () => {
      const id = (await createUser(t.store, { practiceId: t.practiceId, role: 'nurse', email: 'claims.admin@example.org', password: OTHER_PASSWORD })).id;
      const grantId = `g-${randomBytes(6).toString('hex')}`;
      await t.store.admin.grants.createGrant({ id: grantId, tenant: t.practiceId, clientId: console_.clientId, userId: id, scope: 'heron/admin', createdAt: Date.now(), expiresAt: Date.now() + 3600_000 });
      const forged = await signAccessToken(await signingKeysFor(t.store, box)(), { issuer: ORIGIN, clientId: console_.clientId, tenant: t.practiceId, scope: 'heron/admin', ttlSeconds: 300, user: { id, role: 'practice-admin', grantId } });
      expectOutcome(await admin('GET', '/users', { token: forged.token }), 403);
    });

    it("an administrator of another practice sees and changes only their own practice: 404 for this one's users and apps", async () => {
      const other = await createPractice(t.store, `Other practice ${randomBytes(4).toString('hex')}`);
      const app = await registerApp(t.store, { practiceId: other.id, name: 'Other console', redirectUris: [REDIRECT], public: false, scopes: 'openid heron/admin' });
      await createUser(t.store, { practiceId: other.id, role: 'practice-admin', email: 'admin@example.org', password: OTHER_PASSWORD });
      const token = (await signIn({ clientId: app.clientId, clientSecret: app.clientSecret! }, 'admin@example.org', OTHER_PASSWORD, 'openid heron/admin')).access_token;
      const victim = (await createUser(t.store, { practiceId: t.practiceId, role: 'nurse', email: 'victim@example.org', password: OTHER_PASSWORD })).id;

      expectOutcome(await admin('GET', `/users/${victim}`, { token }), 404);
      expectOutcome(await admin('POST', `/users/${victim}/disable`, { token }), 404);
      expectOutcome(await admin('POST', `/users/${victim}/sign-out-everywhere`, { token }), 404);
      expectOutcome(await admin('GET', `/apps/${console_.clientId}`, { token }), 404);
      expectOutcome(await admin('POST', `/apps/${console_.clientId}/disable`, { token }), 404);
      expect((await t.store.admin.users.get(victim))?.status).toBe('active');
      expect(await t.store.admin.getClient(console_.clientId)).toBeDefined();

      const users = (await admin('GET', '/users', { token })).body.users.map((u: { email: string }) => u.email);
      expect(users).toEqual(['admin@example.org']);
      expect((await admin('GET', '/apps', { token })).body.apps.map((a: { client_id: string }) => a.client_id)).toEqual([app.clientId]);
      // The same email in two practices is two accounts; creating one there does not touch this one.
      const created = await admin('POST', '/users', { token, body: { email: 'victim@example.org', role: 'billing', password: OTHER_PASSWORD } });
      expect(created.status, created.text).toBe(201);
      expect((await t.store.admin.users.findByEmail(t.practiceId, 'victim@example.org'))?.role).toBe('nurse');
      // Another practice's admin calls are in that practice's trail, not this one's.
      expect(await t.store.audit.query(other.id, { count: 100, action: 'admin-user-create' })).toHaveLength(1);
    });
  });

  describe('bad input', () => {
    const user = (o: Record<string, unknown>) => ({ email: `u${randomBytes(4).toString('hex')}@example.org`, role: 'nurse', password: OTHER_PASSWORD, ...o });
    it.each([
      ['unknown role', user({ role: 'surgeon' }), 400, 'role'],
      ['bad email', user({ email: 'not-an-email' }), 400, 'email'],
      ['short password', user({ password: 'short' }), 400, 'password'],
      ['weak password', user({ password: 'password12345' }), 400, 'password'],
      ['password and invite', user({ invite: true }), 400, 'password'],
      ['neither password nor invite', user({ password: undefined }), 400, 'password'],
      ['unknown field', user({ pasword: 'x' }), 400, 'pasword'],
      ['wrong type', user({ patients: 'p-1' }), 400, 'patients'],
      ['patient without patients', user({ role: 'patient' }), 400, 'patients'],
      ['staff with patients', user({ patients: ['p-1'] }), 400, 'patients'],
      ['bad fhir_user', user({ fhir_user: 'Practitioner/a/b' }), 400, 'fhir_user'],
      ['duplicate email', user({ email: 'ADMIN@example.org' }), 409, undefined],
    ])('POST /users: %s', async (_name, body, status, expression) => {
      const before = await t.store.admin.users.list(t.practiceId, { count: 1000 });
      expectOutcome(await admin('POST', '/users', { body }), status, expression);
      expect(await t.store.admin.users.list(t.practiceId, { count: 1000 })).toHaveLength(before.length);
    });

    it.each([
      ['no redirect URI', { name: 'X', scope: 'user/*.rs' }, 'redirect_uris'],
      ['plain http redirect', { name: 'X', scope: 'user/*.rs', redirect_uris: ['http://app.example.org/cb'] }, 'redirect_uris'],
      ['system scope on an app', { name: 'X', scope: 'system/*.*', redirect_uris: [REDIRECT] }, 'scope'],
      ['unknown resource type', { name: 'X', scope: 'user/Nope.rs', redirect_uris: [REDIRECT] }, 'scope'],
      ['app scope on a service', { kind: 'service', name: 'X', scope: 'user/*.rs' }, 'scope'],
      ['heron/admin on a service', { kind: 'service', name: 'X', scope: 'heron/admin' }, 'scope'],
      ['jwks on a public app', { name: 'X', scope: 'user/*.rs', redirect_uris: [REDIRECT], public: true, jwks_url: 'https://k.example.org/jwks' }, 'jwks_url'],
      ['both jwks and jwks_url on an app', { name: 'X', scope: 'user/*.rs', redirect_uris: [REDIRECT], jwks_url: 'https://k.example.org/jwks', jwks: { keys: [] } }, 'jwks'],
      ['http JWKS URL on an app', { name: 'X', scope: 'user/*.rs', redirect_uris: [REDIRECT], jwks_url: 'http://keys.example.org/jwks' }, 'jwks_url'],
      ['http JWKS URL', { kind: 'service', name: 'X', scope: 'system/*.rs', jwks_url: 'http://keys.example.org/jwks' }, 'jwks_url'],
      ['private key in the JWKS', { kind: 'service', name: 'X', scope: 'system/*.rs', jwks: { keys: [{ kty: 'oct', kid: 'a', k: 'c2VjcmV0' }] } }, 'jwks'],
      ['unknown kind', { kind: 'robot', name: 'X', scope: 'user/*.rs' }, 'kind'],
      ['missing name', { scope: 'user/*.rs', redirect_uris: [REDIRECT] }, 'name'],
    ])('POST /apps: %s', async (_name, body, expression) => {
      const before = await t.store.admin.listClients(t.practiceId, { count: 1000 });
      expectOutcome(await admin('POST', '/apps', { body }), 400, expression);
      expect(await t.store.admin.listClients(t.practiceId, { count: 1000 })).toHaveLength(before.length);
    });

    it('malformed bodies and media types', async () => {
      expectOutcome(await admin('POST', '/users', { payload: '{"email": "a@example.org",' }), 400);
      expectOutcome(await admin('POST', '/users', { payload: '{"email": "a@example.org", "email": "b@example.org"}' }), 400);
      expectOutcome(await admin('POST', '/users', { payload: '{"__proto__": {"role": "practice-admin"}}' }), 400);
      expectOutcome(await admin('POST', '/users', { payload: '[]' }), 400);
      expectOutcome(await admin('POST', '/users'), 400);
      expectOutcome(await admin('POST', '/users', { payload: 'email=a@example.org', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415);
      expectOutcome(await admin('POST', '/users', { payload: 'x'.repeat(70 * 1024) }), 413);
      expectOutcome(await admin('POST', `/users/${adminId}/sign-out-everywhere`, { body: { everything: true } }), 400);
      expectOutcome(await admin('PUT', '/practice/mfa-policy', { body: { mfa_required: 'yes' } }), 400, 'mfa_required');
      expectOutcome(await admin('PUT', '/practice/mfa-policy', { body: {} }), 400, 'mfa_required');
    });

    it('unknown ids, paths and parameters', async () => {
      expectOutcome(await admin('GET', '/users/00000000-0000-0000-0000-000000000000'), 404);
      expectOutcome(await admin('POST', '/users/nobody/disable'), 404);
      expectOutcome(await admin('POST', `/users/${'x'.repeat(300)}/enable`), 404);
      expectOutcome(await admin('GET', '/apps/nope'), 404);
      expectOutcome(await admin('POST', '/apps/nope/disable'), 404);
      expectOutcome(await admin('GET', '/nothing-here'), 404);
      expectOutcome(await admin('GET', '/users?role=surgeon'), 400, 'role');
      expectOutcome(await admin('GET', '/users?status=asleep'), 400, 'status');
      expectOutcome(await admin('GET', '/users?_count=0'), 400, '_count');
      expectOutcome(await admin('GET', '/users?_count=5000'), 400, '_count');
      expectOutcome(await admin('GET', '/users?_cursor=%25%25'), 400, '_cursor');
      expectOutcome(await admin('GET', `/users?practice=${t.practiceId}`), 400, 'practice');
      expectOutcome(await admin('GET', '/users?role=nurse&role=billing'), 400, 'role');
    });

    it('state conflicts are 409', async () => {
      const invited = (await admin('POST', '/users', { body: { email: 'pending@example.org', role: 'nurse', invite: true } })).body.id as string;
      expectOutcome(await admin('POST', `/users/${invited}/enable`), 409);
      expectOutcome(await admin('POST', `/users/${invited}/password-reset`), 409);
      expectOutcome(await admin('POST', `/users/${adminId}/invite`), 409);
    });
  });

  describe('the practice MFA policy', () => {
    it('requires a second factor at the next sign-in, and can stop requiring it', async () => {
      const probe = (await admin('POST', '/users', { body: { email: 'mfa.probe@example.org', role: 'nurse', password: OTHER_PASSWORD } })).body.id as string;
      await admin('POST', '/users', { body: { email: 'mfa.later@example.org', role: 'nurse', password: OTHER_PASSWORD } });
      expect((await admin('GET', '/practice/mfa-policy')).body).toEqual({ mfa_required: false, mfa_available: true });
      const on = await admin('PUT', '/practice/mfa-policy', { body: { mfa_required: true } });
      expect(on.status, on.text).toBe(200);
      expect(on.body).toEqual({ mfa_required: true, mfa_available: true });
      try {
        await expect(signIn(console_, 'mfa.probe@example.org', OTHER_PASSWORD, 'user/*.rs')).rejects.toThrow(/a second factor was asked for/);
      } finally {
        const off = await admin('PUT', '/practice/mfa-policy', { body: { mfa_required: false } });
        expect(off.status, off.text).toBe(200);
      }
      expect((await admin('GET', '/practice/mfa-policy')).body.mfa_required).toBe(false);
      // Asked once, the probe now has a key and keeps being asked; someone never asked is not.
      expect((await admin('GET', `/users/${probe}`)).body.mfa_configured).toBe(true);
      await signIn(console_, 'mfa.later@example.org', OTHER_PASSWORD, 'user/*.rs');
    });

    it('refuses to require it where no second factor can be checked (no secret key): nobody could sign in', async () => {
      const plain = await buildApp({ store: t.store, audit: storeAuditSink(t.store.audit) });
      try {
        const via = injectHttp(plain);
        const token = (await signIn(console_, 'admin@example.org', PASSWORD, 'openid heron/admin', { via })).access_token;
        const res = await plain.inject({ method: 'PUT', url: `${ORIGIN}/admin/v1/practice/mfa-policy`, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'user-agent': USER_AGENT }, payload: '{"mfa_required": true}' });
        expect(res.statusCode, res.body).toBe(409);
        expect(await t.store.admin.users.practiceRequiresMfa(t.practiceId)).toBe(false);
      } finally {
        await plain.close();
      }
    });
  });

  describe('audit', () => {
    it('every admin call is in the hash-chained trail: who, what, outcome, address and user agent', async () => {
      const entries = await t.store.audit.query(t.practiceId, { count: 1000, agentId: adminId });
      const actions = new Set(entries.map((e) => e.action));
      for (const action of [
        'admin-user-create',
        'admin-user-list',
        'admin-user-read',
        'admin-user-disable',
        'admin-user-enable',
        'admin-user-invite',
        'admin-user-password-reset',
        'admin-user-sign-out-everywhere',
        'admin-user-role',
        'admin-user-mfa-reset',
        'admin-mfa-policy-read',
        'admin-mfa-policy',
        'admin-app-register',
        'admin-app-list',
        'admin-app-read',
        'admin-app-disable',
      ]) {
        expect(actions, action).toContain(action);
      }
      for (const e of entries.filter((x) => x.action.startsWith('admin-'))) {
        expect(e).toMatchObject({ agentKind: 'user', userAgent: USER_AGENT });
        expect(e.ip).toBeDefined();
      }
      const disable = entries.find((e) => e.action === 'admin-user-disable' && e.outcome === 'success')!;
      expect(disable.entities).toEqual([expect.stringMatching(/^User\//)]);
      expect(JSON.parse(disable.detail!)).toMatchObject({ status: 'disabled', previous_status: 'active' });
      const policy = entries.find((e) => e.action === 'admin-mfa-policy' && e.outcome === 'success')!;
      expect(policy.entities).toEqual([`Practice/${t.practiceId}`]);
      // Refusals are recorded with their kind: the self-disable (409) and the bad inputs above.
      expect(entries.some((e) => e.action === 'admin-user-disable' && e.outcome === 'failure' && e.reason === 'conflict' && e.entities?.[0] === `User/${adminId}`)).toBe(true);
      expect(entries.some((e) => e.action === 'admin-user-create' && e.outcome === 'failure' && e.reason === 'invalid')).toBe(true);
      expect(await t.store.audit.verify(t.practiceId)).toEqual({ checked: expect.any(Number) });
    });

    it('refused callers are in the trail too', async () => {
      const refused = await t.store.audit.query(t.practiceId, { count: 1000, outcome: 'failure', action: 'admin-user-list' });
      expect(refused.some((e) => e.agentKind === 'client' && e.reason === 'forbidden')).toBe(true);
      expect(refused.some((e) => e.agentKind === 'user' && e.agentId !== adminId && e.reason === 'forbidden')).toBe(true);
    });

    it('serves the entries as AuditEvents through the FHIR API', async () => {
      const report = await t.fhir('GET', `AuditEvent?agent=${adminId}&subtype=admin-app-register&outcome=0`);
      expect(report.status, report.text).toBe(200);
      const events = report.body.entry.map((e: { resource: AuditEvent }) => e.resource) as AuditEvent[];
      expect(events.length).toBeGreaterThanOrEqual(3);
      expect(events[0]).toMatchObject({ action: 'C', outcome: '0', subtype: [{ code: 'admin-app-register' }] });
      expect(events[0].entity?.[0].what?.reference).toMatch(/^Client\//);
      expect(JSON.parse(events[0].entity![0].detail![0].valueString!)).toHaveProperty('scope');
      for (const event of events) expect(validateResource(event)).toEqual([]);
    });

    it('fails closed: when the entry cannot be written, the change is answered 500 and its secret is never shown', async () => {
      const failing = await buildApp({
        store: t.store,
        secretBox: box,
        audit: { record: async () => Promise.reject(new Error('audit store down')) },
      });
      try {
        // Signing in is audited too, so the token comes from the working app: both share the store and key.
        const res = await failing.inject({
          method: 'POST',
          url: `${ORIGIN}/admin/v1/apps`,
          headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
          payload: JSON.stringify({ kind: 'service', name: 'Unaudited', scope: 'system/*.read' }),
        });
        expect(res.statusCode, res.body).toBe(500);
        expect(res.body).not.toContain('client_secret');
        expect(JSON.parse(res.body).resourceType).toBe('OperationOutcome');
      } finally {
        await failing.close();
      }
    });
  });
});
