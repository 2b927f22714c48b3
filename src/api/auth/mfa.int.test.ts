/**
 * TOTP second factor at sign-in (RFC 6238) over `inject()`, on SQLite and PostgreSQL: enrolment in
 * a practice that requires MFA, a code per step used once, recovery codes used once, wrong codes
 * counted toward lockout, and the seed stored only encrypted.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerApp } from '../../domain/clients/register-app.ts';
import { createUser } from '../../domain/users/create-user.ts';
import { createSecretBox } from '../../domain/users/secret-box.ts';
import { totpCode } from '../../domain/users/totp.ts';
import { BASE, ORIGIN, startTestApp, type TestApp } from '../test-app.ts';
import { authorizeUrl, cookieOf, formFields, pkce, signInAndConsent, type Http } from './test-flow.ts';

const PASSWORD = 'Copper-Kettle-Orchard-19';
const REDIRECT = 'https://app.example.org/cb';
describe.each(['sqlite', 'postgres'] as const)('MFA (%s)', (kind) => {
  let t: TestApp;
  let http: Http;
  let clientId: string;
  let userId: string;

  beforeAll(async () => {
    t = await startTestApp({ kind, deps: { secretBox: createSecretBox(randomBytes(32)) } });
    http = async (method, url, o = {}) => {
      const res = await t.app.inject({ method, url, headers: { ...o.headers, ...(o.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) }, ...(o.form ? { payload: o.form.toString() } : {}) });
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = String(v);
      return { status: res.statusCode, headers, text: res.body };
    };
    clientId = (await registerApp(t.store, { practiceId: t.practiceId, name: 'MFA app', redirectUris: [REDIRECT], public: true, scopes: 'user/*.rs' })).clientId;
    userId = (await createUser(t.store, { practiceId: t.practiceId, role: 'physician', email: 'mfa@example.org', password: PASSWORD })).id;
    await t.store.admin.users.setPracticeRequiresMfa(t.practiceId, true);
  }, 60_000);
  afterAll(async () => t?.close());

  const url = () => authorizeUrl(ORIGIN, { clientId, redirectUri: REDIRECT, scope: 'user/*.rs', aud: BASE, challenge: pkce().challenge, method: 'S256' });

  async function toMfaPage() {
    const start = await http('GET', url());
    const cookie = cookieOf(start);
    const page = await http('POST', `${ORIGIN}/oauth2/authorize/sign-in`, { headers: { cookie }, form: new URLSearchParams({ ...formFields(start.text).hidden, email: 'mfa@example.org', password: PASSWORD }) });
    expect(page.text).toContain('action="/oauth2/authorize/mfa"');
    const submit = (code: string) => http('POST', `${ORIGIN}/oauth2/authorize/mfa`, { headers: { cookie }, form: new URLSearchParams({ ...formFields(page.text).hidden, code }) });
    return { page, submit };
  }

  describe('TOTP', () => {
    let secret = '';
    let enrolledAt = 0;
    let recovery: string[] = [];

    it('a practice that requires MFA enrols the user at first sign-in; the seed is stored encrypted', async () => {
      const { page, submit } = await toMfaPage();
      secret = /Key: <code>([A-Z2-7]+)<\/code>/.exec(page.text)![1];
      expect((await t.store.admin.users.get(userId))!.mfaSecret).not.toContain(secret);
      expect((await submit('000000')).status).toBe(401);
      enrolledAt = Date.now();
      const codes = await submit(totpCode(secret, enrolledAt));
      expect(codes.text).toContain('recovery codes');
      recovery = [...codes.text.matchAll(/<li><code>([0-9a-f-]+)<\/code><\/li>/g)].map((m) => m[1]);
      expect(recovery).toHaveLength(10);
      const done = await http('POST', `${ORIGIN}/oauth2/authorize/mfa`, { headers: { cookie: '' }, form: new URLSearchParams(formFields(codes.text).hidden) });
      expect(done.status).toBe(400); // bound to the browser that started it
      await t.store.admin.users.recordSignIn(userId, Date.now());
    });

    it('a code works once per step; a recovery code works once', async () => {
      // The enrolment used that code's step: the same code is refused now, even within its window.
      const first = await toMfaPage();
      expect((await first.submit(totpCode(secret, enrolledAt))).status).toBe(401);
      const { redirect } = await signInAndConsent(http, ORIGIN, url(), { email: 'mfa@example.org', password: PASSWORD, mfaCode: () => recovery[0] });
      expect(redirect.searchParams.get('code')).toBeTruthy();
      await expect(signInAndConsent(http, ORIGIN, url(), { email: 'mfa@example.org', password: PASSWORD, mfaCode: () => recovery[0] })).rejects.toThrow(/mfa answered 401/);
      await t.store.admin.users.recordSignIn(userId, Date.now());
    });

    it('wrong codes count toward the lockout', async () => {
      for (let i = 0; i < 5; i++) expect((await (await toMfaPage()).submit('123456')).status).toBe(401);
      await expect(signInAndConsent(http, ORIGIN, url(), { email: 'mfa@example.org', password: PASSWORD, mfaCode: () => recovery[1] })).rejects.toThrow(/sign-in answered 401/);
      expect(t.audits.filter((a) => a.action === 'sign-in' && a.outcome === 'failure' && a.principal.id === userId).length).toBeGreaterThanOrEqual(6);
    });
  });
});
