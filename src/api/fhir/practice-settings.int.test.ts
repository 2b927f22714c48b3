/**
 * Practice settings on the practice's own Organization, black-box over `inject()` on SQLite and
 * PostgreSQL, with people signed in through an app: only a practice administrator changes them
 * (every other role is refused, everyone reads them), a value out of its range is refused with an
 * OperationOutcome naming the field, the practice keeps exactly one such Organization, every
 * change is in the audit trail, and the idle time-out the practice chose ends its sessions.
 */
import type { AuditEvent, Extension, Organization } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerApp } from '../../domain/clients/register-app.ts';
import { manualClock } from '../../domain/clock.ts';
import { newPracticeOrganization, practiceOrganizationQuery } from '../../domain/practice-settings/practice-organization.ts';
import { SETTING_URLS, settingPath } from '../../domain/practice-settings/practice-settings.ts';
import { SETTINGS_CACHE_MS } from '../../domain/practice-settings/settings-cache.ts';
import { createUser } from '../../domain/users/create-user.ts';
import { authorizeUrl, injectHttp, pkce, signInAndConsent, type Http } from '../auth/test-flow.ts';
import { BASE, ORIGIN, startTestApp, type TestApp } from '../test-app.ts';

const PASSWORD = 'Velvet-Harbour-Lantern-42';
const REDIRECT = 'https://app.example.org/callback';
const MINUTE = 60_000;
const ROLES = ['practice-admin', 'physician', 'nurse', 'front-desk', 'patient'] as const;
type Role = (typeof ROLES)[number];

