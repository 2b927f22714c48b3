/**
 * Portal activation, on SQLite and PostgreSQL: staff who register patients invite one from their
 * chart (`Patient/[id]/$portal-invite`, audited; other roles refused), and the patient accepts by
 * giving their date of birth before the password — a wrong one is refused, counted and audited,
 * and after `MAX_BIRTH_DATE_TRIES` the link is spent; the date cannot be skipped; the optional
 * second factor starts the existing enrolment.
 */
import { randomBytes } from 'node:crypto';
import type { Parameters } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal, Role } from '../../domain/access/principal.ts';
import type { Ctx } from '../../domain/context.ts';
import type { AccountLinkMessage } from '../../domain/users/link-sender.ts';
import { createSecretBox } from '../../domain/users/secret-box.ts';
import { inviteUser } from '../../domain/users/account-links.ts';
import { dispatchAs, ORIGIN, startTestApp, type TestApp } from '../test-app.ts';
import { MAX_BIRTH_DATE_TRIES } from './account-links.ts';
import { injectHttp, type Http } from './test-flow.ts';

const PASSWORD = 'Velvet-Harbour-Lantern-42';

describe.each(['sqlite', 'postgres'] as const)('portal activation (%s)', (kind) => {
  let t: TestApp;
  let http: Http;
  const sent: AccountLinkMessage[] = [];
  let n = 0;

  beforeAll(async () => {
    t = await startTestApp({ kind, deps: { secretBox: createSecretBox(randomBytes(32)) } });
    http = injectHttp(t.app);
  }, 60_000);
  afterAll(async () => t?.close());

  const ctxAs = (role: Role, extra: Partial<Ctx> = {}): Ctx => {
    const principal: Principal = { kind: 'user', id: `staff-${role}`, tenant: t.practiceId, role, scopes: ['user/*.cruds'] };
    return { tenant: t.practiceId, principal, store: t.store, audit: { record: (e) => void t.audits.push(e) }, origin: {}, ...extra };
  };
  const newPatient = async (birthDate = '1985-03-27') => {
    n += 1;
    const res = await t.fhir('POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family: 'Rivera', given: ['Maria'] }], birthDate, telecom: [{ system: 'email', value: `maria.${n}.${kind}@example.org` }] } });
    expect(res.status, res.text).toBe(201);
    return res.body.id as string;
  };
  const invite = async (patientId: string, role: Role = 'front-desk', extra: Partial<Ctx> = {}) => dispatchAs(ctxAs(role, extra), 'POST', `Patient/${patientId}/$portal-invite`);
  const param = (body: unknown, name: string) => (body as Parameters).parameter?.find((p) => p.name === name);
  const linkOf = async (patientId: string) => {
    const res = await invite(patientId);
    expect(res.status).toBe(200);
    const link = param(res.body, 'link')!.valueUrl!;
    return { link, token: new URL(link).searchParams.get('token')! };
  };
  const birthDate = (token: string, day: string, month: string, year: string) => http('POST', `${ORIGIN}/auth/set-password/birth-date`, { form: new URLSearchParams({ token, day, month, year }) });
  const open = (link: string) => http('GET', `${ORIGIN}${new URL(link).pathname}${new URL(link).search}`);

  it('the roles that register patients invite from the chart; others are refused; each invitation is audited', async () => {
    for (const role of ['front-desk', 'nurse', 'physician', 'medical-assistant'] as const) {
      const patientId = await newPatient();
      const res = await invite(patientId, role);
      expect(res.status, role).toBe(200);
      expect(param(res.body, 'link')?.valueUrl, role).toMatch(new RegExp(`^${ORIGIN}/auth/set-password\\?token=`));
      expect(param(res.body, 'emailed')?.valueBoolean).toBe(false);
      const user = await t.store.admin.users.findByEmail(t.practiceId, param(res.body, 'email')!.valueString!);
      expect(user).toMatchObject({ role: 'patient', status: 'invited', fhirUser: `Patient/${patientId}`, patients: [patientId] });
      expect(t.audits.some((e) => e.action === 'portal-invite' && e.outcome === 'success' && e.principal.id === `staff-${role}` && e.patients?.includes(`Patient/${patientId}`))).toBe(true);
    }
    const patientId = await newPatient();
    for (const role of ['billing', 'practice-admin', 'student', 'patient'] as const) {
      expect((await invite(patientId, role)).status, role).toBe('forbidden');
    }
    expect(await t.store.admin.users.findByEmail(t.practiceId, `maria.${n}.${kind}@example.org`)).toBeUndefined();
  });

  it('e-mails the link when mail is configured, issues a new link while not accepted, and refuses once active', async () => {
    const patientId = await newPatient();
    const mailed = await invite(patientId, 'front-desk', { linkSender: { delivers: true, send: async (m) => void sent.push(m) } });
    expect(param(mailed.body, 'emailed')?.valueBoolean).toBe(true);
    expect(sent.at(-1)).toMatchObject({ purpose: 'invite', email: `maria.${n}.${kind}@example.org`, link: param(mailed.body, 'link')!.valueUrl });
    const again = await linkOf(patientId);
    expect(again.link).not.toBe(param(mailed.body, 'link')!.valueUrl);
    expect((await birthDate(again.token, '27', '3', '1985')).status).toBe(200);
    const set = await http('POST', `${ORIGIN}/auth/set-password`, { form: new URLSearchParams({ token: again.token, birthDate: '1985-03-27', password: PASSWORD, confirm: PASSWORD }) });
    expect(set.status, set.text).toBe(200);
    expect((await invite(patientId)).status).toBe('conflict');
  });

  it('asks the date of birth first: a wrong one is refused, counted and audited; the right one leads to the password', async () => {
    const patientId = await newPatient();
    const { link, token } = await linkOf(patientId);
    const first = await open(link);
    expect(first.status).toBe(200);
    expect(first.text).toContain('Date of birth');
    expect(first.text).not.toContain('New password');

    const wrong = await birthDate(token, '28', '3', '1985');
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('does not match');
    expect(wrong.text).toContain(`${MAX_BIRTH_DATE_TRIES - 1} tries left`);
    expect(t.audits.filter((e) => e.action === 'invitation-birth-date' && e.outcome === 'failure')).not.toHaveLength(0);
    // Not a date at all: said so, and not counted.
    const garbled = await birthDate(token, 'xx', '3', '1985');
    expect(garbled.text).toContain('as numbers');
    expect((await birthDate(token, '1', '1', '1999')).text).toContain(`${MAX_BIRTH_DATE_TRIES - 2} tries left`);

    // Skipping the step: the password form without the right date is a wrong try too.
    const skipped = await http('POST', `${ORIGIN}/auth/set-password`, { form: new URLSearchParams({ token, password: PASSWORD, confirm: PASSWORD }) });
    expect(skipped.status).toBe(400);
    expect(skipped.text).toContain(`${MAX_BIRTH_DATE_TRIES - 3} tries left`);

    const right = await birthDate(token, '27', '03', '1985');
    expect(right.status).toBe(200);
    expect(right.text).toContain('New password');
    expect(right.text).toContain('authenticator app');
    const set = await http('POST', `${ORIGIN}/auth/set-password`, { form: new URLSearchParams({ token, birthDate: '1985-03-27', password: PASSWORD, confirm: PASSWORD, mfa: 'yes' }) });
    expect(set.status, set.text).toBe(200);
    expect(set.text).toContain('Your password is set');
    expect(set.text).toContain('add an authenticator app');
    const user = await t.store.admin.users.findByEmail(t.practiceId, `maria.${n}.${kind}@example.org`);
    expect(user?.status).toBe('active');
    // The second factor is enrolled at the next sign-in, by the existing enrolment (a pending key).
    expect(user?.mfaSecret).toBeDefined();
    expect(t.audits.some((e) => e.action === 'invitation-accepted' && e.principal.id === user!.id)).toBe(true);
    expect((await open(link)).status).toBe(400);
  });

  it(`spends the link after ${MAX_BIRTH_DATE_TRIES} wrong dates of birth`, async () => {
    const patientId = await newPatient();
    const { link, token } = await linkOf(patientId);
    for (let i = 1; i < MAX_BIRTH_DATE_TRIES; i++) expect((await birthDate(token, '1', '1', String(1990 + i))).text).toMatch(/tr(y|ies) left/);
    const last = await birthDate(token, '1', '1', '1980');
    expect(last.status).toBe(400);
    expect(last.text).toContain('no longer works');
    // Even the right date now finds no link.
    expect((await birthDate(token, '27', '3', '1985')).text).toContain('invalid, expired or was already used');
    expect((await open(link)).status).toBe(400);
    expect(t.audits.some((e) => e.action === 'invitation-spent')).toBe(true);
    const user = await t.store.admin.users.findByEmail(t.practiceId, `maria.${n}.${kind}@example.org`);
    expect(user?.status).toBe('invited');
    // The practice can invite again.
    expect((await invite(patientId)).status).toBe(200);
  });

  it('an invitation to a patient with no date of birth on record says so instead of asking', async () => {
    const res = await t.fhir('POST', 'Patient', { body: { resourceType: 'Patient', name: [{ family: 'Nobirth' }] } });
    expect((await invite(res.body.id)).status).toBe('unprocessable');
    const { token } = await inviteUser(t.store, { practiceId: t.practiceId, role: 'patient', email: `nobirth.${kind}@example.org`, patients: [res.body.id] });
    const page = await http('GET', `${ORIGIN}/auth/set-password?token=${encodeURIComponent(token)}`);
    expect(page.status).toBe(400);
    expect(page.text).toContain('no date of birth on record');
  });

  it('a staff invitation does not ask for a date of birth', async () => {
    const { token } = await inviteUser(t.store, { practiceId: t.practiceId, role: 'nurse', email: `nurse.${kind}@example.org` });
    const page = await http('GET', `${ORIGIN}/auth/set-password?token=${encodeURIComponent(token)}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('New password');
    expect(page.text).not.toContain('Date of birth');
  });
});
