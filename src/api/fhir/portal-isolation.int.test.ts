/**
 * Portal isolation (issue #13), on both stores, over HTTP with real tokens (signed in through
 * OAuth as the portal does): every API call the portal's screens make, aimed at patient A's
 * record with patient B's token — by id in the path, by search parameter, by `_include` /
 * `_revinclude`, by reference in a written resource, by `X-Security-Context`, inside a batch —
 * is refused (403/404) or answers none of A's data: no id of A's resources, A's name or the
 * marker text every A resource carries appears anywhere in the response. The same calls with
 * A's own token (and a full proxy's) do find A's data, so the requests are shaped to reach it
 * and the absence is the access rules' doing; likewise the portal's writes that a patient may make
 * (an appointment request, move or cancellation, form answers with their Task) are accepted for
 * A's own record, so B's refusal is not the practice's settings. A limited proxy of A gets only
 * what limited access allows. The review Task of a sent form is absent to A and A's proxy. What `patient-access`, `proxy-access` and `absent-resources` tests already prove through
 * `dispatch` (every route, byte-identical absence) is not repeated here; revocations are in
 * `connected-apps`, `health-links` and `admin` tests (docs/access.md#portal-isolation).
 */
import type { Extension } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerApp } from '../../domain/clients/register-app.ts';
import { FORM_INPUT, FORM_OUTPUT, FORM_TASK_CODE, SDC_TEMP_SYSTEM } from '../../domain/portal/form-tasks.ts';
import { newPracticeOrganization, practiceOrganizationQuery } from '../../domain/practice-settings/practice-organization.ts';
import { SETTING_URLS } from '../../domain/practice-settings/practice-settings.ts';
import { INTAKE, INTAKE_URL } from '../../domain/questionnaires/intake-questionnaire.ts';
import { WORKING_HOURS_URL } from '../../domain/scheduling/working-hours.ts';
import { createUser } from '../../domain/users/create-user.ts';
import { authorizeUrl, injectHttp, pkce, signInAndConsent, type Http } from '../auth/test-flow.ts';
import { BASE, ORIGIN, startTestApp, type Reply, type TestApp } from '../test-app.ts';

const REDIRECT = 'https://portal.example/cb';
const PASSWORD = 'correct horse battery staple 42';
const SCOPES = 'openid fhirUser user/*.cruds';
const LAB = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }];
const VITALS = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }];
const REVIEW = 'urn:heron:inbox-task|review-result';
const CORRECTION = 'http://hl7.org/fhir/CodeSystem/task-code|change';
const FORMS = `${SDC_TEMP_SYSTEM}|${FORM_TASK_CODE}`;
const FORM_REVIEW = 'urn:heron:inbox-task|review-form';
/** The practice's one visit type (an ActivityDefinition, as the Appointments screen lists them). */
const VISIT_TYPE = 'portal-follow-up';
const VISIT_CODE = { coding: [{ system: 'urn:heron:visit-type', code: 'follow-up' }], text: 'Follow-up' };
const ACTIVE = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] };

/** One call a portal screen makes, for the record of `p` (a Patient id); `own` its resources' ids. */
interface PortalCall {
  what: string;
  method: 'GET' | 'POST' | 'PUT';
  path: (p: string, own: Record<string, string>) => string;
  body?: (p: string, own: Record<string, string>) => unknown;
  headers?: (p: string) => Record<string, string>;
  /** Whether the call, made for the caller's own record, returns that record's data (the positive control). */
  finds: boolean;
  /** A write the same person may make for their own record (its positive control: the refusal of another's is the isolation rules' doing). */
  ownAccepted?: boolean;
}

