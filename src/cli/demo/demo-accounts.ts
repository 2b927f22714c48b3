/**
 * The people a new user can sign in as on a demo server: one account per role a practice runs
 * on (physician, nurse, medical assistant, front desk, practice admin), one patient with portal access, and
 * a proxy (a parent) who acts for one patient with full access and for another with limited access
 * (docs/access.md#proxies-full-and-limited-access). Staff are Practitioners in the demo practice, so
 * their names show in the chart and the audit trail.
 *
 * Passwords are random per installation (a fixed demo password would open any demo server left
 * reachable from a network) and kept beside the demo client's secret in
 * `<data>/demo-credentials.json`, so `npm start` can print them on every start.
 */
import { randomInt } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import type { Patient, Practitioner, RelatedPerson } from '@medplum/fhirtypes';
import { dispatch } from '../../api/fhir/dispatch.ts';
import type { Role } from '../../domain/access/principal.ts';
import type { Ctx } from '../../domain/context.ts';
import { FhirError } from '../../fhir/outcome.ts';
import { createUser } from '../../domain/users/create-user.ts';
import type { FhirStore } from '../../store/store.ts';

export interface DemoAccount {
  role: Role;
  email: string;
  password: string;
  /** Who the account is, as people see it. */
  name: string;
  fhirUser: string;
}

interface StaffMember {
  role: Role;
  email: string;
  practitionerId: string;
  given: string;
  family: string;
  prefix?: string;
  suffix?: string;
}

export const DEMO_STAFF: readonly StaffMember[] = [
  { role: 'physician', email: 'physician@heron-demo.example', practitionerId: 'demo-physician', given: 'Dana', family: 'Whitfield', prefix: 'Dr.', suffix: 'MD' },
  { role: 'nurse', email: 'nurse@heron-demo.example', practitionerId: 'demo-nurse', given: 'Sam', family: 'Okafor', suffix: 'RN' },
  { role: 'medical-assistant', email: 'ma@heron-demo.example', practitionerId: 'demo-medical-assistant', given: 'Jordan', family: 'Reyes', suffix: 'CMA' },
  { role: 'front-desk', email: 'frontdesk@heron-demo.example', practitionerId: 'demo-front-desk', given: 'Lee', family: 'Morgan' },
  { role: 'practice-admin', email: 'admin@heron-demo.example', practitionerId: 'demo-practice-admin', given: 'Robin', family: 'Patel' },
];
export const DEMO_PATIENT_EMAIL = 'patient@heron-demo.example';
export const DEMO_PROXY_EMAIL = 'proxy@heron-demo.example';
const DEMO_PROXY_ID = 'demo-proxy';
export const DEMO_PHYSICIAN_ID = 'demo-physician';

/** Letters and digits that cannot be mistaken for each other when read off a terminal. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** Four groups of four: about 79 bits, easy to type. */
export function demoPassword(): string {
  const group = () => Array.from({ length: 4 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return [group(), group(), group(), group()].join('-');
}

/**
 * Makes sure every demo account exists and signs in with the password in `saved`. An account
 * whose password is not saved (the credentials file was deleted) gets a new one.
 */
export async function ensureDemoAccounts(ctx: Ctx, store: FhirStore, saved: readonly DemoAccount[] | undefined): Promise<DemoAccount[]> {
  const accounts: DemoAccount[] = [];
  for (const member of DEMO_STAFF) {
    const practitioner = await ensurePractitioner(ctx, member);
    const account = { role: member.role, email: member.email, name: displayName(practitioner), fhirUser: `Practitioner/${member.practitionerId}` };
    accounts.push(await ensureAccount(ctx, store, account, saved));
  }
  // Once chosen, the portal patient stays the same even when later samples sort before them.
  const chosen = (await store.admin.users.findByEmail(ctx.tenant, DEMO_PATIENT_EMAIL))?.patients?.[0];
  const patient = chosen ? ((await readIfPresent(ctx, `Patient/${chosen}`)) as Patient | undefined) : await portalPatient(ctx);
  if (patient) {
    const account = { role: 'patient' as const, email: DEMO_PATIENT_EMAIL, name: displayName(patient), fhirUser: `Patient/${patient.id}` };
    accounts.push(await ensureAccount(ctx, store, account, saved));
  }
  const proxy = await ensureProxy(ctx, store, saved);
  if (proxy) accounts.push(proxy);
  return accounts;
}

/**
 * The demo parent: full access to the second living sample patient, limited access to the third
 * (or the portal patient when the demo has only two). Once created, the account keeps its patients.
 */
async function ensureProxy(ctx: Ctx, store: FhirStore, saved: readonly DemoAccount[] | undefined): Promise<DemoAccount | undefined> {
  const existing = await store.admin.users.findByEmail(ctx.tenant, DEMO_PROXY_EMAIL);
  let full = existing?.patients?.find((p) => !existing.limitedPatients?.includes(p));
  let limited = existing?.limitedPatients?.[0];
  if (!full || !limited) {
    const living = await livingPatients(ctx, 3);
    full = living[1]?.id;
    limited = (living[2] ?? living[0])?.id;
  }
  if (!full || !limited || full === limited) return undefined;
  const person: RelatedPerson = {
    resourceType: 'RelatedPerson',
    id: DEMO_PROXY_ID,
    active: true,
    patient: { reference: `Patient/${full}` },
    relationship: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'PRN', display: 'parent' }] }],
    name: [{ use: 'official', given: ['Casey'], family: 'Rivera' }],
    telecom: [{ system: 'email', value: DEMO_PROXY_EMAIL }],
  };
  if (!(await readIfPresent(ctx, `RelatedPerson/${DEMO_PROXY_ID}`))) {
    const created = await demoRequest(ctx, 'PUT', `RelatedPerson/${DEMO_PROXY_ID}`, person);
    if (created.status >= 300) throw new Error(`Could not create the demo RelatedPerson: HTTP ${created.status}`);
  }
  const account = { role: 'proxy' as const, email: DEMO_PROXY_EMAIL, name: 'Casey Rivera', fhirUser: `RelatedPerson/${DEMO_PROXY_ID}` };
  return ensureAccount(ctx, store, account, saved, { patients: [full], limitedPatients: [limited] });
}

