/**
 * Signed-in sessions (`online_access`): the refresh token lapses after the idle time-out and the
 * session ends at its absolute lifetime however active; `offline_access` is not bound by either.
 * Limits are shortened here so the test can wait them out. On SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerApp } from '../../domain/clients/register-app.ts';
import { createUser } from '../../domain/users/create-user.ts';
import { BASE, ORIGIN, startTestApp, type TestApp } from '../test-app.ts';
import { authorizeUrl, injectHttp, pkce, signInAndConsent, type Http } from './test-flow.ts';

const PASSWORD = 'Velvet-Harbour-Lantern-42';
const REDIRECT = 'https://app.example.org/callback';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const [name, session, kind] of [
  ['idle time-out', { idleMs: 400, maxMs: 60_000 }, 'sqlite'],
  ['absolute lifetime', { idleMs: 60_000, maxMs: 900 }, 'sqlite'],
  ['idle time-out', { idleMs: 400, maxMs: 60_000 }, 'postgres'],
  ['absolute lifetime', { idleMs: 60_000, maxMs: 900 }, 'postgres'],
] as const) {
  describe(`online_access sessions: ${name} (${kind})`, () => {
    let t: TestApp;
    let http: Http;
    let app: { clientId: string; clientSecret: string };
    beforeAll(async () => {
      t = await startTestApp({ kind, deps: { session } });
      http = injectHttp(t.app);
      const registered = await registerApp(t.store, { practiceId: t.practiceId, name: 'EHR screens', redirectUris: [REDIRECT], public: false, scopes: 'openid online_access offline_access user/Patient.rs' });
      app = { clientId: registered.clientId, clientSecret: registered.clientSecret! };
      await createUser(t.store, { practiceId: t.practiceId, role: 'physician', email: 'doc@example.org', password: PASSWORD });
    }, 60_000);
    afterAll(async () => t?.close());

    const token = async (fields: Record<string, string>) => {
      const res = await http('POST', `${ORIGIN}/oauth2/token`, { headers: { authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}` }, form: new URLSearchParams(fields) });
      return JSON.parse(res.text) as { refresh_token?: string; error?: string; access_token?: string };
    };
    const signIn = async (scope: string) => {
      const { verifier, challenge } = pkce();
      const url = authorizeUrl(ORIGIN, { clientId: app.clientId, redirectUri: REDIRECT, scope, aud: BASE, challenge, method: 'S256', state: 's' });
      const { redirect } = await signInAndConsent(http, ORIGIN, url, { email: 'doc@example.org', password: PASSWORD });
      return token({ grant_type: 'authorization_code', code: redirect.searchParams.get('code')!, code_verifier: verifier, redirect_uri: REDIRECT });
    };

    it('a session lasts while used and ends at its limit; offline access does not', async () => {
      const online = await signIn('online_access user/Patient.rs');
      const offline = await signIn('offline_access user/Patient.rs');
      expect(online.refresh_token).toBeDefined();
      // Used within the limits: rotates.
      await sleep(150);
      const used = await token({ grant_type: 'refresh_token', refresh_token: online.refresh_token! });
      expect(used.refresh_token, JSON.stringify(used)).toBeDefined();
      await sleep(1000);
      expect((await token({ grant_type: 'refresh_token', refresh_token: used.refresh_token! })).error).toBe('invalid_grant');
      expect((await token({ grant_type: 'refresh_token', refresh_token: offline.refresh_token! })).refresh_token).toBeDefined();
    });
  });
}
