/**
 * Creating a user account: who may be what. Staff (physician, nurse, …) may name the
 * Practitioner they are; a patient is exactly one Patient; a proxy acts for one or more patients
 * and may be a RelatedPerson. The password must pass the policy and is kept only as an argon2id
 * hash.
 */
import { randomUUID } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import { ROLES, type Role } from '../access/principal.ts';
import { errors } from '../../fhir/outcome.ts';
import type { FhirStore } from '../../store/store.ts';
import { passwordProblem } from './password-policy.ts';

const EMAIL = /^[^\s@]{1,64}@[^\s@.]+(\.[^\s@.]+)+$/;
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

export interface NewUser {
  practiceId: string;
  role: string;
  email: string;
  password: string;
  fhirUser?: string;
  patients?: readonly string[];
  /** Patients a proxy acts for with limited access (an adolescent's parent); added to `patients`. */
  limitedPatients?: readonly string[];
  /** `invited`: cannot sign in until the person sets their own password (account-links.ts). */
  status?: 'active' | 'invited';
}

/** The address as stored and looked up: trimmed and lower-cased. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * @returns the new user's id.
 * @throws FhirError `invalid` naming what is wrong; `conflict` when the email is taken in the practice.
 */
export async function createUser(store: FhirStore, u: NewUser): Promise<{ id: string }> {
  if (!(ROLES as readonly string[]).includes(u.role)) throw errors.invalid(`Unknown role "${u.role}"; one of ${ROLES.join(', ')}`, 'role');
  const role = u.role as Role;
  const email = normaliseEmail(u.email);
  if (email.length > 254 || !EMAIL.test(email)) throw errors.invalid(`"${u.email}" is not an email address`, 'email');
  const limitedPatients = [...new Set(u.limitedPatients ?? [])];
  if (limitedPatients.length > 0 && role !== 'proxy') throw errors.invalid('Only a proxy account acts for a patient with limited access', 'limitedPatient');
  const patients = [...new Set([...(u.patients ?? []), ...limitedPatients])];
  for (const p of patients) if (!FHIR_ID.test(p)) throw errors.invalid(`"${p}" is not a Patient id`, 'patient');
  const fhirUser = fhirUserFor(role, u.fhirUser, patients);
  const problem = passwordProblem(u.password, [email]);
  if (problem) throw errors.invalid(problem, 'password');
  const practice = await store.admin.getPractice(u.practiceId);
  if (!practice) throw errors.invalid(`Unknown practice "${u.practiceId}"`, 'practiceId');
  if (await store.admin.users.findByEmail(practice.id, email)) throw errors.conflict(`A user with the email ${email} already exists in this practice`);

  const id = randomUUID();
  await store.admin.users.create({
    id,
    tenant: practice.id,
    email,
    passwordHash: await hash(u.password),
    role,
    ...(fhirUser ? { fhirUser } : {}),
    ...(role === 'patient' || role === 'proxy' ? { patients } : {}),
    ...(limitedPatients.length > 0 ? { limitedPatients } : {}),
    status: u.status ?? 'active',
    failedSignIns: 0,
    tokensValidAfter: 0,
    createdAt: new Date().toISOString(),
  });
  return { id };
}

function fhirUserFor(role: Role, given: string | undefined, patients: string[]): string | undefined {
  const [type, id, extra] = (given ?? '').split('/');
  if (given !== undefined && (extra !== undefined || !id || !FHIR_ID.test(id))) throw errors.invalid(`"${given}" is not a reference like Practitioner/123`, 'fhirUser');
  if (role === 'patient') {
    if (patients.length !== 1) throw errors.invalid('A patient account needs exactly one --patient (their Patient id)', 'patient');
    if (given !== undefined && given !== `Patient/${patients[0]}`) throw errors.invalid(`A patient's fhirUser is their Patient (Patient/${patients[0]})`, 'fhirUser');
    return `Patient/${patients[0]}`;
  }
  if (role === 'proxy') {
    if (patients.length === 0) throw errors.invalid('A proxy account needs at least one --patient it acts for', 'patient');
    if (given !== undefined && type !== 'RelatedPerson') throw errors.invalid("A proxy's fhirUser is a RelatedPerson", 'fhirUser');
    return given;
  }
  if (patients.length > 0) throw errors.invalid(`A ${role} account is not bound to patients; --patient is for patient and proxy accounts`, 'patient');
  if (given !== undefined && type !== 'Practitioner') throw errors.invalid(`A ${role}'s fhirUser is a Practitioner`, 'fhirUser');
  return given;
}
