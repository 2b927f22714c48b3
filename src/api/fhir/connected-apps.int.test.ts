/**
 * Connected apps on both stores: a person who signed in to an app sees it (name, scopes, when
 * allowed and last used), revokes it, and its access token stops working on the next request
 * (this server forgets it at once) and its refresh token no longer refreshes; another person
 * cannot revoke it; an app acting for itself has no connected apps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerApp } from '../../domain/clients/register-app.ts';
import { createUser } from '../../domain/users/create-user.ts';
import { authorizeUrl, injectHttp, pkce, signInAndConsent, type Http } from '../auth/test-flow.ts';
import { BASE, ORIGIN, startTestApp, type TestApp } from '../test-app.ts';

const REDIRECT = 'https://app.example/cb';
const PASSWORD = 'correct horse battery staple 42';

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`connected apps (${kind})`, () => {
    let t: TestApp;
    let http: Http;
    let app: { clientId: string; clientSecret: string };
    beforeAll(async () => {
      t = await startTestApp({ kind });
      http = injectHttp(t.app);
      const registered = await registerApp(t.store, { practiceId: t.practiceId, name: 'Diabetes Coach', redirectUris: [REDIRECT], public: false, scopes: 'openid offline_access user/Patient.rs' });
      app = { clientId: registered.clientId, clientSecret: registered.clientSecret! };
      for (const email of ['ann@example.org', 'bob@example.org']) await createUser(t.store, { practiceId: t.practiceId, role: 'physician', email, password: PASSWORD });
    }, 60_000);
    afterAll(async () => t?.close());

    const token = async (fields: Record<string, string>) => {
      const res = await http('POST', `${ORIGIN}/oauth2/token`, { headers: { authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}` }, form: new URLSearchParams(fields) });
      return JSON.parse(res.text) as { access_token?: string; refresh_token?: string; error?: string };
    };
    const signIn = async (email: string) => {
      const { verifier, challenge } = pkce();
      const url = authorizeUrl(ORIGIN, { clientId: app.clientId, redirectUri: REDIRECT, scope: 'offline_access user/Patient.rs', aud: BASE, challenge, method: 'S256', state: 's' });
      const { redirect } = await signInAndConsent(http, ORIGIN, url, { email, password: PASSWORD });
      return token({ grant_type: 'authorization_code', code: redirect.searchParams.get('code')!, code_verifier: verifier, redirect_uri: REDIRECT });
    };
    const call = (method: string, path: string, accessToken: string, body?: object) =>
      t.app.inject({ method: method as 'GET', url: `${BASE}/${path}`, headers: { authorization: `Bearer ${accessToken}`, ...(body ? { 'content-type': 'application/fhir+json' } : {}) }, ...(body ? { payload: JSON.stringify(body) } : {}) });

    it('lists the app a person allowed, and revoking it stops its tokens at once', async () => {
      const ann = await signIn('ann@example.org');
      const bob = await signIn('bob@example.org');
      expect((await call('GET', 'Patient', ann.access_token!)).statusCode).toBe(200);
      const listed = (await call('GET', '$connected-apps', ann.access_token!)).json() as { parameter: { part: { name: string; valueString?: string; valueInstant?: string }[] }[] };
      expect(listed.parameter).toHaveLength(1);
      const parts = Object.fromEntries(listed.parameter[0]!.part.map((p) => [p.name, p.valueString ?? p.valueInstant]));
      expect(parts).toMatchObject({ client: app.clientId, name: 'Diabetes Coach', scope: 'offline_access user/Patient.rs' });
      expect(Date.parse(parts.lastUsed!)).toBeGreaterThanOrEqual(Date.parse(parts.granted!));
      const grant = parts.grant!;
      // Bob cannot revoke Ann's grant: it is not his.
      expect((await call('POST', '$connected-app-revoke', bob.access_token!, { resourceType: 'Parameters', parameter: [{ name: 'grant', valueString: grant }] })).statusCode).toBe(404);
      const revoked = await call('POST', '$connected-app-revoke', ann.access_token!, { resourceType: 'Parameters', parameter: [{ name: 'grant', valueString: grant }] });
      expect(revoked.statusCode).toBe(200);
      expect((await call('GET', 'Patient', ann.access_token!)).statusCode).toBe(401);
      expect((await token({ grant_type: 'refresh_token', refresh_token: ann.refresh_token! })).error).toBe('invalid_grant');
      // Bob's grant of the same app is untouched.
      expect((await call('GET', 'Patient', bob.access_token!)).statusCode).toBe(200);
    });

    it('has none for an app acting for itself', async () => {
      const res = await t.fhir('GET', '$connected-apps');
      expect(res.status).toBe(403);
      expect(res.body.resourceType).toBe('OperationOutcome');
    });
  });
}
