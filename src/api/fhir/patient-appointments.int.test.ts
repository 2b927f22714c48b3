/**
 * Patients booking from the portal, black-box over `inject()` on SQLite and PostgreSQL with people
 * signed in through an app: the practice's `patient-self-scheduling` setting is enforced by the
 * server (off → 403; approval → `proposed` only; no approval → `booked`), a patient writes only
 * their own appointments and only what a request needs, cancels only upcoming ones, and
 * `Appointment/$find` offers free times within the practice's hours without saying whose the
 * taken times are. docs/scheduling.md "Patients booking".
 */
import type { Appointment, Bundle, Extension, Organization } from '@medplum/fhirtypes';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registerApp } from '../../domain/clients/register-app.ts';
import { manualClock } from '../../domain/clock.ts';
import { newPracticeOrganization, practiceOrganizationQuery } from '../../domain/practice-settings/practice-organization.ts';
import { SETTING_URLS } from '../../domain/practice-settings/practice-settings.ts';
import { WORKING_HOURS_URL } from '../../domain/scheduling/working-hours.ts';
import { createUser } from '../../domain/users/create-user.ts';
import { authorizeUrl, injectHttp, pkce, signInAndConsent, type Http } from '../auth/test-flow.ts';
import { BASE, ORIGIN, startTestApp, type TestApp } from '../test-app.ts';

const PASSWORD = 'Velvet-Harbour-Lantern-42';
const REDIRECT = 'https://app.example.org/callback';
// Monday 2031-01-06; the clock stands on the Friday before.
const NOW = Date.parse('2031-01-03T12:00:00Z');
const MONDAY = '2031-01-06';
const USERS = ['patient', 'other', 'limited', 'frontdesk'] as const;
type Who = (typeof USERS)[number];