describe.each(['sqlite', 'postgres'] as const)('practice settings (%s)', (kind) => {
  let t: TestApp;
  let http: Http;
  let app: { clientId: string; clientSecret: string };
  const clock = manualClock();
  const tokens = {} as Record<Role, string>;
  const userIds = {} as Record<Role, string>;
  let orgId: string;

  const tokenRequest = async (fields: Record<string, string>) => {
    const res = await http('POST', `${ORIGIN}/oauth2/token`, { headers: { authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}` }, form: new URLSearchParams(fields) });
    return JSON.parse(res.text) as { access_token?: string; refresh_token?: string; refresh_token_expires_in?: number; error?: string };
  };
  const signIn = async (role: Role) => {
    const scope = role === 'patient' ? 'openid online_access patient/*.rs' : 'openid online_access user/*.cruds';
    const { verifier, challenge } = pkce();
    const url = authorizeUrl(ORIGIN, { clientId: app.clientId, redirectUri: REDIRECT, scope, aud: BASE, challenge, method: 'S256', state: 's' });
    const { redirect } = await signInAndConsent(http, ORIGIN, url, { email: `${role}@example.org`, password: PASSWORD });
    const answer = await tokenRequest({ grant_type: 'authorization_code', code: redirect.searchParams.get('code')!, code_verifier: verifier, redirect_uri: REDIRECT });
    expect(answer.access_token, JSON.stringify(answer)).toBeDefined();
    return answer;
  };
  const stored = async (token?: string): Promise<Organization> => (await t.fhir('GET', `Organization/${orgId}`, { token })).body;
  const put = (org: Organization, token: string) => t.fhir('PUT', `Organization/${org.id}`, { token, body: org, headers: { 'if-match': `W/"${org.meta!.versionId}"` } });
  const withIdle = (org: Organization, minutes: number): Organization => ({ ...org, extension: [...(org.extension ?? []).filter((e) => e.url !== SETTING_URLS.idleTimeout), { url: SETTING_URLS.idleTimeout, valuePositiveInt: minutes }] });

  beforeAll(async () => {
    t = await startTestApp({ kind, auditStore: true, deps: { clock: clock.now } });
    http = injectHttp(t.app);
    // What `heron practice create` and `heron serve` do for every practice.
    const created = await t.fhir('POST', 'Organization', { body: newPracticeOrganization({ id: t.practiceId, name: 'Riverside Family Practice' }), headers: { 'if-none-exist': practiceOrganizationQuery(t.practiceId).toString() } });
    expect(created.status, created.text).toBe(201);
    orgId = created.body.id;
    const patient = await t.fhir('POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family: 'Alpha' }] } });
    const registered = await registerApp(t.store, { practiceId: t.practiceId, name: 'Heron', redirectUris: [REDIRECT], public: false, scopes: 'openid online_access user/*.cruds patient/*.rs' });
    app = { clientId: registered.clientId, clientSecret: registered.clientSecret! };
    for (const role of ROLES) {
      userIds[role] = (await createUser(t.store, { practiceId: t.practiceId, role, email: `${role}@example.org`, password: PASSWORD, ...(role === 'patient' ? { patients: [patient.body.id] } : {}) })).id;
      tokens[role] = (await signIn(role)).access_token!;
    }
  }, 120_000);
  afterAll(async () => t?.close());

  it('keeps one Organization per practice, found by its identifier', async () => {
    const again = await t.fhir('POST', 'Organization', { body: newPracticeOrganization({ id: t.practiceId, name: 'Again' }), headers: { 'if-none-exist': practiceOrganizationQuery(t.practiceId).toString() } });
    expect(again.status).toBe(200);
    const second = await t.fhir('POST', 'Organization', { body: newPracticeOrganization({ id: t.practiceId, name: 'Second' }) });
    expect(second.status, second.text).toBe(409);
    expect(second.body.issue[0].diagnostics).toContain(`Organization/${orgId}`);
    const otherPractice = await t.fhir('POST', 'Organization', { body: newPracticeOrganization({ id: 'someoneelse', name: 'Other' }) });
    expect(otherPractice.status).toBe(422);
    expect((await t.fhir('DELETE', `Organization/${orgId}`)).status).toBe(422);
    const { identifier: _dropped, ...withoutIdentifier } = await stored();
    expect((await t.fhir('PUT', `Organization/${orgId}`, { body: withoutIdentifier })).status).toBe(422);
    // Other organisations (a lab, a payer) are written as ever.
    expect((await t.fhir('POST', 'Organization', { token: tokens['practice-admin'], body: { resourceType: 'Organization', name: 'Quest Diagnostics' } })).status).toBe(201);
    const found = await t.fhir('GET', `Organization?${practiceOrganizationQuery(t.practiceId)}`);
    expect(found.body.entry.map((e: { resource: Organization }) => e.resource.id)).toEqual([orgId]);
  });

  it('is changed by a practice administrator only, read by everyone, and every change is audited', async () => {
    const before = await stored();
    for (const role of ['physician', 'nurse', 'front-desk', 'patient'] as const) {
      expect((await t.fhir('GET', `Organization/${orgId}`, { token: tokens[role] })).status, role).toBe(200);
      const refused = await put({ ...before, name: `Changed by ${role}` }, tokens[role]);
      expect(refused.status, `${role}: ${refused.text}`).toBe(403);
      expect(refused.body.resourceType).toBe('OperationOutcome');
    }
    const changed: Organization = {
      ...before,
      name: 'Riverside Family Medicine',
      address: [{ line: ['12 River Road'], city: 'Springfield', state: 'IL', postalCode: '62701' }],
      telecom: [{ system: 'phone', value: '(217) 555-0100' }],
      extension: [{ url: SETTING_URLS.resultsRelease, extension: [{ url: 'mode', valueCode: 'delayed' }, { url: 'delayDays', valueUnsignedInt: 3 }] }],
    };
    const saved = await put(changed, tokens['practice-admin']);
    expect(saved.status, saved.text).toBe(200);
    expect((await stored()).name).toBe('Riverside Family Medicine');
    const entries = t.audits.filter((a) => a.resourceType === 'Organization' && a.ids?.includes(orgId) && a.action === 'update' && a.principal.kind === 'user');
    expect(entries.map((a) => [a.principal.kind === 'user' && a.principal.role, a.outcome])).toEqual([
      ['physician', 'failure'],
      ['nurse', 'failure'],
      ['front-desk', 'failure'],
      ['patient', 'failure'],
      ['practice-admin', 'success'],
    ]);
    // In the practice's hash-chained trail too, as an AuditEvent a privacy officer reads.
    const trail = await t.fhir('GET', `AuditEvent?entity=Organization/${orgId}&_count=50`);
    expect(trail.status, trail.text).toBe(200);
    const updates = (trail.body.entry as { resource: AuditEvent }[]).map((e) => e.resource).filter((e) => e.action === 'U' && e.outcome === '0');
    expect(updates.map((e) => e.agent[0]!.who!.identifier!.value)).toEqual([userIds['practice-admin']]);
  });

  it('refuses a value out of its range with an OperationOutcome naming the field', async () => {
    const org = await stored();
    for (const [extension, field, words] of [
      [{ url: SETTING_URLS.idleTimeout, valuePositiveInt: 90 }, settingPath(SETTING_URLS.idleTimeout), 'idle time-out is from 5 to 30 minutes'],
      [{ url: SETTING_URLS.resultsRelease, extension: [{ url: 'mode', valueCode: 'delayed' }, { url: 'delayDays', valueUnsignedInt: 60 }] }, settingPath(SETTING_URLS.resultsRelease, 'delayDays'), 'from 1 to 14 days'],
      [{ url: SETTING_URLS.attachments, extension: [{ url: 'maxMegabytes', valuePositiveInt: 10 }, { url: 'allowedType', valueCode: 'application/x-msdownload' }] }, settingPath(SETTING_URLS.attachments, 'allowedType'), 'application/x-msdownload'],
    ] as [Extension, string, string][]) {
      const res = await put({ ...org, extension: [extension] }, tokens['practice-admin']);
      expect(res.status, res.text).toBe(422);
      expect(res.body.resourceType).toBe('OperationOutcome');
      expect(res.body.issue[0].expression).toEqual([field]);
      expect(res.body.issue[0].diagnostics).toContain(words);
    }
    expect((await stored()).meta!.versionId).toBe(org.meta!.versionId);
  });

  it("ends a session idle longer than the practice's time-out", async () => {
    const saved = await put(withIdle(await stored(), 5), tokens['practice-admin']);
    expect(saved.status, saved.text).toBe(200);
    // The server reads the setting through a short cache: past it, new sessions get the new limit.
    clock.advance(SETTINGS_CACHE_MS + 1);
    const session = await signIn('physician');
    expect(session.refresh_token_expires_in).toBe(5 * 60);
    clock.advance(5 * MINUTE - 1);
    const used = await tokenRequest({ grant_type: 'refresh_token', refresh_token: session.refresh_token! });
    expect(used.refresh_token, JSON.stringify(used)).toBeDefined();
    clock.advance(5 * MINUTE + 1);
    expect((await tokenRequest({ grant_type: 'refresh_token', refresh_token: used.refresh_token! })).error).toBe('invalid_grant');

    // Back to the server's own limit (15 minutes) when the practice removes its choice.
    const admin = (await signIn('practice-admin')).access_token!;
    const cleared = await stored(admin);
    expect((await put({ ...cleared, extension: cleared.extension!.filter((e) => e.url !== SETTING_URLS.idleTimeout) }, admin)).status).toBe(200);
    clock.advance(SETTINGS_CACHE_MS + 1);
    expect((await signIn('physician')).refresh_token_expires_in).toBe(15 * 60);
  });
});