const CALLS: PortalCall[] = [
  // Frame, My health (portal-layout, my-health-screen, chart hooks)
  { what: 'Patient read', method: 'GET', path: (p) => `Patient/${p}`, finds: true },
  { what: 'lab results', method: 'GET', path: (p) => `Observation?patient=${p}&category=laboratory&_sort=-date&_count=50`, finds: true },
  // Absent to patients since results release is enforced by the server; still never another's.
  { what: 'review Tasks (results release)', method: 'GET', path: (p) => `Task?patient=${p}&code=${encodeURIComponent(REVIEW)}&_count=50`, finds: false },
  { what: 'latest vitals ($lastn)', method: 'GET', path: (p) => `Observation/$lastn?patient=${p}&category=vital-signs&max=3`, finds: true },
  { what: 'problems', method: 'GET', path: (p) => `Condition?patient=${p}&clinical-status=active`, finds: true },
  { what: 'medications with _include', method: 'GET', path: (p) => `MedicationRequest?patient=${p}&_include=MedicationRequest:medication`, finds: true },
  { what: 'allergies', method: 'GET', path: (p) => `AllergyIntolerance?patient=${p}`, finds: true },
  { what: 'immunizations', method: 'GET', path: (p) => `Immunization?patient=${p}`, finds: true },
  { what: 'visit notes', method: 'GET', path: (p) => `DocumentReference?patient=${p}&status=current&_sort=-date&_count=30`, finds: true },
  { what: "a document's file", method: 'GET', path: (_p, own) => `Binary/${own.file}`, finds: true },
  { what: 'diagnostic reports', method: 'GET', path: (p) => `DiagnosticReport?patient=${p}`, finds: true },
  { what: 'encounters', method: 'GET', path: (p) => `Encounter?patient=${p}`, finds: true },
  { what: 'appointments', method: 'GET', path: (p) => `Appointment?patient=${p}`, finds: true },
  { what: 'questionnaire answers', method: 'GET', path: (p) => `QuestionnaireResponse?subject=Patient/${p}`, finds: true },
  { what: 'a resource by id', method: 'GET', path: (_p, own) => `Condition/${own.condition}`, finds: true },
  { what: 'its history', method: 'GET', path: (_p, own) => `Observation/${own.lab}/_history`, finds: true },
  { what: 'compartment search', method: 'GET', path: (p) => `Patient/${p}/*`, finds: true },
  // Messages (use-portal-messages, message-form)
  { what: 'messages with senders', method: 'GET', path: (p) => `Communication?subject=Patient/${p}&_sort=-sent&_count=50&_include=Communication:sender`, finds: true },
  { what: "a message's attachment", method: 'GET', path: (_p, own) => `Binary/${own.attachment}`, finds: true },
  { what: 'live messages Subscription', method: 'GET', path: () => 'Subscription?criteria:exact=Communication&status=active&type=websocket&_count=20', finds: false },
  // Corrections (ask-correction, corrections-screen)
  { what: 'correction requests', method: 'GET', path: (p) => `Task?patient=${p}&code=${encodeURIComponent(CORRECTION)}&_sort=-authored-on&_count=100`, finds: true },
  { what: 'statements of disagreement', method: 'GET', path: (p) => `Communication?patient=${p}&category=${encodeURIComponent('urn:heron:correction#statement-of-disagreement')}&_count=100`, finds: false },
  // Share (record-files, health-links-query, share-screen)
  { what: '$summary', method: 'GET', path: (p) => `Patient/${p}/$summary`, finds: true },
  { what: '$everything', method: 'GET', path: (p) => `Patient/${p}/$everything?_count=200`, finds: true },
  { what: '$health-links', method: 'GET', path: (p) => `Patient/${p}/$health-links`, finds: true },
  { what: '$health-link-revoke', method: 'POST', path: (p) => `Patient/${p}/$health-link-revoke`, body: (_p, own) => ({ resourceType: 'Parameters', parameter: [{ name: 'id', valueString: own.link }] }), finds: false },
  // Privacy (privacy-screen)
  { what: 'disclosures (AuditEvent)', method: 'GET', path: (p) => `AuditEvent?patient=Patient/${p}&_sort=-date&_count=50`, finds: true },
  { what: '$connected-apps', method: 'GET', path: () => '$connected-apps', finds: false },
  // Appointments (appointments-screen: the list, visit types, free times)
  { what: 'appointments, newest first', method: 'GET', path: (p) => `Appointment?patient=Patient/${p}&_sort=-date&_count=200`, finds: true },
  { what: 'visit types', method: 'GET', path: () => `ActivityDefinition?topic=${encodeURIComponent('urn:heron:catalogue|visit-type')}&status=active&_count=100`, finds: false },
  { what: 'Appointment/$find (free times, the taken ones include the record’s)', method: 'GET', path: (_p, own) => `Appointment/$find?visit-type=${VISIT_TYPE}&start=2027-01-04&end=2027-01-10&practitioner=Practitioner/${own.gp}&_count=500`, finds: false },
  { what: 'Appointment/$find for any clinician', method: 'GET', path: () => `Appointment/$find?visit-type=${VISIT_TYPE}&start=2027-01-04&end=2027-01-10&_count=500`, finds: false },
  // Forms (forms-screen, form-fill-screen)
  { what: 'form Tasks', method: 'GET', path: (p) => `Task?patient=${p}&code=${encodeURIComponent(FORMS)}&_sort=-_lastUpdated&_count=100`, finds: true },
  { what: 'a form Task by id', method: 'GET', path: (_p, own) => `Task/${own.form}`, finds: true },
  { what: "the form's Questionnaire", method: 'GET', path: () => `Questionnaire?url=${encodeURIComponent(INTAKE_URL)}&_count=1&_sort=-_lastUpdated`, finds: false },
  { what: 'saved answers by id', method: 'GET', path: (_p, own) => `QuestionnaireResponse/${own.answers}`, finds: true },
  { what: "the form's sender", method: 'GET', path: (_p, own) => `Practitioner/${own.gp}`, finds: false },
  // Absent to patients: the sender's inbox item when a form is sent (docs/access.md#results-release); never another's either.
  { what: 'form review Tasks', method: 'GET', path: (p) => `Task?patient=${p}&code=${encodeURIComponent(FORM_REVIEW)}`, finds: false },
  { what: 'a form review Task by id', method: 'GET', path: (_p, own) => `Task/${own.formReview}`, finds: false },
  // Reaching A through includes from shared or own resources
  { what: '_revinclude from the shared GP', method: 'GET', path: (_p, own) => `Practitioner?_id=${own.gp}&_revinclude=Patient:general-practitioner&_revinclude=Observation:performer`, finds: true },
  { what: '_revinclude=* from the patient', method: 'GET', path: (p) => `Patient?_id=${p}&_revinclude=*`, finds: true },
  { what: 'search by name', method: 'GET', path: () => 'Patient?name=Alphaname', finds: false },
  { what: 'chained search', method: 'GET', path: () => 'Observation?subject.family=Alphaname', finds: false },
  { what: '_has search', method: 'GET', path: () => 'Patient?_has:Condition:subject:code:text=ALPHA', finds: false },
  { what: 'batch of reads', method: 'POST', path: () => '', body: (p, own) => ({ resourceType: 'Bundle', type: 'batch', entry: [`Patient/${p}`, `Observation/${own.lab}`, `Communication?subject=Patient/${p}`].map((url) => ({ request: { method: 'GET', url } })) }), finds: true },
];

