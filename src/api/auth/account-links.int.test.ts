/**
 * Invitations and password reset by one-time link, through the whole app on SQLite and
 * PostgreSQL: an invited account cannot sign in until its link sets a password; a reset request
 * answers the same for known and unknown accounts, sends the link through the pluggable sender,
 * and using it sets a new password and ends every earlier token. All of it is audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerApp } from '../../domain/clients/register-app.ts';
import { createUser } from '../../domain/users/create-user.ts';
import type { AccountLinkMessage } from '../../domain/users/link-sender.ts';
import { checkPassword } from '../../domain/users/sign-in.ts';
import { recordingTerminal } from '../../cli/terminal.ts';
import { userInviteCommand } from '../../cli/commands/user-invite.ts';
import { manualClock } from '../../domain/clock.ts';
import { BASE, ORIGIN, startTestApp, type TestApp } from '../test-app.ts';
import { authorizeUrl, formFields, injectHttp, pkce, signInAndConsent, type Http } from './test-flow.ts';

const PASSWORD = 'Velvet-Harbour-Lantern-42';
const NEW_PASSWORD = 'Quiet-Orchard-Compass-77';
const REDIRECT = 'https://app.example.org/callback';
describe.each(['sqlite', 'postgres'] as const)('account links (%s)', (kind) => {
  let t: TestApp;
  let http: Http;
  const sent: AccountLinkMessage[] = [];
  let app: { clientId: string; clientSecret: string };
  /** The app's clock: moved by the tests, never waited for. */
  const clock = manualClock();

  beforeAll(async () => {
    t = await startTestApp({ kind, deps: { linkSender: { send: async (m) => void sent.push(m) }, clock: clock.now } });
    http = injectHttp(t.app);
    const registered = await registerApp(t.store, { practiceId: t.practiceId, name: 'Viewer', redirectUris: [REDIRECT], public: false, scopes: 'offline_access user/*.rs' });
    app = { clientId: registered.clientId, clientSecret: registered.clientSecret! };
  }, 60_000);
  afterAll(async () => t?.close());

  const linkPath = (link: string) => {
    const url = new URL(link);
    return { path: `${ORIGIN}${url.pathname}${url.search}`, token: url.searchParams.get('token')! };
  };

  async function setPassword(token: string, password: string, confirm = password) {
    return http('POST', `${ORIGIN}/auth/set-password`, { form: new URLSearchParams({ token, password, confirm }) });
  }

  async function userTokens(email: string, password: string) {
    const { verifier, challenge } = pkce();
    const url = authorizeUrl(ORIGIN, { clientId: app.clientId, redirectUri: REDIRECT, scope: 'offline_access user/Patient.rs', aud: BASE, challenge, method: 'S256' });
    const { redirect } = await signInAndConsent(http, ORIGIN, url, { email, password });
    const res = await http('POST', `${ORIGIN}/oauth2/token`, {
      headers: { authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}` },
      form: new URLSearchParams({ grant_type: 'authorization_code', code: redirect.searchParams.get('code')!, code_verifier: verifier, redirect_uri: REDIRECT }),
    });
    expect(res.status, res.text).toBe(200);
    return JSON.parse(res.text) as { access_token: string; refresh_token: string };
  }

  describe('invitation', () => {
    it('prints a one-time link; the account signs in only after setting a password there', async () => {
      const terminal = recordingTerminal();
      await userInviteCommand({ store: t.store, terminal }, { practice: t.practiceId, role: 'nurse', email: 'New.Nurse@example.org', publicUrl: ORIGIN, json: true });
      const printed = JSON.parse(terminal.stdout[0]);
      expect(Object.keys(printed)).toEqual(['id', 'link', 'expires_at']);
      const days = (Date.parse(printed.expires_at) - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(6.9);
      expect(days).toBeLessThanOrEqual(7);
      expect(await t.store.admin.users.get(printed.id)).toMatchObject({ status: 'invited', email: 'new.nurse@example.org' });

      const { path, token } = linkPath(printed.link);
      const form = await http('GET', path);
      expect(form.status).toBe(200);
      expect(form.headers['cache-control']).toBe('no-store');
      expect(form.headers['referrer-policy']).toBe('no-referrer');
      expect(formFields(form.text).hidden.token).toBe(token);

      expect((await setPassword(token, 'password1234')).text).toContain('too easy to guess');
      expect((await setPassword(token, NEW_PASSWORD, NEW_PASSWORD + 'x')).text).toContain('differ');
      const done = await setPassword(token, NEW_PASSWORD);
      expect(done.status, done.text).toBe(200);
      expect(await t.store.admin.users.get(printed.id)).toMatchObject({ status: 'active' });
      expect((await checkPassword(t.store, t.practiceId, 'new.nurse@example.org', NEW_PASSWORD)).ok).toBe(true);
      expect(t.audits.some((a) => a.action === 'invitation-accepted' && a.principal.id === printed.id)).toBe(true);

      // Once only.
      expect((await setPassword(token, 'Another-Fine-Password-99')).status).toBe(400);
      expect((await http('GET', path)).status).toBe(400);
    });

    it('an invited account cannot sign in before it sets a password', async () => {
      const terminal = recordingTerminal();
      await userInviteCommand({ store: t.store, terminal }, { practice: t.practiceId, role: 'physician', email: 'later@example.org', publicUrl: ORIGIN });
      expect(terminal.stdout[2]).toMatch(/^http:\/\/heron\.test:8080\/auth\/set-password\?token=/);
      const { challenge } = pkce();
      await expect(
        signInAndConsent(http, ORIGIN, authorizeUrl(ORIGIN, { clientId: app.clientId, redirectUri: REDIRECT, scope: 'user/Patient.rs', aud: BASE, challenge, method: 'S256' }), { email: 'later@example.org', password: PASSWORD }),
      ).rejects.toThrow(/sign-in answered 401/);
    });
  });

  describe('password reset', () => {
    const requestReset = (fields: Record<string, string>) => http('POST', `${ORIGIN}/auth/password-reset`, { form: new URLSearchParams(fields) });
    const waitForSent = async (count: number) => {
      for (let i = 0; i < 100 && sent.length < count; i++) await new Promise((r) => setTimeout(r, 10));
    };

    it('answers the same for unknown accounts and sends nothing', async () => {
      const before = sent.length;
      const unknown = await requestReset({ email: 'nobody@example.org', practice: t.practiceId });
      const badPractice = await requestReset({ email: 'nobody@example.org', practice: 'no such practice' });
      const malformed = await http('POST', `${ORIGIN}/auth/password-reset`, { form: new URLSearchParams('email=a&email=b') });
      for (const res of [unknown, badPractice, malformed]) expect([res.status, res.text]).toEqual([202, unknown.text]);
      await new Promise((r) => setTimeout(r, 100));
      expect(sent.length).toBe(before);
    });

    it('sends a one-hour link; using it sets the password and ends every earlier token', async () => {
      const id = (await createUser(t.store, { practiceId: t.practiceId, role: 'physician', email: 'reset.me@example.org', password: PASSWORD })).id;
      const tokens = await userTokens('reset.me@example.org', PASSWORD);
      const before = sent.length;
      const res = await requestReset({ email: 'Reset.Me@example.org', practice: t.practiceId });
      expect(res.status).toBe(202);
      await waitForSent(before + 1);
      const message = sent[before];
      expect(message).toMatchObject({ email: 'reset.me@example.org', purpose: 'reset', tenant: t.practiceId });
      expect(message.expiresAt - clock.now()).toBe(3600_000);

      // The new password ends the tokens issued before it (the app's clock moves on; no waiting).
      clock.advance(5);
      const { token } = linkPath(message.link);
      expect((await setPassword(token, NEW_PASSWORD)).status).toBe(200);
      expect((await checkPassword(t.store, t.practiceId, 'reset.me@example.org', PASSWORD)).ok).toBe(false);
      expect((await checkPassword(t.store, t.practiceId, 'reset.me@example.org', NEW_PASSWORD)).ok).toBe(true);
      expect((await t.fhir('GET', 'Patient', { token: tokens.access_token })).status).toBe(401);
      const refresh = await http('POST', `${ORIGIN}/oauth2/token`, {
        headers: { authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}` },
        form: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }),
      });
      expect(JSON.parse(refresh.text).error).toBe('invalid_grant');
      expect(t.audits.filter((a) => a.principal.id === id).map((a) => a.action)).toEqual(expect.arrayContaining(['password-reset-requested', 'password-reset']));
      expect((await setPassword(token, 'Another-Fine-Password-99')).status).toBe(400);
    });

    it('limits requests per address', async () => {
      let last = 0;
      for (let i = 0; i < 25; i++) last = (await requestReset({ email: 'x@example.org', practice: t.practiceId })).status;
      expect(last).toBe(429);
    });
  });

  describe('sign-out everywhere', () => {
    it("ends every token and refresh token of the calling user, not other users'", async () => {
      await createUser(t.store, { practiceId: t.practiceId, role: 'nurse', email: 'everywhere@example.org', password: PASSWORD });
      await createUser(t.store, { practiceId: t.practiceId, role: 'nurse', email: 'bystander@example.org', password: PASSWORD });
      const first = await userTokens('everywhere@example.org', PASSWORD);
      const second = await userTokens('everywhere@example.org', PASSWORD);
      const other = await userTokens('bystander@example.org', PASSWORD);
      clock.advance(5);
      const out = await t.app.inject({ method: 'POST', url: `${ORIGIN}/auth/sign-out-everywhere`, headers: { authorization: `Bearer ${first.access_token}` } });
      expect(out.statusCode, out.body).toBe(200);
      expect(out.json()).toEqual({ revoked_grants: 2 });
      expect((await t.fhir('GET', 'Patient', { token: second.access_token })).status).toBe(401);
      expect((await t.fhir('GET', 'Patient', { token: other.access_token })).status).toBe(200);
      for (const refresh_token of [first.refresh_token, second.refresh_token]) {
        const res = await http('POST', `${ORIGIN}/oauth2/token`, {
          headers: { authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}` },
          form: new URLSearchParams({ grant_type: 'refresh_token', refresh_token }),
        });
        expect(JSON.parse(res.text).error).toBe('invalid_grant');
      }
      expect(t.audits.some((a) => a.action === 'sign-out-everywhere')).toBe(true);
      expect((await t.app.inject({ method: 'POST', url: `${ORIGIN}/auth/sign-out-everywhere`, headers: { authorization: `Bearer ${first.access_token}` } })).statusCode).toBe(401);
      expect((await t.app.inject({ method: 'POST', url: `${ORIGIN}/auth/sign-out-everywhere`, headers: { authorization: `Bearer ${t.token}` } })).statusCode).toBe(403);
    });
  });
});
