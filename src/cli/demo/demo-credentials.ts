/**
 * The demo client's credentials, kept in `<data>/demo-credentials.json` (mode 0600) so that
 * `npm start` can show them again on every start. They live in a file, not the database,
 * because the database keeps only a hash of a client secret — for the demo as for real clients.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DemoAccount } from './demo-accounts.ts';

export interface DemoCredentials {
  practiceId: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
  /** The people to sign in as (demo-accounts.ts); absent in files written before there were any. */
  accounts?: DemoAccount[];
}

export const DEMO_CREDENTIALS_FILE = 'demo-credentials.json';

export function demoCredentialsPath(dataDir: string): string {
  return join(dataDir, DEMO_CREDENTIALS_FILE);
}

/** The saved credentials, or undefined when there is no file yet. A damaged file is an error. */
export async function readDemoCredentials(dataDir: string): Promise<DemoCredentials | undefined> {
  const path = demoCredentialsPath(dataDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${path} is not valid JSON; delete it and Heron creates a new demo client on the next start`);
  }
  const v = value as Partial<DemoCredentials>;
  if (typeof v.practiceId !== 'string' || typeof v.clientId !== 'string' || typeof v.clientSecret !== 'string' || typeof v.scopes !== 'string') {
    throw new Error(`${path} lacks practiceId, clientId, clientSecret or scopes; delete it and Heron creates a new demo client on the next start`);
  }
  const accounts = Array.isArray(v.accounts) ? v.accounts.filter(isAccount) : undefined;
  return { practiceId: v.practiceId, clientId: v.clientId, clientSecret: v.clientSecret, scopes: v.scopes, ...(accounts ? { accounts } : {}) };
}

function isAccount(a: unknown): a is DemoAccount {
  const r = a as Partial<DemoAccount> | null;
  return typeof r === 'object' && r !== null && [r.role, r.email, r.password, r.name, r.fhirUser].every((f) => typeof f === 'string');
}

/** Writes the file readable by its owner only; via rename so a crash never leaves half a file. */
export async function writeDemoCredentials(dataDir: string, credentials: DemoCredentials): Promise<void> {
  const path = demoCredentialsPath(dataDir);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
  await rename(temporary, path);
}