/** Writes naming A's record (portal writes: messages, correction requests, answers, uploads) that B must not make. */
const WRITES: PortalCall[] = [
  { what: 'message into the record', method: 'POST', path: () => 'Communication', body: (p) => ({ resourceType: 'Communication', status: 'in-progress', subject: { reference: `Patient/${p}` }, payload: [{ contentString: 'hi' }] }), finds: false },
  { what: 'correction request for the record', method: 'POST', path: () => 'Task', body: (p, own) => correction(p, own.condition, 'x'), finds: false },
  { what: 'questionnaire answers', method: 'POST', path: () => 'QuestionnaireResponse', body: (p) => ({ resourceType: 'QuestionnaireResponse', status: 'completed', subject: { reference: `Patient/${p}` } }), finds: false },
  { what: 'upload (X-Security-Context)', method: 'POST', path: () => 'Binary', body: () => 'file', headers: (p) => ({ 'content-type': 'text/plain', 'x-security-context': `Patient/${p}` }), finds: false },
  { what: '$health-link', method: 'POST', path: (p) => `Patient/${p}/$health-link`, body: () => ({ resourceType: 'Parameters', parameter: [{ name: 'label', valueString: 'x' }, { name: 'expires', valueDateTime: new Date(Date.now() + 86_400_000).toISOString() }] }), finds: false },
  // Appointments (appointments-screen: request, move, cancel; web/src/portal/portal-appointments.ts)
  { what: 'appointment request for the record', method: 'POST', path: () => 'Appointment', body: (p, own) => requested(p, own.gp, '2027-01-04T10:00:00Z'), finds: false, ownAccepted: true },
  { what: "moving the record's appointment", method: 'PUT', path: (_p, own) => `Appointment/${own.appointment}`, body: (p, own) => ({ ...requested(p, own.gp, '2027-01-05T10:30:00Z'), id: own.appointment, appointmentType: undefined }), finds: false, ownAccepted: true },
  { what: "cancelling the record's appointment", method: 'PUT', path: (_p, own) => `Appointment/${own.visit}`, body: (p, own) => ({ ...visit(p, own.gp, own.visitStart), id: own.visit, status: 'cancelled', cancelationReason: { text: 'Away' } }), finds: false, ownAccepted: true },
  // Forms (form-fill-screen: the answers and the form's status in one transaction; or each alone)
  {
    what: 'form answers with the form Task (transaction)',
    method: 'POST',
    path: () => '',
    body: (p, own) => ({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:8d1c3f6e-2a1b-4c5d-9e8f-0a1b2c3d4e5f', resource: intakeAnswers(p), request: { method: 'POST', url: 'QuestionnaireResponse' } },
        { resource: { ...formTask(p, own.gp), id: own.form, status: 'in-progress', output: [{ type: { coding: [{ system: SDC_TEMP_SYSTEM, code: FORM_OUTPUT }] }, valueReference: { reference: 'urn:uuid:8d1c3f6e-2a1b-4c5d-9e8f-0a1b2c3d4e5f' } }] }, request: { method: 'PUT', url: `Task/${own.form}` } },
      ],
    }),
    finds: false,
    ownAccepted: true,
  },
  { what: 'form Task update', method: 'PUT', path: (_p, own) => `Task/${own.form}`, body: (p, own) => ({ ...formTask(p, own.gp), id: own.form, status: 'in-progress' }), finds: false },
  { what: 'saved answers update', method: 'PUT', path: (_p, own) => `QuestionnaireResponse/${own.answers}`, body: (p, own) => ({ ...intakeAnswers(p), id: own.answers }), finds: false },
  { what: 'a form review Task closed', method: 'PUT', path: (_p, own) => `Task/${own.formReview}`, body: (p, own) => ({ ...formReview(p, own.gp, own.answers, 'x'), id: own.formReview, status: 'completed' }), finds: false },
];

