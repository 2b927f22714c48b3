/**
 * Where the key that encrypts TOTP seeds comes from: `HERON_SECRET_KEY` when set; otherwise, on
 * the embedded database, a key file `<data>/secret-key` (mode 0600) created on first use. The
 * key is never stored in the database, so a copy of the database alone does not reveal a seed.
 * On PostgreSQL there is no file fallback: several app servers must share one key and a data
 * directory is per machine, so `HERON_SECRET_KEY` is required there for MFA.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StorageConfig } from './config.ts';

export const SECRET_KEY_FILE = 'secret-key';

export async function resolveSecretKey(config: StorageConfig & { secretKey?: Buffer }): Promise<Buffer | undefined> {
  if (config.secretKey !== undefined) return config.secretKey;
  if (config.databaseUrl !== undefined) return undefined;
  const path = join(config.dataDir, SECRET_KEY_FILE);
  try {
    await writeFile(path, randomBytes(32).toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = Buffer.from((await readFile(path, 'utf8')).trim(), 'base64');
  if (key.length !== 32) throw new Error(`${path} does not hold a 32-byte base64 key`);
  return key;
}
