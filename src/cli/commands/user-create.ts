/**
 * `heron user create --practice P --role R --email E --password W`: creates a user account that
 * signs in through apps. The password must pass the policy (docs/auth.md); only its argon2id
 * hash is stored.
 */
import { createUser } from '../../domain/users/create-user.ts';
import type { FhirStore } from '../../store/store.ts';
import { resolvePractice } from '../practice-ref.ts';
import type { Terminal } from '../terminal.ts';

export interface UserCreateOptions {
  practice: string;
  role: string;
  email: string;
  password: string;
  fhirUser?: string;
  patients?: string[];
  limitedPatients?: string[];
  json?: boolean;
}

export async function userCreateCommand(deps: { store: FhirStore; terminal: Terminal }, o: UserCreateOptions): Promise<number> {
  const practice = await resolvePractice(deps.store, o.practice);
  const { id } = await createUser(deps.store, {
    practiceId: practice.id,
    role: o.role,
    email: o.email,
    password: o.password,
    ...(o.fhirUser !== undefined ? { fhirUser: o.fhirUser } : {}),
    ...(o.patients !== undefined ? { patients: o.patients } : {}),
    ...(o.limitedPatients !== undefined ? { limitedPatients: o.limitedPatients } : {}),
  });
  if (o.json) deps.terminal.out(JSON.stringify({ id }));
  else deps.terminal.out(`Created ${o.role} ${o.email.trim().toLowerCase()} in practice "${practice.name}": user id ${id}`);
  return 0;
}