/** A new appointment as the portal asks for it (web/src/portal/portal-appointments.ts `requestedAppointment`). */
function requested(patient: string, gp: string, start: string): Record<string, unknown> {
  const end = new Date(Date.parse(start) + 20 * 60_000).toISOString();
  return {
    resourceType: 'Appointment',
    status: 'proposed',
    appointmentType: VISIT_CODE,
    start,
    end,
    minutesDuration: 20,
    participant: [
      { actor: { reference: `Patient/${patient}` }, required: 'required', status: 'accepted' },
      { actor: { reference: `Practitioner/${gp}` }, required: 'required', status: 'needs-action' },
    ],
  };
}

/** A booked visit with the practitioner, as the practice made it. */
function visit(patient: string, gp: string, start: string): Record<string, unknown> {
  return { resourceType: 'Appointment', status: 'booked', start, end: new Date(Date.parse(start) + 20 * 60_000).toISOString(), participant: [{ actor: { reference: `Patient/${patient}` }, status: 'accepted' }, { actor: { reference: `Practitioner/${gp}` }, status: 'accepted' }] };
}

/** A form the practice sends (SDC's complete-questionnaire Task, as portal-forms tests make it). */
function formTask(patient: string, gp: string): Record<string, unknown> {
  return {
    resourceType: 'Task',
    status: 'requested',
    intent: 'order',
    code: { coding: [{ system: SDC_TEMP_SYSTEM, code: FORM_TASK_CODE }] },
    for: { reference: `Patient/${patient}` },
    owner: { reference: `Patient/${patient}` },
    requester: { reference: `Practitioner/${gp}` },
    authoredOn: '2026-12-01T09:00:00Z',
    input: [{ type: { coding: [{ system: SDC_TEMP_SYSTEM, code: FORM_INPUT }] }, valueCanonical: INTAKE_URL }],
  };
}

/** Answers to the intake form, saved not sent. */
function intakeAnswers(patient: string): Record<string, unknown> {
  return { resourceType: 'QuestionnaireResponse', status: 'in-progress', questionnaire: INTAKE_URL, subject: { reference: `Patient/${patient}` }, author: { reference: `Patient/${patient}` }, authored: '2026-12-05T08:00:00Z' };
}

/** The review Task in the sender's inbox when a form is sent (src/domain/portal/form-review.ts). */
function formReview(patient: string, gp: string, answers: string, description: string): Record<string, unknown> {
  return { resourceType: 'Task', status: 'requested', intent: 'order', priority: 'urgent', code: { coding: [{ system: 'urn:heron:inbox-task', code: 'review-form' }] }, focus: { reference: `QuestionnaireResponse/${answers}` }, for: { reference: `Patient/${patient}` }, owner: { reference: `Practitioner/${gp}` }, description };
}

