/**
 * SMART 2 granular scopes (`user/Observation.rs?category=…|vital-signs`), on both stores: an app
 * granted vital signs only is tried against every way of reaching a laboratory Observation —
 * search (direct, by id, compartment, system, counted, paged), includes, chained and `_has`
 * predicates, read, vread, history, writes, conditional writes and Bundles; two scopes of one type
 * are a union; a role without the type still denies; and the scope travels from app registration
 * through consent and the token to the FHIR API. Mostly through `dispatch` (the path HTTP takes)
 * with the principal a user's token gives.
 */
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal, Role } from '../../domain/access/principal.ts';
import { registerApp } from '../../domain/clients/register-app.ts';
import type { Ctx } from '../../domain/context.ts';
import { createUser } from '../../domain/users/create-user.ts';
import { authorizeUrl, injectHttp, pkce, signInAndConsent } from '../auth/test-flow.ts';
import { BASE, dispatchAs, namedCreator, ORIGIN, startTestApp, type TestApp } from '../test-app.ts';

const CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const VITALS = `user/Observation.cruds?category=${CATEGORY}|vital-signs`;
const LABS = `user/Observation.rs?category=${CATEGORY}|laboratory`;
const PASSWORD = 'Velvet-Harbour-Lantern-42';
const REDIRECT = 'https://vitals.example.org/callback';

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`granular scopes (${kind})`, () => {
    let t: TestApp;
    const ids: Record<string, string> = {};
    const call = dispatchAs;
    const found = (b: Bundle | undefined, mode?: string) =>
      (b?.entry ?? []).filter((e) => e.search?.mode !== 'outcome' && (mode === undefined || e.search?.mode === mode)).map((e) => `${e.resource!.resourceType}/${e.resource!.id}`).sort();
    const as = (scopes: string[], role: Role = 'physician', patients?: string[]): Ctx => {
      const principal: Principal = { kind: 'user', id: `u-${role}`, tenant: t.practiceId, role, scopes, fhirUser: patients ? `Patient/${patients[0]}` : ids.doc, ...(patients ? { patients } : {}) };
      return { tenant: t.practiceId, principal, store: t.store, audit: { record() {} }, origin: {} };
    };
    const vitalsApp = () => as([VITALS, 'user/Patient.rs', 'user/DiagnosticReport.rs']);
    const obs = (category: string, subject: string, code: string, extra: object = {}) => ({
      resourceType: 'Observation',
      status: 'final',
      category: [{ coding: [{ system: CATEGORY, code: category }] }],
      code: { coding: [{ system: 'http://loinc.org', code }] },
      subject: { reference: subject },
      ...extra,
    });
    /** What the system sees, to tell a refused write from one that happened. */
    const stored = async (path: string) => (await call({ ...vitalsApp(), principal: { kind: 'system', id: 'test', tenant: t.practiceId, scopes: ['system/*.*'] } }, 'GET', path)).body;

    beforeAll(async () => {
      t = await startTestApp({ kind });
      const create = namedCreator(() => t, ids);
      await create('doc', { resourceType: 'Practitioner', name: [{ family: 'Doc' }] });
      await create('a', { resourceType: 'Patient', name: [{ family: 'Alpha' }], generalPractitioner: [{ reference: ids.doc }] });
      await create('b', { resourceType: 'Patient', name: [{ family: 'Beta' }] });
      await create('vitalA', obs('vital-signs', ids.a, '8480-6', { performer: [{ reference: ids.doc }] }));
      await create('vitalB', obs('vital-signs', ids.b, '8462-4'));
      await create('labA', obs('laboratory', ids.a, '2345-7', { performer: [{ reference: ids.doc }] }));
      await create('socialA', obs('social-history', ids.a, '72166-2'));
      await create('report', { resourceType: 'DiagnosticReport', status: 'final', code: { text: 'panel' }, subject: { reference: ids.a }, result: [{ reference: ids.vitalA }, { reference: ids.labA }] });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('searches find only the Observations the scope query matches: by any criterion, by id, in a compartment, across types, counted and paged', async () => {
      const app = vitalsApp();
      const vitals = [ids.vitalA, ids.vitalB].sort();
      expect(found((await call(app, 'GET', 'Observation')).body)).toEqual(vitals);
      expect(found((await call(app, 'GET', 'Observation?category=laboratory')).body)).toEqual([]);
      expect(found((await call(app, 'GET', `Observation?code=http://loinc.org|2345-7`)).body)).toEqual([]);
      expect(found((await call(app, 'GET', `Observation?_id=${ids.labA.split('/')[1]},${ids.vitalA.split('/')[1]}`)).body)).toEqual([ids.vitalA]);
      expect(found((await call(app, 'GET', `${ids.a}/Observation`)).body)).toEqual([ids.vitalA]);
      expect(found((await call(app, 'GET', `${ids.a}/*`)).body)).toEqual([ids.a, ids.report, ids.vitalA].sort());
      // Across types: the query bounds Observations only; Patients stay whole.
      expect(found((await call(app, 'GET', '?_type=Observation,Patient')).body)).toEqual([ids.a, ids.b, ...vitals].sort());
      expect((await call(app, 'GET', 'Observation?_summary=count')).body!.total).toBe(2);
      const page = await call(app, 'GET', 'Observation?_count=1&_total=accurate');
      expect(page.body!.total).toBe(2);
      expect(found(page.body)).toHaveLength(1);
      // The same searches see everything without the query (the fixtures are there).
      const whole = as(['user/Observation.rs', 'user/Patient.rs']);
      expect(found((await call(whole, 'GET', 'Observation')).body)).toHaveLength(4);
      expect((await call(whole, 'GET', 'Observation?_summary=count')).body!.total).toBe(4);
    });

    it('includes leave out Observations outside the scope', async () => {
      const app = vitalsApp();
      const report = await call(app, 'GET', `DiagnosticReport?_id=${ids.report.split('/')[1]}&_include=DiagnosticReport:result`);
      expect(found(report.body, 'include')).toEqual([ids.vitalA]);
      const patient = await call(app, 'GET', `Patient?_id=${ids.a.split('/')[1]}&_revinclude=Observation:subject`);
      expect(found(patient.body, 'include')).toEqual([ids.vitalA]);
      const wildcard = await call(app, 'GET', `Patient?_id=${ids.a.split('/')[1]}&_revinclude=*`);
      expect(found(wildcard.body, 'include')).toEqual([ids.report, ids.vitalA].sort());
      const doc = await call(as([VITALS, 'user/Practitioner.rs']), 'GET', `Practitioner?_id=${ids.doc.split('/')[1]}&_revinclude=Observation:performer`);
      expect(found(doc.body, 'include')).toEqual([ids.vitalA]);
    });

    it('chained and _has predicates cannot tell whether an Observation outside the scope matches', async () => {
      const app = vitalsApp();
      const system = await stored(`DiagnosticReport?result.code=http://loinc.org|2345-7`);
      expect(found(system as Bundle)).toEqual([ids.report]);
      expect(found((await call(app, 'GET', 'DiagnosticReport?result.code=http://loinc.org|2345-7')).body)).toEqual([]);
      expect(found((await call(app, 'GET', 'DiagnosticReport?result:Observation.category=laboratory')).body)).toEqual([]);
      expect(found((await call(app, 'GET', 'DiagnosticReport?result.code=http://loinc.org|8480-6')).body)).toEqual([ids.report]);
      expect(found((await stored('Patient?_has:Observation:subject:category=laboratory')) as Bundle)).toEqual([ids.a]);
      expect(found((await call(app, 'GET', 'Patient?_has:Observation:subject:category=laboratory')).body)).toEqual([]);
      expect(found((await call(app, 'GET', 'Patient?_has:Observation:subject:category=vital-signs')).body)).toEqual([ids.a, ids.b].sort());
      expect((await call(app, 'GET', 'Patient?_has:Observation:subject:code=http://loinc.org|2345-7&_summary=count')).body!.total).toBe(0);
    });

    it('a read, vread or history of an Observation outside the scope answers 404, as if absent', async () => {
      const app = vitalsApp();
      expect((await call(app, 'GET', ids.vitalA)).status).toBe(200);
      expect((await call(app, 'GET', `${ids.vitalA}/_history/1`)).status).toBe(200);
      for (const path of [ids.labA, `${ids.labA}/_history/1`, `${ids.labA}/_history`, ids.socialA]) {
        expect((await call(app, 'GET', path)).status, path).toBe('not-found');
      }
      // Unknown ids still answer 404; the scope query adds no other answer.
      expect((await call(app, 'GET', 'Observation/no-such-id')).status).toBe('not-found');
    });

    it('writes: created, updated and patched Observations must match the scope query (else 403, rolled back); those outside cannot be addressed', async () => {
      const app = vitalsApp();
      const lab = obs('laboratory', ids.a, '2345-7');
      const vital = obs('vital-signs', ids.a, '8867-4');
      const before = (await stored('Observation?_summary=count')) as Bundle;
      expect((await call(app, 'POST', 'Observation', lab)).status).toBe('forbidden');
      expect(((await stored('Observation?_summary=count')) as Bundle).total).toBe(before.total);
      const created = await call(app, 'POST', 'Observation', vital);
      expect(created.status).toBe(201);
      const mine = `Observation/${created.body!.id}`;

      // Turning a vital sign into a lab result would move it outside the scope: refused, unchanged.
      expect((await call(app, 'PUT', mine, { ...lab, id: created.body!.id })).status).toBe('forbidden');
      const patch = [{ op: 'replace', path: '/category/0/coding/0/code', value: 'laboratory' }];
      expect((await call(app, 'PATCH', mine, patch, { contentType: 'application/json-patch+json' })).status).toBe('forbidden');
      expect(((await stored(mine)) as Resource).meta?.versionId).toBe('1');
      expect((await call(app, 'PUT', mine, { ...vital, id: created.body!.id, status: 'amended' })).status).toBe(200);

      // The lab result cannot be changed, deleted, or overwritten with a vital sign: for this app it
      // does not exist, so each answer is the one for an id never used — and update-as-create is not
      // offered where resources can be absent (405 for the unused id and for the lab result alike).
      expect((await call(app, 'PUT', ids.labA, { ...vital, id: ids.labA.split('/')[1] })).status).toBe('not-allowed');
      expect((await call(app, 'PATCH', ids.labA, patch, { contentType: 'application/json-patch+json' })).status).toBe('not-found');
      expect((await call(app, 'DELETE', ids.labA)).status).toBe(204);
      expect(((await stored(ids.labA)) as Resource).meta?.versionId).toBe('1');
      expect((await call(app, 'PUT', 'Observation/granular-new-lab', { ...lab, id: 'granular-new-lab' })).status).toBe('not-allowed');
      expect((await call(app, 'PUT', 'Observation/granular-new-vital', { ...vital, id: 'granular-new-vital' })).status).toBe('not-allowed');
      expect((await call(app, 'DELETE', 'Observation/granular-new-vital')).status).toBe(204);
      expect((await call(app, 'GET', 'Observation/granular-new-vital')).status).toBe('not-found');
      expect((await call(app, 'DELETE', mine)).status).toBe(204);
      expect((await call(app, 'DELETE', 'Observation/granular-new-vital')).status).toBe(204);
    });

    it('conditional writes and If-None-Exist are refused: their criteria would search beyond the scope', async () => {
      const app = vitalsApp();
      const vital = obs('vital-signs', ids.a, '8867-4');
      expect((await call(app, 'POST', 'Observation', vital, { ifNoneExist: 'code=http://loinc.org|2345-7' })).status).toBe('forbidden');
      expect((await call(app, 'PUT', 'Observation?code=http://loinc.org|2345-7', vital)).status).toBe('forbidden');
      expect((await call(app, 'DELETE', 'Observation?code=http://loinc.org|2345-7')).status).toBe('forbidden');
      expect((await stored(ids.labA)) as Resource).toBeDefined();
    });

    it('Bundle entries are held to the scope like the requests they carry; a transaction with one outside fails whole', async () => {
      const app = vitalsApp();
      const batch = {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          { request: { method: 'GET', url: ids.labA } },
          { request: { method: 'GET', url: ids.vitalA } },
          { request: { method: 'GET', url: 'Observation?category=laboratory' } },
          { request: { method: 'POST', url: 'Observation' }, resource: obs('laboratory', ids.a, '2345-7') },
        ],
      };
      const res = await call(app, 'POST', '', batch);
      expect(res.body!.entry!.map((e) => e.response!.status)).toEqual(['404 Not Found', '200 OK', '200 OK', '403 Forbidden']);
      expect(found(res.body!.entry![2].resource as Bundle)).toEqual([]);

      const before = ((await stored('Observation?_summary=count')) as Bundle).total;
      const tx = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { fullUrl: 'urn:uuid:0b8f0d8e-0000-4000-8000-000000000001', request: { method: 'POST', url: 'Observation' }, resource: obs('vital-signs', ids.a, '8867-4') },
          { fullUrl: 'urn:uuid:0b8f0d8e-0000-4000-8000-000000000002', request: { method: 'POST', url: 'Observation' }, resource: obs('laboratory', ids.a, '2345-7') },
        ],
      };
      expect((await call(app, 'POST', '', tx)).status).toBe('forbidden');
      expect(((await stored('Observation?_summary=count')) as Bundle).total).toBe(before);
      // A conditional reference would find the lab result (or say it found none): refused before it is searched.
      const probe = { ...obs('vital-signs', ids.a, '8867-4'), hasMember: [{ reference: 'Observation?code=http://loinc.org|2345-7' }] };
      const referring = { resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'POST', url: 'Observation' }, resource: probe }] };
      expect((await call(app, 'POST', '', referring)).status).toBe('forbidden');
      expect(((await stored('Observation?_summary=count')) as Bundle).total).toBe(before);
    });

    it('two scopes of one type are a union; a scope without a query opens the whole type', async () => {
      const both = as([VITALS, LABS]);
      expect(found((await call(both, 'GET', 'Observation')).body)).toEqual([ids.vitalA, ids.vitalB, ids.labA].sort());
      expect((await call(both, 'GET', ids.labA)).status).toBe(200);
      expect((await call(both, 'GET', ids.socialA)).status).toBe('not-found');
      expect((await call(both, 'GET', 'Observation?_summary=count')).body!.total).toBe(3);
      // Only the vital-signs scope allows writing: a lab result may be read, not created.
      expect((await call(both, 'POST', 'Observation', obs('laboratory', ids.a, '2345-7'))).status).toBe('forbidden');
      const whole = as([VITALS, 'user/Observation.rs']);
      expect(found((await call(whole, 'GET', 'Observation')).body)).toHaveLength(4);
      expect((await call(whole, 'GET', ids.socialA)).status).toBe(200);
    });

    it('an interaction the query-limited scope alone allows is refused on resources outside it that the app may read (403, nothing hidden)', async () => {
      const app = as(['user/Observation.rs', `user/Observation.u?category=${CATEGORY}|vital-signs`]);
      expect((await call(app, 'GET', ids.labA)).status).toBe(200);
      expect((await call(app, 'PUT', ids.labA, { ...obs('vital-signs', ids.a, '2345-7'), id: ids.labA.split('/')[1] })).status).toBe('forbidden');
    });

    it('a scope with a query never widens a role: a role without the type still denies', async () => {
      const frontDesk = as([VITALS, 'user/Patient.rs'], 'front-desk');
      expect((await call(frontDesk, 'GET', ids.vitalA)).status).toBe('forbidden');
      expect((await call(frontDesk, 'GET', 'Observation')).status).toBe('forbidden');
      expect((await call(frontDesk, 'GET', `Patient?_has:Observation:subject:category=vital-signs`)).status).toBe('forbidden');
      expect((await call(frontDesk, 'POST', 'Observation', obs('vital-signs', ids.a, '8867-4'))).status).toBe('forbidden');
      // A query the server cannot enforce grants nothing at all.
      expect((await call(as(['user/Observation.rs?nonsense=1']), 'GET', 'Observation')).status).toBe('forbidden');
    });

    it('patient-bound access: patient/ granular scopes bound the patient’s own record; other patients stay absent', async () => {
      const patient = as([`patient/Observation.rs?category=${CATEGORY}|vital-signs`, 'patient/Patient.rs'], 'patient', [ids.a.split('/')[1]]);
      expect(found((await call(patient, 'GET', 'Observation')).body)).toEqual([ids.vitalA]);
      expect((await call(patient, 'GET', ids.labA)).status).toBe('not-found');
      expect((await call(patient, 'GET', ids.vitalB)).status).toBe('not-found');
      expect(found((await call(patient, 'GET', `Patient?_id=${ids.a.split('/')[1]}&_revinclude=Observation:subject`)).body, 'include')).toEqual([ids.vitalA]);
    });

    it('staff with only a granular Observation scope can search it: the access rules’ own predicates need no extra scope', async () => {
      const only = as([VITALS]);
      expect(found((await call(only, 'GET', 'Observation')).body)).toEqual([ids.vitalA, ids.vitalB].sort());
      // The caller's own chains still need the types they reach.
      expect((await call(only, 'GET', 'Observation?subject:Patient.family=Alpha')).status).toBe('forbidden');
    });

    it('a backend service registered for a granular system scope gets it in its token and is held to it', async () => {
      const token = await t.tokenFor(`system/Observation.rs?category=${CATEGORY}|laboratory`);
      const res = await t.fhir('GET', 'Observation', { token });
      expect(res.status, res.text).toBe(200);
      expect(found(res.body)).toEqual([ids.labA]);
      expect((await t.fhir('GET', ids.vitalA, { token })).status).toBe(404);
      expect((await t.fhir('GET', ids.labA, { token })).status).toBe(200);
    });

    it('an app: registered for a granular scope, consented to, in the token, enforced; an unenforceable query is refused at registration and at /authorize', async () => {
      const scopes = `openid fhirUser user/Patient.rs user/Observation.rs?category=${CATEGORY}|vital-signs`;
      await expect(registerApp(t.store, { practiceId: t.practiceId, name: 'Bad', redirectUris: [REDIRECT], public: true, scopes: 'user/Observation.rs?nonsense=1' })).rejects.toThrow(/Unknown search parameter "nonsense"/);
      const app = await registerApp(t.store, { practiceId: t.practiceId, name: 'Vitals', redirectUris: [REDIRECT], public: false, scopes });
      await createUser(t.store, { practiceId: t.practiceId, role: 'nurse', email: 'nurse@example.org', password: PASSWORD, fhirUser: ids.doc });
      const http = injectHttp(t.app);
      const { verifier, challenge } = pkce();

      const refused = await http('GET', authorizeUrl(ORIGIN, { clientId: app.clientId, redirectUri: REDIRECT, scope: 'openid user/Observation.rs?category:nope=x', aud: BASE, challenge, method: 'S256', state: 's1' }));
      expect(refused.status).toBe(303);
      const location = new URL(refused.headers.location);
      expect(location.searchParams.get('error')).toBe('invalid_scope');
      expect(location.searchParams.get('error_description')).toMatch(/modifier/);

      const url = authorizeUrl(ORIGIN, { clientId: app.clientId, redirectUri: REDIRECT, scope: scopes, aud: BASE, challenge, method: 'S256', state: 's2' });
      const { redirect, consentPage } = await signInAndConsent(http, ORIGIN, url, { email: 'nurse@example.org', password: PASSWORD });
      expect(consentPage).toContain(`Read and search Observation records matching category=${CATEGORY}|vital-signs you have access to`);
      const basic = `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`;
      const form = new URLSearchParams({ grant_type: 'authorization_code', code: redirect.searchParams.get('code')!, code_verifier: verifier, redirect_uri: REDIRECT });
      const exchanged = await http('POST', `${ORIGIN}/oauth2/token`, { headers: { authorization: basic }, form });
      expect(exchanged.status, exchanged.text).toBe(200);
      const body = JSON.parse(exchanged.text) as { access_token: string; scope: string };
      expect(body.scope.split(' ')).toContain(`user/Observation.rs?category=${CATEGORY}|vital-signs`);
      const search = await t.fhir('GET', 'Observation', { token: body.access_token });
      expect(search.status, search.text).toBe(200);
      expect(found(search.body)).toEqual([ids.vitalA, ids.vitalB].sort());
      expect((await t.fhir('GET', ids.labA, { token: body.access_token })).status).toBe(404);
    });
  });
}