describe.each(['sqlite', 'postgres'] as const)('patients booking appointments (%s)', (kind) => {
  let t: TestApp;
  let http: Http;
  let app: { clientId: string; clientSecret: string };
  const clock = manualClock(NOW);
  const tokens = {} as Record<Who, string>;
  const ids = {} as Record<'patient' | 'other' | 'teen', string>;
  let orgId: string;
  const DR = 'Practitioner/appt-dr';
  const NO_SCHEDULE = 'Practitioner/appt-nobody';
  const TYPE = 'appt-follow-up';

  const signIn = async (email: string) => {
    const { verifier, challenge } = pkce();
    const url = authorizeUrl(ORIGIN, { clientId: app.clientId, redirectUri: REDIRECT, scope: 'openid online_access user/*.cruds', aud: BASE, challenge, method: 'S256', state: 's' });
    const { redirect } = await signInAndConsent(http, ORIGIN, url, { email, password: PASSWORD });
    const res = await http('POST', `${ORIGIN}/oauth2/token`, {
      headers: { authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}` },
      form: new URLSearchParams({ grant_type: 'authorization_code', code: redirect.searchParams.get('code')!, code_verifier: verifier, redirect_uri: REDIRECT }),
    });
    const answer = JSON.parse(res.text) as { access_token?: string };
    expect(answer.access_token, res.text).toBeDefined();
    return answer.access_token!;
  };

  /** Sets the practice's self-scheduling flags (and UTC hours 09:00–12:00, Monday to Friday). */
  const setScheduling = async (flags: { book: boolean; cancel: boolean; reschedule: boolean; needsApproval: boolean }) => {
    const org = (await t.fhir('GET', `Organization/${orgId}`)).body as Organization;
    const scheduling: Extension = { url: SETTING_URLS.selfScheduling, extension: Object.entries(flags).map(([url, valueBoolean]) => ({ url, valueBoolean })) };
    const hours: Extension = {
      url: WORKING_HOURS_URL,
      extension: [{ url: 'timeZone', valueCode: 'UTC' }, { url: 'opens', valueTime: '09:00:00' }, { url: 'closes', valueTime: '12:00:00' }, ...['mon', 'tue', 'wed', 'thu', 'fri'].map((valueCode) => ({ url: 'day', valueCode }))],
    };
    const extension = [...(org.extension ?? []).filter((e) => e.url !== SETTING_URLS.selfScheduling && e.url !== WORKING_HOURS_URL), scheduling, hours];
    const res = await t.fhir('PUT', `Organization/${orgId}`, { body: { ...org, extension } });
    expect(res.status, res.text).toBe(200);
  };

  const request = (patient: string, start: string, end: string, extra: Partial<Appointment> = {}): Appointment => ({
    resourceType: 'Appointment',
    status: 'proposed',
    start,
    end,
    minutesDuration: 20,
    appointmentType: { coding: [{ system: 'urn:heron:visit-type', code: 'follow-up' }], text: 'Follow-up' },
    description: 'Knee still hurts',
    participant: [
      { actor: { reference: `Patient/${patient}` }, status: 'accepted' },
      { actor: { reference: DR, display: 'Dr. Ada Appt' }, status: 'needs-action' },
    ],
    ...extra,
  });
  const post = (who: Who, body: Appointment) => t.fhir('POST', 'Appointment', { token: tokens[who], body });
  const put = (who: Who, body: Appointment) => t.fhir('PUT', `Appointment/${body.id}`, { token: tokens[who], body });
  const at = (hhmm: string, day = MONDAY) => `${day}T${hhmm}:00Z`;
  const expectRefused = (res: { status: number; text: string; body: { resourceType?: string; issue?: Array<{ diagnostics?: string }> } }, status: number, text: string) => {
    expect(res.status, res.text).toBe(status);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(res.body.issue?.[0]?.diagnostics).toContain(text);
  };

  beforeAll(async () => {
    t = await startTestApp({ kind, deps: { clock: clock.now } });
    http = injectHttp(t.app);
    const created = await t.fhir('POST', 'Organization', { body: newPracticeOrganization({ id: t.practiceId, name: 'Riverside Family Practice' }), headers: { 'if-none-exist': practiceOrganizationQuery(t.practiceId).toString() } });
    expect(created.status, created.text).toBe(201);
    orgId = created.body.id;
    for (const [key, family] of [['patient', 'Booker'], ['other', 'Secret'], ['teen', 'Young']] as const) {
      ids[key] = (await t.fhir('POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family, given: ['Pat'] }] } })).body.id;
    }
    for (const id of ['appt-dr', 'appt-nobody']) expect((await t.fhir('PUT', `Practitioner/${id}`, { body: { resourceType: 'Practitioner', id, name: [{ family: 'Appt', given: ['Ada'] }] } })).status).toBe(201);
    expect((await t.fhir('PUT', 'Schedule/appt-dr', { body: { resourceType: 'Schedule', id: 'appt-dr', active: true, actor: [{ reference: DR, display: 'Dr. Ada Appt' }] } })).status).toBe(201);
    const type = { resourceType: 'ActivityDefinition', id: TYPE, status: 'active', kind: 'Appointment', title: 'Follow-up', code: { coding: [{ system: 'urn:heron:visit-type', code: 'follow-up' }] }, timingDuration: { value: 20, unit: 'min', system: 'http://unitsofmeasure.org', code: 'min' }, topic: [{ coding: [{ system: 'urn:heron:catalogue', code: 'visit-type' }] }] };
    expect((await t.fhir('PUT', `ActivityDefinition/${TYPE}`, { body: type })).status).toBe(201);
    const registered = await registerApp(t.store, { practiceId: t.practiceId, name: 'Heron', redirectUris: [REDIRECT], public: false, scopes: 'openid online_access user/*.cruds' });
    app = { clientId: registered.clientId, clientSecret: registered.clientSecret! };
    await createUser(t.store, { practiceId: t.practiceId, role: 'patient', email: 'patient@example.org', password: PASSWORD, patients: [ids.patient] });
    await createUser(t.store, { practiceId: t.practiceId, role: 'patient', email: 'other@example.org', password: PASSWORD, patients: [ids.other] });
    await createUser(t.store, { practiceId: t.practiceId, role: 'proxy', email: 'limited@example.org', password: PASSWORD, fhirUser: 'RelatedPerson/parent', limitedPatients: [ids.teen] });
    await createUser(t.store, { practiceId: t.practiceId, role: 'front-desk', email: 'frontdesk@example.org', password: PASSWORD });
    for (const who of USERS) tokens[who] = await signIn(`${who}@example.org`);
  }, 120_000);
  afterAll(async () => t?.close());
  beforeEach(async () => {
    await setScheduling({ book: true, cancel: true, reschedule: true, needsApproval: true });
  });

  it('refuses a patient booking with 403 and says to phone when self-scheduling is off; staff still book', async () => {
    await setScheduling({ book: false, cancel: false, reschedule: false, needsApproval: true });
    expectRefused(await post('patient', request(ids.patient, at('09:00'), at('09:20'))), 403, 'does not take appointment requests online');
    const staff = await t.fhir('POST', 'Appointment', { token: tokens.frontdesk, body: request(ids.patient, at('09:00'), at('09:20'), { status: 'booked' }) });
    expect(staff.status, staff.text).toBe(201);
    // Cancelling and moving are refused too, with their own words.
    expectRefused(await put('patient', { ...staff.body, status: 'cancelled', cancelationReason: { text: 'Away' } }), 403, 'does not take cancellations online');
    expectRefused(await put('patient', { ...staff.body, start: at('10:00'), end: at('10:20') }), 403, 'does not take changes to appointments online');
  });

  it('with approval needed, a request must be proposed; staff book it; without approval the patient books', async () => {
    expectRefused(await post('patient', request(ids.patient, at('09:30'), at('09:50'), { status: 'booked' })), 422, 'a request is proposed');
    const asked = await post('patient', request(ids.patient, at('09:30'), at('09:50')));
    expect(asked.status, asked.text).toBe(201);
    expect(asked.body.status).toBe('proposed');
    // The practice confirms it.
    const booked = await t.fhir('PUT', `Appointment/${asked.body.id}`, { token: tokens.frontdesk, body: { ...asked.body, status: 'booked' } });
    expect(booked.status, booked.text).toBe(200);

    await setScheduling({ book: true, cancel: true, reschedule: true, needsApproval: false });
    const direct = await post('patient', request(ids.patient, at('10:30'), at('10:50'), { status: 'booked' }));
    expect(direct.status, direct.text).toBe(201);
    // The double-booking rule still applies, without naming whose the time is.
    const clash = await post('other', request(ids.other, at('10:40'), at('11:00'), { status: 'booked' }));
    expect(clash.status, clash.text).toBe(409);
    expect(clash.text).not.toContain('Booker');
    // Other statuses are not a patient's to choose.
    expectRefused(await post('patient', request(ids.patient, at('11:00'), at('11:20'), { status: 'arrived' })), 422, 'booked (or proposed)');
  });

  it("keeps a patient to their own appointments: another patient's is absent, and a request names only them", async () => {
    const mine = await post('patient', request(ids.patient, at('09:00', '2031-01-07'), at('09:20', '2031-01-07')));
    expect(mine.status, mine.text).toBe(201);
    // Another patient can neither read, move nor cancel it: it does not exist for them.
    expect((await t.fhir('GET', `Appointment/${mine.body.id}`, { token: tokens.other })).status).toBe(404);
    const moved = await put('other', { ...mine.body, start: at('10:00', '2031-01-07'), end: at('10:20', '2031-01-07') });
    expect([403, 404]).toContain(moved.status);
    expect((await put('other', { ...mine.body, status: 'cancelled', cancelationReason: { text: 'Not mine' } })).status).toBeGreaterThanOrEqual(403);
    expect(((await t.fhir('GET', `Appointment/${mine.body.id}`)).body as Appointment).status).toBe('proposed');
    // Booking for someone else, or with someone else along, is refused.
    expect((await post('other', request(ids.patient, at('11:00'), at('11:20')))).status).toBe(403);
    const twoPatients = request(ids.other, at('11:00'), at('11:20'));
    twoPatients.participant!.push({ actor: { reference: `Patient/${ids.patient}` }, status: 'accepted' });
    expectRefused(await post('other', twoPatients), 422, 'only them');
    // Only a clinician who takes appointments; only what a request says; only in the future and within hours.
    const noSchedule = request(ids.other, at('11:00'), at('11:20'));
    noSchedule.participant![1] = { actor: { reference: NO_SCHEDULE }, status: 'needs-action' };
    expectRefused(await post('other', noSchedule), 422, 'does not take appointments');
    expectRefused(await post('other', request(ids.other, at('11:00'), at('11:20'), { priority: 1 })), 422, 'priority is set by the practice');
    expectRefused(await post('other', request(ids.other, at('09:00', '2031-01-02'), at('09:20', '2031-01-02'))), 422, 'in the future');
    expectRefused(await post('other', request(ids.other, at('12:00'), at('12:20'))), 422, "outside the practice's hours");
    expectRefused(await post('other', request(ids.other, at('09:00', '2031-01-11'), at('09:20', '2031-01-11'))), 422, "outside the practice's hours");
    // Appointments are cancelled, not deleted.
    expect((await t.fhir('DELETE', `Appointment/${mine.body.id}`, { token: tokens.patient })).status).toBe(403);
  });

  it('cancels only upcoming appointments, with a reason and nothing else changed; reschedules needing approval again', async () => {
    const asked = await post('patient', request(ids.patient, at('09:00', '2031-01-08'), at('09:20', '2031-01-08')));
    const booked = (await t.fhir('PUT', `Appointment/${asked.body.id}`, { token: tokens.frontdesk, body: { ...asked.body, status: 'booked' } })).body as Appointment;
    // Moving it: proposed again (the practice approves), within hours, same visit type.
    expectRefused(await put('patient', { ...booked, start: at('10:00', '2031-01-08'), end: at('10:20', '2031-01-08') }), 422, 'a request is proposed');
    expectRefused(await put('patient', { ...booked, status: 'proposed', appointmentType: { text: 'Procedure' }, start: at('10:00', '2031-01-08'), end: at('10:20', '2031-01-08') }), 422, 'keeps its visit type');
    const moved = await put('patient', { ...booked, status: 'proposed', start: at('10:00', '2031-01-08'), end: at('10:20', '2031-01-08') });
    expect(moved.status, moved.text).toBe(200);
    // Cancelling: a reason, and only the status and reason change.
    expectRefused(await put('patient', { ...moved.body, status: 'cancelled' }), 422, 'Say why');
    expectRefused(await put('patient', { ...moved.body, status: 'cancelled', cancelationReason: { text: 'Better' }, description: 'changed' }), 422, 'only the status and the reason');
    // The same content in another key order is unchanged.
    const reordered = Object.fromEntries(Object.entries({ ...moved.body, status: 'cancelled', cancelationReason: { text: 'Feeling better' } }).reverse()) as unknown as Appointment;
    const cancelled = await put('patient', reordered);
    expect(cancelled.status, cancelled.text).toBe(200);
    // A past appointment stays as it was.
    const past = await t.fhir('POST', 'Appointment', { token: tokens.frontdesk, body: request(ids.patient, at('09:00', '2031-01-02'), at('09:20', '2031-01-02'), { status: 'fulfilled' }) });
    expect(past.status, past.text).toBe(201);
    expectRefused(await put('patient', { ...past.body, status: 'cancelled', cancelationReason: { text: 'Too late' } }), 422, 'Only an upcoming appointment');
  });

  it('lets a limited proxy request for the adolescent they act for, as scheduling is open to them', async () => {
    const asked = await post('limited', request(ids.teen, at('11:00', '2031-01-09'), at('11:20', '2031-01-09')));
    expect(asked.status, asked.text).toBe(201);
    expect((await post('limited', request(ids.patient, at('11:00', '2031-01-10'), at('11:20', '2031-01-10')))).status).toBe(403);
  });

  it('lets patients and proxies read what booking needs: visit types and clinicians (schedules through $find)', async () => {
    for (const who of ['patient', 'limited'] as const) {
      // Schedule is in FHIR's Patient compartment (its actor may be a patient): a patient's search matches only their own.
      const schedules = await t.fhir('GET', 'Schedule?active=true', { token: tokens[who] });
      expect(schedules.status, schedules.text).toBe(200);
      expect(schedules.body.entry ?? []).toEqual([]);
      expect((await t.fhir('GET', `Appointment/$find?visit-type=${TYPE}&start=2031-01-14`, { token: tokens[who] })).body.entry[0].resource.participant[0].actor.reference).toBe(DR);
      const types = await t.fhir('GET', 'ActivityDefinition?topic=urn:heron:catalogue|visit-type&status=active', { token: tokens[who] });
      expect(types.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toContain(TYPE);
      expect((await t.fhir('GET', DR, { token: tokens[who] })).status).toBe(200);
      // …but not change the practice's schedules.
      expect((await t.fhir('PUT', 'Schedule/appt-dr', { token: tokens[who], body: { resourceType: 'Schedule', id: 'appt-dr', active: false, actor: [{ reference: DR }] } })).status).toBe(403);
    }
  });

  it('offers free times within hours minus every booking, naming no patient', async () => {
    const day = '2031-01-13';
    await t.fhir('POST', 'Appointment', { token: tokens.frontdesk, body: request(ids.other, at('09:20', day), at('10:00', day), { status: 'booked', participant: [{ actor: { reference: `Patient/${ids.other}`, display: 'Secret, Pat' }, status: 'accepted' }, { actor: { reference: DR, display: 'Dr. Ada Appt' }, status: 'accepted' }] }) });
    const found = await t.fhir('GET', `Appointment/$find?visit-type=${TYPE}&start=${day}&end=${day}`, { token: tokens.patient });
    expect(found.status, found.text).toBe(200);
    const bundle = found.body as Bundle<Appointment>;
    const starts = (bundle.entry ?? []).map((e) => e.resource!.start!.slice(11, 16));
    expect(starts).toEqual(['09:00', '10:00', '10:15', '10:30', '10:45', '11:00', '11:15', '11:30']);
    expect(found.text).not.toContain('Secret');
    expect(found.text).not.toContain(ids.other);
    const first = bundle.entry![0]!.resource!;
    expect(first).toMatchObject({ status: 'proposed', minutesDuration: 20, participant: [{ actor: { reference: DR, display: 'Dr. Ada Appt' } }] });
    expect(first.id).toBeUndefined();
    // What is offered is accepted.
    const taken = await post('patient', request(ids.patient, first.start!, first.end!));
    expect(taken.status, taken.text).toBe(201);
    const again = await t.fhir('GET', `Appointment/$find?visit-type=${TYPE}&start=${day}&practitioner=${DR}`, { token: tokens.patient });
    expect(again.body.entry.map((e: { resource: Appointment }) => e.resource.start!.slice(11, 16))[0]).toBe('10:00');
    // A clinician without a Schedule, an unknown type, a long range and stray parameters are refused.
    expect((await t.fhir('GET', `Appointment/$find?visit-type=${TYPE}&start=${day}&practitioner=${NO_SCHEDULE}`, { token: tokens.patient })).status).toBe(400);
    expect((await t.fhir('GET', `Appointment/$find?visit-type=nope&start=${day}`, { token: tokens.patient })).status).toBe(400);
    expect((await t.fhir('GET', `Appointment/$find?visit-type=${TYPE}&start=2031-01-01&end=2031-03-01`, { token: tokens.patient })).status).toBe(400);
    expect((await t.fhir('GET', `Appointment/$find?visit-type=${TYPE}&start=${day}&patient=${ids.other}`, { token: tokens.patient })).status).toBe(400);
    // Staff see the same times; the past is never offered.
    expect((await t.fhir('GET', `Appointment/$find?visit-type=${TYPE}&start=2031-01-02`, { token: tokens.frontdesk })).body.total).toBe(0);
  });
});