async function ensureAccount(
  ctx: Ctx,
  store: FhirStore,
  account: Omit<DemoAccount, 'password'>,
  saved: readonly DemoAccount[] | undefined,
  proxyOf?: { patients: string[]; limitedPatients: string[] },
): Promise<DemoAccount> {
  const existing = await store.admin.users.findByEmail(ctx.tenant, account.email);
  const savedPassword = saved?.find((a) => a.email === account.email)?.password;
  if (existing && savedPassword !== undefined) return { ...account, password: savedPassword };
  const password = demoPassword();
  if (existing) {
    await store.admin.users.setPassword(existing.id, await hash(password), Date.now());
  } else {
    const [type, id] = account.fhirUser.split('/') as [string, string];
    await createUser(store, {
      practiceId: ctx.tenant,
      role: account.role,
      email: account.email,
      password,
      ...(type === 'Patient' ? { patients: [id] } : { fhirUser: account.fhirUser }),
      ...proxyOf,
    });
  }
  return { ...account, password };
}

/** A fixed id, so a second start finds the same Practitioner instead of adding another. */
async function ensurePractitioner(ctx: Ctx, m: StaffMember): Promise<Practitioner> {
  const practitioner: Practitioner = {
    resourceType: 'Practitioner',
    id: m.practitionerId,
    active: true,
    name: [{ use: 'official', given: [m.given], family: m.family, ...(m.prefix ? { prefix: [m.prefix] } : {}), ...(m.suffix ? { suffix: [m.suffix] } : {}) }],
    telecom: [{ system: 'email', value: m.email, use: 'work' }],
  };
  const existing = await readIfPresent(ctx, `Practitioner/${m.practitionerId}`);
  if (existing) return existing as Practitioner;
  const created = await demoRequest(ctx, 'PUT', `Practitioner/${m.practitionerId}`, practitioner);
  if (created.status >= 300) throw new Error(`Could not create the demo Practitioner ${m.practitionerId}: HTTP ${created.status}`);
  return practitioner;
}

async function readIfPresent(ctx: Ctx, path: string) {
  try {
    return (await demoRequest(ctx, 'GET', path)).body;
  } catch (error) {
    if (error instanceof FhirError && error.category === 'not-found') return undefined;
    throw error;
  }
}

/** The living sample patient first in name order: the same one on every start. */
async function portalPatient(ctx: Ctx): Promise<Patient | undefined> {
  return (await livingPatients(ctx, 1))[0];
}

/** Sample patients alive today, in name order. */
export async function livingPatients(ctx: Ctx, count: number): Promise<Patient[]> {
  const found = await demoRequest(ctx, 'GET', 'Patient', undefined, new URLSearchParams({ _sort: 'family,given', _count: String(count * 3) }));
  const bundle = found.body as { entry?: Array<{ resource?: Patient }> } | undefined;
  const patients = (bundle?.entry ?? []).map((e) => e.resource).filter((p): p is Patient => p?.resourceType === 'Patient');
  return patients.filter((p) => p.deceasedDateTime === undefined && p.deceasedBoolean !== true).slice(0, count);
}

export function displayName(r: Patient | Practitioner): string {
  const name = r.name?.find((n) => n.use === 'official') ?? r.name?.[0];
  if (!name) return r.id ?? '';
  const given = (name.given ?? []).join(' ');
  const prefix = name.prefix?.join(' ');
  const suffix = name.suffix?.join(', ');
  return [prefix, given, name.family].filter(Boolean).join(' ') + (suffix ? `, ${suffix}` : '');
}

export async function demoRequest(ctx: Ctx, method: 'GET' | 'PUT' | 'POST', path: string, body?: unknown, query = new URLSearchParams()) {
  return dispatch(ctx, { method, path, query, headers: {}, body, baseUrl: 'http://localhost/fhir/R4' });
}
