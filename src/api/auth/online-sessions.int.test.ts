/**
 * Signed-in sessions (`online_access`): the refresh token lapses after the idle time-out and the
 * session ends at its absolute lifetime however active; `offline_access` is not bound by either.
 * Time is the app's clock, moved by the test (no waiting). On SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerApp } from '../../domain/clients/register-app.ts';
import { manualClock, type ManualClock } from '../../domain/clock.ts';
import { createUser } from '../../domain/users/create-user.ts';
import { BASE, ORIGIN, startTestApp, type TestApp } from '../test-app.ts';
import { authorizeUrl, injectHttp, pkce, signInAndConsent, type Http } from './test-flow.ts';

const PASSWORD = 'Velvet-Harbour-Lantern-42';
const REDIRECT = 'https://app.example.org/callback';

const MINUTE = 60_000;

for (const [name, session, kind] of [
  ['idle time-out', { idleMs: 15 * MINUTE, maxMs: 12 * 60 * MINUTE }, 'sqlite'],
  ['absolute lifetime', { idleMs: 15 * MINUTE, maxMs: 50 * MINUTE }, 'sqlite'],
  ['idle time-out', { idleMs: 15 * MINUTE, maxMs: 12 * 60 * MINUTE }, 'postgres'],
  ['absolute lifetime', { idleMs: 15 * MINUTE, maxMs: 50 * MINUTE }, 'postgres'],
] as const) {
  describe(`online_access sessions: ${name} (${kind})`, () => {
    let t: TestApp;
    let http: Http;
    let app: { clientId: string; clientSecret: string };
    let clock: ManualClock;
    beforeAll(async () => {
      clock = manualClock();
      t = await startTestApp({ kind, deps: { session, clock: clock.now } });
      http = injectHttp(t.app);
      const registered = await registerApp(t.store, { practiceId: t.practiceId, name: 'EHR screens', redirectUris: [REDIRECT], public: false, scopes: 'openid online_access offline_access user/Patient.rs' });
      app = { clientId: registered.clientId, clientSecret: registered.clientSecret! };
      await createUser(t.store, { practiceId: t.practiceId, role: 'physician', email: 'doc@example.org', password: PASSWORD });
    }, 60_000);
    afterAll(async () => t?.close());

    const token = async (fields: Record<string, string>) => {
      const res = await http('POST', `${ORIGIN}/oauth2/token`, { headers: { authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}` }, form: new URLSearchParams(fields) });
      return JSON.parse(res.text) as { refresh_token?: string; refresh_token_expires_in?: number; error?: string; access_token?: string };
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
      // The app is told when the session ends unused, so it can warn a minute before.
      expect(online.refresh_token_expires_in).toBe(Math.min(session.idleMs, session.maxMs) / 1000);
      expect(offline.refresh_token_expires_in).toBe(90 * 24 * 3600);
      // Used just inside the idle time-out, again and again: each use rotates and restarts it.
      // Three uses take longer than one idle time-out: it counts from the last use.
      let refresh = online.refresh_token!;
      let elapsed = 0;
      for (let use = 0; use < 3; use++) {
        clock.advance(session.idleMs - 1);
        elapsed += session.idleMs - 1;
        const next = await token({ grant_type: 'refresh_token', refresh_token: refresh });
        expect(next.refresh_token, `after ${elapsed} ms: ${JSON.stringify(next)}`).toBeDefined();
        refresh = next.refresh_token!;
      }
      // Then the limit this case is about ends it: idle too long, or past the absolute lifetime
      // though used within the idle time-out.
      clock.advance(name === 'idle time-out' ? session.idleMs : session.maxMs - elapsed + 1);
      expect((await token({ grant_type: 'refresh_token', refresh_token: refresh })).error).toBe('invalid_grant');
      expect((await token({ grant_type: 'refresh_token', refresh_token: offline.refresh_token! })).refresh_token).toBeDefined();
    });
  });
}
