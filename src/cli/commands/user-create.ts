/**
 * `heron user create --practice P --role R --email E (--password-stdin | --password W)`: creates a
 * user account that signs in through apps. The password must pass the policy (docs/auth.md); only
 * its argon2id hash is stored.
 */
import { createInterface } from 'node:readline';
import { createUser } from '../../domain/users/create-user.ts';
import type { FhirStore } from '../../store/store.ts';
import { UsageError, type Env } from '../config.ts';
import { resolvePractice } from '../practice-ref.ts';
import type { Terminal } from '../terminal.ts';
import { recordUserChange } from '../audit-change.ts';

/** Environment variable that carries the password instead of the command line. */
export const PASSWORD_ENV = 'HERON_USER_PASSWORD';

/**
 * The password from exactly one source: `--password-stdin` (the first line of stdin),
 * `HERON_USER_PASSWORD`, or `--password`. Any argument is readable by every user of the machine in
 * the process list while the command runs (an environment is readable only by the same user and
 * root), so `--password` still works but earns a warning.
 */
export async function userPassword(o: { flag?: string; stdin: boolean; env: Env; input: NodeJS.ReadableStream; terminal: Terminal }): Promise<string> {
  if (o.flag !== undefined && o.stdin) throw new UsageError('Give the password one way: --password-stdin or --password, not both');
  if (o.stdin) {
    const line = await firstLine(o.input);
    if (line === undefined) throw new UsageError('--password-stdin: stdin ended before a password line');
    return line;
  }
  if (o.flag !== undefined) {
    o.terminal.err(`heron: warning: --password is visible to other users of this machine in the process list; prefer --password-stdin or ${PASSWORD_ENV}`);
    return o.flag;
  }
  const fromEnv = o.env[PASSWORD_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  throw new UsageError(`A password is required: --password-stdin (one line on stdin), ${PASSWORD_ENV}, or --password`);
}

/** The first line of a stream without its line ending; undefined when it ends with none. Reads no further than that line. */
function firstLine(input: NodeJS.ReadableStream): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input, crlfDelay: Infinity, terminal: false });
    let done = false;
    const finish = (value: string | undefined) => {
      if (done) return;
      done = true;
      lines.close();
      resolve(value);
    };
    lines.once('line', (line) => finish(line));
    lines.once('close', () => finish(undefined));
    input.once('error', reject);
  });
}

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
  await recordUserChange(deps.store, 'admin-user-create', id);
  if (o.json) deps.terminal.out(JSON.stringify({ id }));
  else deps.terminal.out(`Created ${o.role} ${o.email.trim().toLowerCase()} in practice "${practice.name}": user id ${id}`);
  return 0;
}