/** A correction request as the portal makes it (web/src/corrections/correction-requests.ts). */
function correction(patient: string, condition: string, description: string): object {
  return { resourceType: 'Task', status: 'requested', intent: 'proposal', code: { coding: [{ system: 'http://hl7.org/fhir/CodeSystem/task-code', code: 'change' }] }, for: { reference: `Patient/${patient}` }, focus: { reference: `Condition/${condition}` }, requester: { reference: `Patient/${patient}` }, authoredOn: new Date().toISOString(), description };
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`portal isolation (${kind})`, () => {
    let t: TestApp;
    let http: Http;
    let app: { clientId: string; clientSecret: string };
    const a: Record<string, string> = {};
    const b: Record<string, string> = {};
    const tokens: Record<string, string> = {};

    const call = (token: string, c: PortalCall, patient: string, own: Record<string, string>): Promise<Reply> => {
      const body = c.body?.(patient, own);
      const headers = c.headers?.(patient);
      return t.fhir(c.method, c.path(patient, own), { token, ...(typeof body === 'string' ? { payload: body } : body === undefined ? {} : { body }), ...(headers ? { headers } : {}) });
    };

    /** Every sign of `record` in a response (not the shared practitioner, nor the visit's time, which is not the record's alone): its resources' ids, the name and the marker text (also base64, as in a Binary's data: 12 bytes, so a prefix). */
    const traces = (record: Record<string, string>, marker: string, name: string) => [...Object.entries(record).filter(([k]) => k !== 'gp' && k !== 'visitStart').map(([, v]) => v), marker, Buffer.from(marker).toString('base64'), name];
    /** The traces of a record found in `reply`, leaving out what the request itself sent (a 404 names the id asked for, a link echoes its query). */
    const found = (reply: Reply, sent: string, record: Record<string, string>, marker: string, name: string) => traces(record, marker, name).filter((s) => !sent.includes(s) && reply.text.includes(s));
    const sentOf = (c: PortalCall, patient: string, own: Record<string, string>) => `${c.path(patient, own)} ${JSON.stringify(c.body?.(patient, own) ?? '')}`;

    async function signIn(email: string): Promise<string> {
      const { verifier, challenge } = pkce();
      const url = authorizeUrl(ORIGIN, { clientId: app.clientId, redirectUri: REDIRECT, scope: SCOPES, aud: BASE, challenge, method: 'S256', state: 's' });
      const { redirect } = await signInAndConsent(http, ORIGIN, url, { email, password: PASSWORD });
      const res = await http('POST', `${ORIGIN}/oauth2/token`, {
        headers: { authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}` },
        form: new URLSearchParams({ grant_type: 'authorization_code', code: redirect.searchParams.get('code')!, code_verifier: verifier, redirect_uri: REDIRECT }),
      });
      const token = JSON.parse(res.text) as { access_token?: string };
      expect(token.access_token, res.text).toBeDefined();
      return token.access_token!;
    }

    /** A record like the portal shows, every resource carrying `marker`. */
    async function record(into: Record<string, string>, family: string, given: string, marker: string, gp: string, visitStart: string): Promise<void> {
      const make = async (name: string, resource: Record<string, unknown>, token = t.token) => {
        const res = await t.fhir('POST', resource.resourceType as string, { body: resource, token });
        expect(res.status, res.text).toBe(201);
        into[name] = res.body.id as string;
      };
      into.gp = gp;
      await make('patient', { resourceType: 'Patient', name: [{ family, given: [given] }], birthDate: '1980-01-01', generalPractitioner: [{ reference: `Practitioner/${gp}` }] });
      const subject = { reference: `Patient/${into.patient}` };
      await make('lab', { resourceType: 'Observation', status: 'final', category: LAB, code: { text: `${marker} potassium` }, subject, performer: [{ reference: `Practitioner/${gp}` }], effectiveDateTime: '2026-11-01', valueQuantity: { value: 4.1, unit: 'mmol/L' } });
      await make('vital', { resourceType: 'Observation', status: 'final', category: VITALS, code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }], text: `${marker} heart rate` }, subject, effectiveDateTime: '2026-11-01', valueQuantity: { value: 70, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' } });
      await make('review', { resourceType: 'Task', status: 'requested', intent: 'order', code: { coding: [{ system: 'urn:heron:inbox-task', code: 'review-result' }] }, focus: { reference: `Observation/${into.lab}` }, for: subject, description: marker });
      await make('condition', { resourceType: 'Condition', clinicalStatus: ACTIVE, subject, code: { text: `${marker} asthma` } });
      await make('medication', { resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject, medicationCodeableConcept: { text: `${marker} salbutamol` } });
      await make('allergy', { resourceType: 'AllergyIntolerance', clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] }, patient: subject, code: { text: `${marker} peanut` } });
      await make('immunization', { resourceType: 'Immunization', status: 'completed', vaccineCode: { text: `${marker} MMR` }, occurrenceDateTime: '2020-01-01', patient: subject });
      await make('report', { resourceType: 'DiagnosticReport', status: 'final', code: { text: `${marker} panel` }, subject, result: [{ reference: `Observation/${into.lab}` }] });
      await make('encounter', { resourceType: 'Encounter', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, subject, reasonCode: [{ text: marker }] });
      await make('appointment', { resourceType: 'Appointment', status: 'booked', description: marker, start: '2027-01-05T09:00:00Z', end: '2027-01-05T09:15:00Z', participant: [{ actor: subject, status: 'accepted' }] });
      await make('answers', { resourceType: 'QuestionnaireResponse', status: 'completed', subject, item: [{ linkId: '1', text: marker, answer: [{ valueString: marker }] }] });
      into.visitStart = visitStart;
      await make('visit', visit(into.patient, gp, visitStart));
      await make('form', formTask(into.patient, gp));
      await make('formReview', formReview(into.patient, gp, into.answers, `${marker} urgent: positive answer to item 9`));
      const file = await t.fhir('POST', 'Binary', { payload: `${marker} note`, headers: { 'content-type': 'text/plain', 'x-security-context': `Patient/${into.patient}` } });
      expect(file.status, file.text).toBe(201);
      into.file = file.body.id as string;
      await make('document', { resourceType: 'DocumentReference', status: 'current', subject, description: marker, date: '2026-11-01T10:00:00Z', content: [{ attachment: { contentType: 'text/plain', url: `Binary/${into.file}` } }] });
      const attachment = await t.fhir('POST', 'Binary', { payload: `${marker} photo`, headers: { 'content-type': 'text/plain', 'x-security-context': `Patient/${into.patient}` } });
      into.attachment = attachment.body.id as string;
      await make('message', { resourceType: 'Communication', status: 'completed', subject, sender: { reference: `Practitioner/${gp}` }, recipient: [subject], payload: [{ contentString: marker }, { contentAttachment: { url: `Binary/${into.attachment}`, contentType: 'text/plain' } }], sent: '2026-11-02T10:00:00Z' });
    }

    /**
     * Patients may book, move and cancel online (with approval), within hours 09:00–12:00 UTC on
     * weekdays, with the shared practitioner; the practice has a visit type and the intake form.
     * So a write the portal makes is refused for another's record by the isolation rules, not by
     * the practice's settings (the same write for one's own record is accepted: last test).
     */
    async function practiceTakesBookings(gp: string): Promise<void> {
      const scheduling: Extension = { url: SETTING_URLS.selfScheduling, extension: Object.entries({ book: true, cancel: true, reschedule: true, needsApproval: true }).map(([url, valueBoolean]) => ({ url, valueBoolean })) };
      const hours: Extension = {
        url: WORKING_HOURS_URL,
        extension: [{ url: 'timeZone', valueCode: 'UTC' }, { url: 'opens', valueTime: '09:00:00' }, { url: 'closes', valueTime: '12:00:00' }, ...['mon', 'tue', 'wed', 'thu', 'fri'].map((valueCode) => ({ url: 'day', valueCode }))],
      };
      const org = { ...newPracticeOrganization({ id: t.practiceId, name: 'Isolation Practice' }) };
      org.extension = [...(org.extension ?? []), scheduling, hours];
      const created = await t.fhir('POST', 'Organization', { body: org, headers: { 'if-none-exist': practiceOrganizationQuery(t.practiceId).toString() } });
      expect(created.status, created.text).toBe(201);
      const schedule = await t.fhir('POST', 'Schedule', { body: { resourceType: 'Schedule', active: true, actor: [{ reference: `Practitioner/${gp}` }] } });
      expect(schedule.status, schedule.text).toBe(201);
      const type = { resourceType: 'ActivityDefinition', id: VISIT_TYPE, status: 'active', kind: 'Appointment', title: 'Follow-up', code: VISIT_CODE, timingDuration: { value: 20, unit: 'min', system: 'http://unitsofmeasure.org', code: 'min' }, topic: [{ coding: [{ system: 'urn:heron:catalogue', code: 'visit-type' }] }] };
      expect((await t.fhir('PUT', `ActivityDefinition/${VISIT_TYPE}`, { body: type })).status).toBe(201);
      const intake = await t.fhir('POST', 'Questionnaire', { body: INTAKE });
      expect(intake.status, intake.text).toBe(201);
    }

    beforeAll(async () => {
      t = await startTestApp({ kind, auditStore: true });
      http = injectHttp(t.app);
      const registered = await registerApp(t.store, { practiceId: t.practiceId, name: 'Portal', redirectUris: [REDIRECT], public: false, scopes: SCOPES });
      app = { clientId: registered.clientId, clientSecret: registered.clientSecret! };
      const gp = await t.fhir('POST', 'Practitioner', { body: { resourceType: 'Practitioner', name: [{ family: 'Shared' }] } });
      await practiceTakesBookings(gp.body.id as string);
      await record(a, 'Alphaname', 'Annika', 'ALPHA-SECRET', gp.body.id as string, '2027-01-06T09:00:00.000Z');
      await record(b, 'Bravoname', 'Bertil', 'BRAVO-SECRET', gp.body.id as string, '2027-01-06T09:30:00.000Z');
      const users: Array<[string, string, Partial<Parameters<typeof createUser>[1]>]> = [
        ['a', 'patient', { patients: [a.patient] }],
        ['b', 'patient', { patients: [b.patient] }],
        ['proxy', 'proxy', { patients: [a.patient] }],
        ['limited', 'proxy', { limitedPatients: [a.patient] }],
      ];
      for (const [who, role, extra] of users) {
        await createUser(t.store, { practiceId: t.practiceId, role, email: `${who}@example.org`, password: PASSWORD, ...extra });
        tokens[who] = await signIn(`${who}@example.org`);
      }
      // A's own health link (and B's), made through the portal's operation.
      for (const [who, rec] of [['a', a], ['b', b]] as const) {
        const link = await call(tokens[who], WRITES.find((w) => w.what === '$health-link')!, rec.patient, rec);
        expect(link.status, link.text).toBe(201);
        rec.link = (link.body.parameter as Array<{ name: string; valueString?: string }>).find((p) => p.name === 'id')!.valueString!;
      }
      const asked = await t.fhir('POST', 'Task', { body: correction(a.patient, a.condition, 'ALPHA-SECRET wrong'), token: tokens.a });
      expect(asked.status, asked.text).toBe(201);
      a.correction = asked.body.id as string;
      // Staff read A's chart, so A's accounting of disclosures has entries.
      await t.fhir('GET', `Patient/${a.patient}`);
    }, 120_000);
    afterAll(async () => t?.close());

    it("each portal call finds the caller's own record (the requests reach the data)", async () => {
      for (const c of CALLS.filter((c) => c.finds)) {
        const own = await call(tokens.a, c, a.patient, a);
        expect(own.status, `${c.what}: ${own.text.slice(0, 300)}`).toBe(200);
        expect(found(own, sentOf(c, a.patient, a), a, 'ALPHA-SECRET', 'Alphaname').length, c.what).toBeGreaterThan(0);
      }
    });

    it("patient B's token aimed at A's record by every portal call is refused or answers none of A's data", async () => {
      for (const c of [...CALLS, ...WRITES]) {
        const reply = await call(tokens.b, c, a.patient, a);
        expect([200, 403, 404], `${c.what}: ${reply.status} ${reply.text.slice(0, 300)}`).toContain(reply.status);
        expect(found(reply, sentOf(c, a.patient, a), a, 'ALPHA-SECRET', 'Alphaname'), c.what).toEqual([]);
      }
      // Nothing B wrote is in A's record, and A's health link still opens for A.
      const links = await call(tokens.a, CALLS.find((c) => c.what === '$health-links')!, a.patient, a);
      expect(links.text).toContain(a.link);
      expect(links.text).not.toContain('"revoked"');
    });

    it("B's writes that point at A's resources answer as for an unused id (existence does not leak)", async () => {
      const unused = { ...b, condition: 'no-such-condition' };
      const pointing = (condition: string) => correction(b.patient, condition, 'x');
      const atA = await t.fhir('POST', 'Task', { body: pointing(a.condition), token: tokens.b });
      const atNone = await t.fhir('POST', 'Task', { body: pointing(unused.condition), token: tokens.b });
      expect(atA.status, atA.text).toBe(atNone.status);
      expect(found(atA, a.condition, a, 'ALPHA-SECRET', 'Alphaname')).toEqual([]);
    });

    it("a full proxy of A sees A's record and nothing of B's", async () => {
      // A proxy is refused the accounting of disclosures (own-disclosures.int.test.ts).
      for (const c of CALLS.filter((c) => c.finds && c.what !== 'disclosures (AuditEvent)')) {
        const mine = await call(tokens.proxy, c, a.patient, a);
        expect(found(mine, sentOf(c, a.patient, a), a, 'ALPHA-SECRET', 'Alphaname').length, c.what).toBeGreaterThan(0);
      }
      for (const c of [...CALLS, ...WRITES]) {
        const reply = await call(tokens.proxy, c, b.patient, b);
        expect([200, 403, 404], `${c.what}: ${reply.status} ${reply.text.slice(0, 300)}`).toContain(reply.status);
        expect(found(reply, sentOf(c, b.patient, b), b, 'BRAVO-SECRET', 'Bravoname'), c.what).toEqual([]);
      }
    });

    it("a limited proxy of A gets only demographics, allergies, immunizations and appointments of A, nothing of B", async () => {
      for (const c of CALLS) {
        const reply = await call(tokens.limited, c, a.patient, a);
        expect([200, 403, 404], `${c.what}: ${reply.status} ${reply.text.slice(0, 300)}`).toContain(reply.status);
        const seen = found(reply, sentOf(c, a.patient, a), a, 'ALPHA-SECRET', 'Alphaname');
        const allowed = new Set([a.patient, a.allergy, a.immunization, a.appointment, a.visit, 'Alphaname']);
        // The marker is in the allowed resources too: only ids tell what was seen.
        expect(seen.filter((s) => !allowed.has(s) && !s.startsWith('ALPHA-SECRET') && s !== Buffer.from('ALPHA-SECRET').toString('base64')), c.what).toEqual([]);
        const other = await call(tokens.limited, c, b.patient, b);
        expect(found(other, sentOf(c, b.patient, b), b, 'BRAVO-SECRET', 'Bravoname'), c.what).toEqual([]);
      }
      const named = (what: string) => CALLS.find((c) => c.what === what)!;
      for (const [c, id] of [[named('allergies'), a.allergy], [named('immunizations'), a.immunization], [named('appointments'), a.appointment], [named('appointments, newest first'), a.visit]] as const) {
        expect((await call(tokens.limited, c, a.patient, a)).text, c.what).toContain(id);
      }
      // Whom A shares with is not theirs to see or end: A's link is listed to them not at all, and is still active.
      expect((await t.fhir('GET', `Patient/${a.patient}/$health-links`, { token: tokens.limited })).text).not.toContain(a.link);
      expect((await t.fhir('GET', `Patient/${a.patient}/$health-links`, { token: tokens.a })).text).not.toContain('"revoked"');
    });

    it("B cannot revoke A's connected app or health link: A's still work", async () => {
      const apps = await t.fhir('GET', '$connected-apps', { token: tokens.a });
      const grant = (apps.body.parameter as Array<{ part: Array<{ name: string; valueString?: string }> }>)[0].part.find((p) => p.name === 'grant')!.valueString!;
      const revoke = await t.fhir('POST', '$connected-app-revoke', { body: { resourceType: 'Parameters', parameter: [{ name: 'grant', valueString: grant }] }, token: tokens.b });
      expect([403, 404]).toContain(revoke.status);
      expect((await t.fhir('GET', `Patient/${a.patient}`, { token: tokens.a })).status).toBe(200);
      const links = await t.fhir('GET', `Patient/${a.patient}/$health-links`, { token: tokens.a });
      expect(links.text).not.toContain('"revoked"');
    });

    it("a portal token whose app grant is revoked (Privacy, `$connected-app-revoke`) is refused on its next call", async () => {
      const proxyToken = await signIn('proxy@example.org');
      const apps = await t.fhir('GET', '$connected-apps', { token: proxyToken });
      const grants = (apps.body.parameter as Array<{ part: Array<{ name: string; valueString?: string }> }>).map((p) => p.part.find((q) => q.name === 'grant')!.valueString!);
      expect(grants.length).toBeGreaterThan(0);
      // Revoke each (this sign-in's and the earlier one's, same app) until this token stops working.
      for (const grant of grants) {
        const revoked = await t.fhir('POST', '$connected-app-revoke', { body: { resourceType: 'Parameters', parameter: [{ name: 'grant', valueString: grant }] }, token: proxyToken });
        if (revoked.status === 401) break;
        expect(revoked.status, revoked.text).toBe(200);
      }
      expect((await t.fhir('GET', `Patient/${a.patient}`, { token: proxyToken })).status).toBe(401);
      expect((await t.fhir('GET', `Patient/${a.patient}`, { token: tokens.a })).status).toBe(200);
    });

    it("the review Task of a sent form is staff's: absent to the patient and their proxy, in the sender's inbox", async () => {
      const search = `Task?patient=${a.patient}&code=${encodeURIComponent(FORM_REVIEW)}`;
      expect((await t.fhir('GET', search)).text).toContain(a.formReview);
      for (const who of ['a', 'proxy'] as const) {
        expect((await t.fhir('GET', `Task/${a.formReview}`, { token: tokens[who] })).status, who).toBe(404);
        for (const path of [search, `Task?patient=${a.patient}`, `Patient/${a.patient}/*`, `Patient/${a.patient}/$everything`, `QuestionnaireResponse?_id=${a.answers}&_revinclude=Task:focus`]) {
          const reply = await t.fhir('GET', path, { token: tokens[who] });
          expect(reply.status, `${who} ${path}`).toBe(200);
          expect(reply.text, `${who} ${path}`).not.toContain(a.formReview);
          expect(reply.text, `${who} ${path}`).not.toContain('item 9');
        }
        // The form itself they do see.
        expect((await t.fhir('GET', `Task?patient=${a.patient}`, { token: tokens[who] })).text, who).toContain(a.form);
      }
    });

    it("the portal's writes that B is refused are accepted for A's own record (so the refusals are the isolation rules')", async () => {
      for (const c of WRITES.filter((w) => w.ownAccepted)) {
        const reply = await call(tokens.a, c, a.patient, a);
        expect(reply.status, `${c.what}: ${reply.text.slice(0, 400)}`).toBeGreaterThanOrEqual(200);
        expect(reply.status, `${c.what}: ${reply.text.slice(0, 400)}`).toBeLessThan(300);
      }
    });
  });
}
